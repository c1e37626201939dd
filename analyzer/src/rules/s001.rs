//! S001: `mark_safe` of a formatted string.

use crate::ast_util::{dotted_last, span_of};
use crate::checker::Context;
use crate::declare_violation;
use crate::finding::Finding;
use crate::rule::Rule;
use ruff_python_ast::{Expr, Operator};

declare_violation! {
    /// ## What it does
    /// Flags `mark_safe(...)` (Django's `django.utils.safestring.mark_safe`, called by
    /// name or as an attribute) whose first argument builds a string from values: an
    /// f-string with at least one `{…}`, `"…".format(…)`, or `"…" % …`.
    ///
    /// ## Why is this bad?
    /// `mark_safe` tells the template engine not to escape the string. Interpolating a
    /// value into it first turns that value into raw HTML on the page: a user's name
    /// containing `<script>` runs in every visitor's browser (cross-site scripting).
    /// LiveView templates re-render on every event, so the injected markup is also sent
    /// in patches.
    ///
    /// ## Example
    /// ```python
    /// label = mark_safe(f"<b>{user.name}</b>")
    /// ```
    ///
    /// ## Fix
    /// Let Django escape the values: `format_html("<b>{}</b>", user.name)`. Suppress
    /// one call with `# noqa: S001`.
    ///
    /// ## Differences from upstream
    /// Upstream flags only an f-string as the first positional argument, including one
    /// without placeholders (which is a constant and safe). djust skips constant
    /// f-strings and also catches `str.format` and `%` formatting.
    pub struct MarkSafeFormatted {
        code: "S001",
        name: "mark-safe-formatted-string",
        severity: Error,
        summary: "`mark_safe` of a string built from values",
    }
}

/// Check one expression.
pub fn check(ctx: &Context<'_>, expr: &Expr, out: &mut Vec<Finding>) {
    let Expr::Call(call) = expr else { return };
    if dotted_last(&call.func) != Some("mark_safe") {
        return;
    }
    let Some(arg) = call.arguments.args.first() else {
        return;
    };
    let how = match arg {
        Expr::FString(f) if f.value.elements().any(|e| e.is_interpolation()) => "an f-string",
        Expr::Call(c) => match c.func.as_ref() {
            Expr::Attribute(a)
                if a.attr.as_str() == "format" && matches!(a.value.as_ref(), Expr::StringLiteral(_)) =>
            {
                "str.format()"
            }
            _ => return,
        },
        Expr::BinOp(b)
            if matches!(b.op, Operator::Mod) && matches!(b.left.as_ref(), Expr::StringLiteral(_)) =>
        {
            "% formatting"
        }
        _ => return,
    };
    out.push(
        Finding::new(
            Rule::S001,
            ctx.file,
            span_of(call),
            format!("mark_safe() of {how}: the interpolated values are not escaped (cross-site scripting)."),
        )
        .with_primary_label("values reach the page unescaped")
        .with_help("Use django.utils.html.format_html(\"<b>{}</b>\", value), which escapes each value."),
    );
}
