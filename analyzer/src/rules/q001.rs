//! Q001: `print()` in application code.

use crate::ast_util::span_of;
use crate::checker::Context;
use crate::declare_violation;
use crate::finding::Finding;
use crate::rule::Rule;
use ruff_python_ast::Expr;

declare_violation! {
    /// ## What it does
    /// Flags calls to the built-in `print`.
    ///
    /// Not flagged: a call with `file=` (output sent somewhere on purpose), calls under
    /// `if __name__ == "__main__":`, and modules that bind their own `print`.
    ///
    /// ## Why is this bad?
    /// In a server, `print` writes to the process's standard output: lost under most
    /// deployments, interleaved between workers, without level, time or request. Debug
    /// prints left in event handlers also slow every event.
    ///
    /// ## Example
    /// ```python
    /// @event_handler
    /// def search(self, value="", **kwargs):
    ///     print("searching", value)
    /// ```
    ///
    /// ## Fix
    /// Use `logging` (`logger = logging.getLogger(__name__)`, then `logger.debug(...)`),
    /// or a management command's `self.stdout.write`. Suppress with `# noqa: Q001`.
    ///
    /// ## Differences from upstream
    /// Upstream flags every call to a name `print`, including scripts' `__main__`
    /// blocks, `print(..., file=sys.stderr)` and a module's own `print` function.
    pub struct PrintCall {
        code: "Q001",
        name: "print-call",
        severity: Info,
        summary: "`print()` in application code",
    }
}

/// Check one expression.
pub fn check(ctx: &Context<'_>, expr: &Expr, out: &mut Vec<Finding>) {
    let Expr::Call(call) = expr else { return };
    if !matches!(call.func.as_ref(), Expr::Name(n) if n.id.as_str() == "print") {
        return;
    }
    if ctx.in_main_block
        || ctx.bound.contains("print")
        || call
            .arguments
            .keywords
            .iter()
            .any(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "file"))
    {
        return;
    }
    out.push(
        Finding::new(
            Rule::Q001,
            ctx.file,
            span_of(call),
            "print() in application code: use logging.",
        )
        .with_primary_label("written to standard output")
        .with_help("logger = logging.getLogger(__name__), then logger.debug(...) (or logger.info)."),
    );
}
