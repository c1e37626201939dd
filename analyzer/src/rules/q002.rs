//! Q002: a logging call that formats its message eagerly.

use crate::ast_util::{dotted_last, span_of};
use crate::checker::Context;
use crate::declare_violation;
use crate::finding::Finding;
use crate::rule::Rule;
use ruff_python_ast::Expr;

declare_violation! {
    /// ## What it does
    /// Flags a call to a logger's `debug`, `info`, `warning`, `warn`, `error`,
    /// `critical` or `exception` (or `log(level, …)`) whose message is an f-string with
    /// a `{…}`, or `"…".format(…)`. The logger is a name `logger`, `log` or `logging`,
    /// or an attribute ending in `.logger` or `.log` (`self.logger`).
    ///
    /// ## Why is this bad?
    /// The string is built before `logging` decides whether the record is emitted, so a
    /// `debug` call in an event handler costs its formatting on every event even when
    /// debug logging is off. Log aggregators also group records by their message
    /// template, which an f-string destroys.
    ///
    /// ## Example
    /// ```python
    /// logger.debug(f"cart {self.cart_id} has {len(self.items)} items")
    /// ```
    ///
    /// ## Fix
    /// Pass the values as arguments: `logger.debug("cart %s has %s items",
    /// self.cart_id, len(self.items))`. Suppress with `# noqa: Q002`.
    ///
    /// ## Differences from upstream
    /// Upstream flags f-strings only (even without placeholders) and not `log(level, …)`
    /// or `warn`; djust skips constant f-strings and also catches `str.format`.
    pub struct EagerLogFormatting {
        code: "Q002",
        name: "eager-log-formatting",
        severity: Warning,
        summary: "Logging call formats its message eagerly",
    }
}

const METHODS: &[&str] = &[
    "debug",
    "info",
    "warning",
    "warn",
    "error",
    "critical",
    "exception",
];

fn is_logger(expr: &Expr) -> bool {
    match expr {
        Expr::Name(n) => matches!(n.id.as_str(), "logger" | "log" | "logging"),
        other => matches!(dotted_last(other), Some("logger" | "log")),
    }
}

/// Check one expression.
pub fn check(ctx: &Context<'_>, expr: &Expr, out: &mut Vec<Finding>) {
    let Expr::Call(call) = expr else { return };
    let Expr::Attribute(method) = call.func.as_ref() else {
        return;
    };
    if !is_logger(&method.value) {
        return;
    }
    let name = method.attr.as_str();
    let message = if METHODS.contains(&name) {
        call.arguments.args.first()
    } else if name == "log" {
        call.arguments.args.get(1)
    } else {
        return;
    };
    let how = match message {
        Some(Expr::FString(f)) if f.value.elements().any(|e| e.is_interpolation()) => "an f-string",
        Some(Expr::Call(c))
            if matches!(c.func.as_ref(), Expr::Attribute(a) if a.attr.as_str() == "format"
                && matches!(a.value.as_ref(), Expr::StringLiteral(_))) =>
        {
            "str.format()"
        }
        _ => return,
    };
    let Some(message) = message else { return };
    out.push(
        Finding::new(
            Rule::Q002,
            ctx.file,
            span_of(message),
            format!("The log message is {how}: it is formatted even when the record is not emitted."),
        )
        .with_primary_label("formatted eagerly")
        .with_help(format!(
            "Pass the values as arguments: logger.{name}(\"... %s ...\", value)."
        )),
    );
}
