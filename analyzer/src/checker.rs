//! The per-file Python rules' one walk: every statement and expression of a parsed
//! module is visited once (Ruff's `Visitor`), and each is handed to the rules that
//! look at that kind of node. A rule is a function with one of two signatures,
//! [`StmtRule`] or [`ExprRule`], listed once in [`STMT_RULES`] / [`EXPR_RULES`].
//!
//! The tree is at most as deep as `python_depth` allows (CPython's limits), so the
//! recursion of the walk is bounded.

use crate::finding::{FileId, Finding};
use crate::rules;
use djust_runtime::LineIndex;
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, Stmt};
use std::collections::HashSet;

/// What a rule knows about the file it checks.
pub struct Context<'a> {
    /// File id for findings.
    pub file: FileId,
    /// Source text.
    pub source: &'a str,
    /// Its line index.
    pub lines: &'a LineIndex,
    /// Names the module binds at top level (imports, definitions): a rule about
    /// `print` does not fire where `print` is the module's own.
    pub bound: &'a HashSet<String>,
    /// Whether the node is inside `if __name__ == "__main__":` (a script part).
    pub in_main_block: bool,
}

/// A rule over one statement.
pub type StmtRule = fn(&Context<'_>, &Stmt, &mut Vec<Finding>);
/// A rule over one expression.
pub type ExprRule = fn(&Context<'_>, &Expr, &mut Vec<Finding>);

/// The statement rules, each called on every statement.
pub const STMT_RULES: &[StmtRule] = &[rules::s002::check, rules::s003::check];
/// The expression rules, each called on every expression.
pub const EXPR_RULES: &[ExprRule] = &[rules::s001::check, rules::q001::check, rules::q002::check];

/// Run every per-file Python rule over `body`.
pub fn check_module(
    file: FileId,
    source: &str,
    lines: &LineIndex,
    bound: &HashSet<String>,
    body: &[Stmt],
    out: &mut Vec<Finding>,
) {
    let mut walker = Walker {
        ctx: Context {
            file,
            source,
            lines,
            bound,
            in_main_block: false,
        },
        out,
    };
    walker.visit_body(body);
}

struct Walker<'c, 'o> {
    ctx: Context<'c>,
    out: &'o mut Vec<Finding>,
}

impl<'a> Visitor<'a> for Walker<'_, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        for rule in STMT_RULES {
            rule(&self.ctx, stmt, self.out);
        }
        let main = !self.ctx.in_main_block && is_main_guard(stmt);
        if main {
            self.ctx.in_main_block = true;
        }
        visitor::walk_stmt(self, stmt);
        if main {
            self.ctx.in_main_block = false;
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        for rule in EXPR_RULES {
            rule(&self.ctx, expr, self.out);
        }
        visitor::walk_expr(self, expr);
    }
}

/// `if __name__ == "__main__":`
fn is_main_guard(stmt: &Stmt) -> bool {
    let Stmt::If(s) = stmt else { return false };
    let Expr::Compare(c) = s.test.as_ref() else {
        return false;
    };
    matches!(c.left.as_ref(), Expr::Name(n) if n.id.as_str() == "__name__")
        && c.comparators
            .iter()
            .any(|e| crate::ast_util::str_const(e) == Some("__main__"))
}
