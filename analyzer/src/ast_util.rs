//! Small helpers over Ruff's Python AST (`ruff_python_ast`) shared by the Python rules.

use djust_runtime::Span;
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

/// Byte span of any AST node.
pub fn span_of(node: &impl Ranged) -> Span {
    let r = node.range();
    Span::new(usize::from(r.start()), usize::from(r.end()))
}

/// `a.b.c` → `["a", "b", "c"]` for a name or a chain of attributes on a name.
pub fn dotted(expr: &Expr) -> Option<Vec<&str>> {
    match expr {
        Expr::Name(n) => Some(vec![n.id.as_str()]),
        Expr::Attribute(a) => {
            let mut base = dotted(&a.value)?;
            base.push(a.attr.as_str());
            Some(base)
        }
        _ => None,
    }
}

/// The last name of `a.b.c` (`"c"`) for a name or a chain of attributes on a name, as
/// [`dotted`]'s list would end, without building the list (the rules that ask it do
/// so of every call: `mark_safe(…)`, `logger.info(…)`).
pub fn dotted_last(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Name(n) => Some(n.id.as_str()),
        Expr::Attribute(a) => {
            let mut base = a.value.as_ref();
            while let Expr::Attribute(inner) = base {
                base = inner.value.as_ref();
            }
            matches!(base, Expr::Name(_)).then_some(a.attr.as_str())
        }
        _ => None,
    }
}

/// A function or async function definition.
#[derive(Clone, Copy)]
pub struct FnDef<'a> {
    /// The function's name.
    pub name: &'a str,
    /// Its parameters.
    pub args: &'a ast::Parameters,
    /// Its body.
    pub body: &'a [Stmt],
    /// Its decorators, outermost first.
    pub decorators: &'a [ast::Decorator],
    /// Span of the whole statement (decorators included).
    pub span: Span,
    /// `async def`?
    pub is_async: bool,
    /// Byte span of the function's name (after `def`).
    pub name_span: Span,
}

impl<'a> FnDef<'a> {
    /// View `stmt` as a function definition, if it is one.
    pub fn from_stmt(stmt: &'a Stmt) -> Option<FnDef<'a>> {
        match stmt {
            Stmt::FunctionDef(f) => Some(FnDef {
                name: f.name.as_str(),
                args: &f.parameters,
                body: &f.body,
                decorators: &f.decorator_list,
                span: span_of(f),
                is_async: f.is_async,
                name_span: span_of(&f.name),
            }),
            _ => None,
        }
    }

    /// Name of the first positional parameter (`self` by convention).
    pub fn first_param(&self) -> Option<&'a str> {
        self.args
            .posonlyargs
            .iter()
            .chain(self.args.args.iter())
            .next()
            .map(|a| a.parameter.name.as_str())
    }
}

/// Call `f` on every statement list nested directly in `stmt` (bodies of compound
/// statements, including function and class bodies, every `elif`/`else`, `except`
/// and `case` clause).
pub fn child_bodies<'a>(stmt: &'a Stmt, f: &mut dyn FnMut(&'a [Stmt])) {
    match stmt {
        Stmt::FunctionDef(s) => f(&s.body),
        Stmt::ClassDef(s) => f(&s.body),
        Stmt::If(s) => {
            f(&s.body);
            for clause in &s.elif_else_clauses {
                f(&clause.body);
            }
        }
        Stmt::For(s) => {
            f(&s.body);
            f(&s.orelse);
        }
        Stmt::While(s) => {
            f(&s.body);
            f(&s.orelse);
        }
        Stmt::With(s) => f(&s.body),
        Stmt::Try(s) => {
            f(&s.body);
            for h in &s.handlers {
                let ast::ExceptHandler::ExceptHandler(h) = h;
                f(&h.body);
            }
            f(&s.orelse);
            f(&s.finalbody);
        }
        Stmt::Match(s) => {
            for case in &s.cases {
                f(&case.body);
            }
        }
        _ => {}
    }
}

/// The methods of a class body: its `def`s, and those under `if`/`else`, `try`/`except`
/// and `with` in it (never inside a nested function or class), in source order.
pub fn methods(body: &[Stmt]) -> Vec<FnDef<'_>> {
    let mut out = Vec::new();
    let mut pending: Vec<&[Stmt]> = vec![body];
    while let Some(stmts) = pending.pop() {
        for stmt in stmts {
            if let Some(f) = FnDef::from_stmt(stmt) {
                out.push(f);
            } else if matches!(stmt, Stmt::If(_) | Stmt::Try(_) | Stmt::With(_)) {
                child_bodies(stmt, &mut |b| pending.push(b));
            }
        }
    }
    out.sort_by_key(|f| f.span.start);
    out
}

/// The string value of a string literal (implicitly concatenated parts joined).
pub fn str_const(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::StringLiteral(s) => Some(s.value.to_str()),
        _ => None,
    }
}

/// True for the constant `True`.
pub fn is_true(expr: &Expr) -> bool {
    matches!(expr, Expr::BooleanLiteral(b) if b.value)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The last name is [`dotted`]'s last, for every shape of expression a rule asks
    /// about: names, chains of attributes, and chains that do not start at a name.
    #[test]
    fn the_last_name_is_the_dotted_lists_last() -> Result<(), String> {
        for (source, last) in [
            ("mark_safe", Some("mark_safe")),
            ("html.mark_safe", Some("mark_safe")),
            ("django.utils.safestring.mark_safe", Some("mark_safe")),
            ("self.logger", Some("logger")),
            ("f().mark_safe", None),
            ("a[0].b.log", None),
            ("'x'.join", None),
            ("(a or b).c", None),
            ("42", None),
        ] {
            let parsed = ruff_python_parser::parse_expression(source).map_err(|e| e.to_string())?;
            let expr = parsed.expr();
            assert_eq!(dotted_last(expr), last, "{source}");
            assert_eq!(dotted(expr).and_then(|p| p.last().copied()), last, "{source}");
        }
        Ok(())
    }
}
