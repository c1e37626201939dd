//! Small helpers over rustpython's AST shared by the Python rules.

use djust_runtime::Span;
use rustpython_parser::ast::{self, Expr, Ranged, Stmt};

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

/// A function or async function definition, viewed the same way.
#[derive(Clone, Copy)]
pub struct FnDef<'a> {
    /// The function's name.
    pub name: &'a str,
    /// Its parameters.
    pub args: &'a ast::Arguments,
    /// Its body.
    pub body: &'a [Stmt],
    /// Its decorators, outermost first.
    pub decorators: &'a [Expr],
    /// Span of the whole statement (decorators included).
    pub span: Span,
    /// `async def`?
    pub is_async: bool,
}

impl<'a> FnDef<'a> {
    /// View `stmt` as a function definition, if it is one.
    pub fn from_stmt(stmt: &'a Stmt) -> Option<FnDef<'a>> {
        match stmt {
            Stmt::FunctionDef(f) => Some(FnDef {
                name: f.name.as_str(),
                args: &f.args,
                body: &f.body,
                decorators: &f.decorator_list,
                span: span_of(f),
                is_async: false,
            }),
            Stmt::AsyncFunctionDef(f) => Some(FnDef {
                name: f.name.as_str(),
                args: &f.args,
                body: &f.body,
                decorators: &f.decorator_list,
                span: span_of(f),
                is_async: true,
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
            .map(|a| a.def.arg.as_str())
    }

    /// Byte span of the function's name: found after `def` past the decorators.
    pub fn name_span(&self, source: &str) -> Span {
        let from = self
            .decorators
            .last()
            .map(|d| span_of(d).end)
            .unwrap_or(self.span.start);
        let text = Span::new(from, self.span.end).slice(source);
        let mut search = 0;
        while let Some(pos) = text[search..].find("def") {
            let at = search + pos;
            let after = &text[at + 3..];
            let trimmed = after.trim_start();
            let gap = after.len() - trimmed.len();
            let before_ok = at == 0 || !is_ident_byte(text.as_bytes()[at - 1]);
            if before_ok && gap > 0 && trimmed.starts_with(self.name) {
                let start = from + at + 3 + gap;
                return Span::new(start, start + self.name.len());
            }
            search = at + 3;
        }
        Span::new(self.span.start, self.span.start)
    }
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Call `f` on every statement list nested directly in `stmt` (bodies of compound
/// statements, including function and class bodies).
pub fn child_bodies<'a>(stmt: &'a Stmt, f: &mut dyn FnMut(&'a [Stmt])) {
    match stmt {
        Stmt::FunctionDef(s) => f(&s.body),
        Stmt::AsyncFunctionDef(s) => f(&s.body),
        Stmt::ClassDef(s) => f(&s.body),
        Stmt::If(s) => {
            f(&s.body);
            f(&s.orelse);
        }
        Stmt::For(s) => {
            f(&s.body);
            f(&s.orelse);
        }
        Stmt::AsyncFor(s) => {
            f(&s.body);
            f(&s.orelse);
        }
        Stmt::While(s) => {
            f(&s.body);
            f(&s.orelse);
        }
        Stmt::With(s) => f(&s.body),
        Stmt::AsyncWith(s) => f(&s.body),
        Stmt::Try(s) => {
            f(&s.body);
            for h in &s.handlers {
                let ast::ExceptHandler::ExceptHandler(h) = h;
                f(&h.body);
            }
            f(&s.orelse);
            f(&s.finalbody);
        }
        Stmt::TryStar(s) => {
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

/// The string value of a constant string expression.
pub fn str_const(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Constant(c) => match &c.value {
            ast::Constant::Str(s) => Some(s.as_str()),
            _ => None,
        },
        _ => None,
    }
}

/// True for the constant `True`.
pub fn is_true(expr: &Expr) -> bool {
    matches!(expr, Expr::Constant(c) if matches!(c.value, ast::Constant::Bool(true)))
}
