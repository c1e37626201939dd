//! S002: `@csrf_exempt` without a stated reason.

use crate::ast_util::{dotted_last, span_of, str_const};
use crate::checker::Context;
use crate::declare_violation;
use crate::finding::Finding;
use crate::rule::Rule;
use ruff_python_ast::{Expr, Stmt};

declare_violation! {
    /// ## What it does
    /// Flags a function or method decorated with Django's `csrf_exempt` (as
    /// `@csrf_exempt`, `@decorators.csrf.csrf_exempt` or
    /// `@method_decorator(csrf_exempt, …)`) whose docstring does not say why (it does
    /// not mention CSRF).
    ///
    /// ## Why is this bad?
    /// CSRF protection is what stops another site from making a signed-in visitor's
    /// browser post to your views. Turning it off is sometimes right (a webhook signed
    /// by its sender), but a reviewer should see the reason next to the decorator.
    ///
    /// ## Example
    /// ```python
    /// @csrf_exempt
    /// def update_profile(request):
    ///     ...
    /// ```
    ///
    /// ## Fix
    /// Remove the decorator, or state the reason in the docstring:
    /// ```python
    /// @csrf_exempt
    /// def stripe_webhook(request):
    ///     """CSRF-exempt: Stripe signs the request; we verify the signature."""
    /// ```
    /// Suppress with `# noqa: S002` on the decorator or the `def` line.
    ///
    /// ## Differences from upstream
    /// Upstream recognises only the bare decorator, not `@method_decorator(csrf_exempt)`
    /// on a class-based view's method, and reads `# noqa` only on the decorator line.
    pub struct CsrfExemptWithoutReason {
        code: "S002",
        name: "csrf-exempt-without-reason",
        severity: Warning,
        summary: "`@csrf_exempt` without a stated reason",
    }
}

fn is_csrf_exempt(expr: &Expr) -> bool {
    match expr {
        Expr::Call(c) => {
            // `@method_decorator(csrf_exempt, name="dispatch")`
            dotted_last(&c.func) == Some("method_decorator")
                && c.arguments.args.first().is_some_and(is_csrf_exempt)
        }
        other => dotted_last(other) == Some("csrf_exempt"),
    }
}

/// Check one statement.
pub fn check(ctx: &Context<'_>, stmt: &Stmt, out: &mut Vec<Finding>) {
    let Stmt::FunctionDef(f) = stmt else { return };
    let Some(decorator) = f.decorator_list.iter().find(|d| is_csrf_exempt(&d.expression)) else {
        return;
    };
    let documented = match f.body.first() {
        Some(Stmt::Expr(e)) => str_const(&e.value).is_some_and(|d| d.to_ascii_lowercase().contains("csrf")),
        _ => false,
    };
    if documented {
        return;
    }
    let mut noqa_lines: Vec<usize> = f
        .decorator_list
        .iter()
        .map(|d| ctx.lines.line_of(span_of(d).start))
        .collect();
    noqa_lines.push(ctx.lines.line_of(span_of(&f.name).start));
    out.push(
        Finding::new(
            Rule::S002,
            ctx.file,
            span_of(&f.name),
            format!(
                "`{}` is exempt from CSRF protection without a stated reason.",
                f.name.as_str()
            ),
        )
        .with_primary_label("CSRF checks are off for this view")
        .with_label(span_of(decorator), "exempted here")
        .with_help("Remove @csrf_exempt, or say why in the docstring (\"CSRF-exempt: …\").")
        .with_noqa_lines(noqa_lines),
    );
}
