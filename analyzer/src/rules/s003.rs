//! S003: `except:` that swallows every exception silently.

use crate::ast_util::{dotted, span_of};
use crate::checker::Context;
use crate::declare_violation;
use crate::finding::Finding;
use crate::rule::Rule;
use ruff_python_ast::{ExceptHandler, Expr, Stmt};

declare_violation! {
    /// ## What it does
    /// Flags a bare `except:` (or `except BaseException:`, the same thing) whose body does
    /// nothing: only `pass` or `...`.
    ///
    /// ## Why is this bad?
    /// It hides every error, including `KeyboardInterrupt`, `SystemExit` and the bugs of
    /// the code in the `try`. In an event handler the state is left half-updated and the
    /// page re-renders as if all went well; nothing reaches the logs.
    ///
    /// ## Example
    /// ```python
    /// try:
    ///     self.total = compute_total(self.items)
    /// except:
    ///     pass
    /// ```
    ///
    /// ## Fix
    /// Catch the exceptions you expect and handle or log them:
    /// ```python
    /// except (ValueError, Decimal.InvalidOperation):
    ///     logger.warning("bad total for %s", self.items, exc_info=True)
    /// ```
    /// Suppress with `# noqa: S003` on the `except` line.
    ///
    /// ## Differences from upstream
    /// Upstream looks only at a bare `except:` with a lone `pass`; djust also counts
    /// `except BaseException:` and a lone `...`.
    pub struct BareExceptPass {
        code: "S003",
        name: "bare-except-pass",
        severity: Warning,
        summary: "`except:` that silently swallows every exception",
    }
}

/// Check one statement (a `try`).
pub fn check(ctx: &Context<'_>, stmt: &Stmt, out: &mut Vec<Finding>) {
    let Stmt::Try(t) = stmt else { return };
    for handler in &t.handlers {
        let ExceptHandler::ExceptHandler(h) = handler;
        let catches_all = match h.type_.as_deref() {
            None => true,
            Some(e) => {
                dotted(e).is_some_and(|p| p == ["BaseException"] || p == ["builtins", "BaseException"])
            }
        };
        let silent = h.body.len() == 1
            && match &h.body[0] {
                Stmt::Pass(_) => true,
                Stmt::Expr(e) => matches!(e.value.as_ref(), Expr::EllipsisLiteral(_)),
                _ => false,
            };
        if catches_all && silent {
            // `except …:`, up to its colon.
            let span = span_of(h);
            let after = h
                .type_
                .as_deref()
                .map_or(span.start + "except".len(), |t| span_of(t).end);
            let end = ctx
                .source
                .get(after..span.end)
                .and_then(|rest| rest.find(':'))
                .map_or(after, |i| after + i + 1);
            out.push(
                Finding::new(
                    Rule::S003,
                    ctx.file,
                    djust_runtime::Span::new(span.start, end),
                    "`except:` with an empty body swallows every exception, bugs included.",
                )
                .with_primary_label("every exception is dropped here")
                .with_help("Catch the exceptions you expect, and log or handle them."),
            );
        }
    }
}
