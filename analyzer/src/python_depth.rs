//! A bound on how deeply a Python file nests, taken from its tokens as they stream
//! into the parser, so that a file nested past what CPython itself accepts becomes an
//! E001 finding instead of a stack overflow (in the parser, in the walks over the
//! AST, or in the AST's drop, all of which recurse once per level).
//!
//! Three limits, each CPython's own:
//! - [`MAX_INDENT`] levels of indentation (CPython's tokenizer: "too many levels of
//!   indentation");
//! - [`MAX_BRACKETS`] nested brackets (its tokenizer: "too many nested parentheses");
//! - [`MAX_EXPRESSION_DEPTH`] for one expression (CPython 3.11's compiler raises
//!   `RecursionError` at about 3,000 levels: `a.b.b.b…`, `- - - x`, `1+1+1…`,
//!   `f()()()…`, `lambda: lambda: …`).
//!
//! The expression bound is an upper bound on the AST's depth computed without the
//! AST: within one bracket group, the elements between commas are separate
//! subtrees, so an element's depth is at most the number of operators in it
//! (binary, unary, `.`, calls, `not`, `lambda`, `if`/`else`, `:`, `=`, `await`, …)
//! plus the deepest bracket group inside it. `and`/`or` chains and comparison chains
//! are flat in Python's AST and do not count. A real file reaches none of these
//! limits; a generated or hostile one is stopped at the token that crosses one, so
//! the parser never builds a tree deeper than the limit.

use rustpython_parser::{StringKind, Tok};

/// CPython's limit on indentation levels (`MAXINDENT`: 99 levels parse, 100 do not).
pub const MAX_INDENT: usize = 100;
/// CPython's limit on nested brackets (`MAXLEVEL`: 200 parse, 201 do not).
pub const MAX_BRACKETS: usize = 200;
/// The largest expression depth the bound allows (CPython 3.11 refuses real depths
/// from about 3,000).
pub const MAX_EXPRESSION_DEPTH: usize = 3000;

/// Which limit a file crosses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TooDeep {
    /// [`MAX_INDENT`] levels of indentation or more.
    Indentation,
    /// More than [`MAX_BRACKETS`] nested brackets.
    Brackets,
    /// An expression deeper than [`MAX_EXPRESSION_DEPTH`].
    Expression,
}

impl TooDeep {
    /// The E001 message (Python's own wording where it has one).
    pub fn message(self) -> String {
        match self {
            TooDeep::Indentation => {
                format!("IndentationError: too many levels of indentation ({MAX_INDENT} or more)")
            }
            TooDeep::Brackets => {
                format!("SyntaxError: too many nested parentheses (more than {MAX_BRACKETS})")
            }
            TooDeep::Expression => format!(
                "RecursionError: expression nested more than {MAX_EXPRESSION_DEPTH} levels deep \
                 (CPython refuses to compile it too)"
            ),
        }
    }
}

/// One open bracket group (the outermost stands for the statement).
#[derive(Debug, Default, Clone, Copy)]
struct Group {
    /// Operators in the current element (since the group opened or the last comma).
    ops: usize,
    /// The deepest closed group inside the current element.
    child: usize,
    /// The deepest element of the group so far.
    deepest: usize,
}

impl Group {
    fn element(&self) -> usize {
        self.ops + self.child
    }
}

/// Watches a token stream; [`DepthGuard::accept`] turns false at the first token that
/// crosses a limit (and stays false).
#[derive(Debug)]
pub struct DepthGuard {
    indent: usize,
    groups: Vec<Group>,
    exceeded: Option<(TooDeep, usize)>,
}

impl Default for DepthGuard {
    fn default() -> Self {
        DepthGuard {
            indent: 0,
            groups: vec![Group::default()],
            exceeded: None,
        }
    }
}

impl DepthGuard {
    /// Account for `tok`, which starts at byte `start`. False when the stream must stop
    /// here: this token (or an earlier one) crosses a limit.
    pub fn accept(&mut self, tok: &Tok, start: usize) -> bool {
        if self.exceeded.is_some() {
            return false;
        }
        match self.step(tok) {
            Ok(()) => true,
            Err(kind) => {
                self.exceeded = Some((kind, start));
                false
            }
        }
    }

    /// The limit crossed and the byte offset of the token that crossed it.
    pub fn exceeded(&self) -> Option<(TooDeep, usize)> {
        self.exceeded
    }

    fn top(&mut self) -> &mut Group {
        if self.groups.is_empty() {
            self.groups.push(Group::default());
        }
        let n = self.groups.len();
        &mut self.groups[n - 1]
    }

    fn add_ops(&mut self, n: usize) -> Result<(), TooDeep> {
        let g = self.top();
        g.ops = g.ops.saturating_add(n);
        if g.element() > MAX_EXPRESSION_DEPTH {
            return Err(TooDeep::Expression);
        }
        Ok(())
    }

    fn step(&mut self, tok: &Tok) -> Result<(), TooDeep> {
        match tok {
            Tok::Indent => {
                self.indent += 1;
                if self.indent >= MAX_INDENT {
                    return Err(TooDeep::Indentation);
                }
            }
            Tok::Dedent => self.indent = self.indent.saturating_sub(1),
            Tok::Newline | Tok::Semi => {
                // A statement ends: only the outermost group can be open here.
                self.groups.truncate(1);
                self.groups[0] = Group::default();
            }
            Tok::Lpar | Tok::Lsqb | Tok::Lbrace => {
                // The group is a node (call, subscript, display) of the element.
                self.add_ops(1)?;
                if self.groups.len() > MAX_BRACKETS {
                    return Err(TooDeep::Brackets);
                }
                self.groups.push(Group::default());
            }
            Tok::Rpar | Tok::Rsqb | Tok::Rbrace if self.groups.len() > 1 => {
                if let Some(closed) = self.groups.pop() {
                    let depth = closed.deepest.max(closed.element()) + 1;
                    let g = self.top();
                    g.child = g.child.max(depth);
                    if g.element() > MAX_EXPRESSION_DEPTH {
                        return Err(TooDeep::Expression);
                    }
                }
            }
            Tok::Comma => {
                let g = self.top();
                g.deepest = g.deepest.max(g.element());
                g.ops = 0;
                g.child = 0;
            }
            Tok::String {
                value,
                kind: StringKind::FString | StringKind::RawFString,
                ..
            } => self.add_ops(fstring_depth(value))?,
            t if is_operator(t) => self.add_ops(1)?,
            _ => {}
        }
        Ok(())
    }
}

/// Tokens that can add a level to the AST: operators, `.`, and keywords that build a
/// node around what follows. `and`/`or` and comparisons build flat nodes.
fn is_operator(tok: &Tok) -> bool {
    matches!(
        tok,
        Tok::Plus
            | Tok::Minus
            | Tok::Star
            | Tok::Slash
            | Tok::Vbar
            | Tok::Amper
            | Tok::Dot
            | Tok::Percent
            | Tok::Tilde
            | Tok::CircumFlex
            | Tok::LeftShift
            | Tok::RightShift
            | Tok::DoubleStar
            | Tok::DoubleSlash
            | Tok::At
            | Tok::Colon
            | Tok::ColonEqual
            | Tok::Equal
            | Tok::Rarrow
            | Tok::Not
            | Tok::Lambda
            | Tok::If
            | Tok::Else
            | Tok::Await
            | Tok::Yield
            | Tok::For
    )
}

/// An upper bound on the depth of the expressions inside an f-string's replacement
/// fields (the lexer hands an f-string to the parser as one token): every operator
/// or bracket character inside `{…}` counts.
fn fstring_depth(text: &str) -> usize {
    let mut depth = 0usize;
    let mut field = 0usize;
    let mut open = 0usize;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if open == 0 && chars.peek() == Some(&'{') => {
                chars.next();
            }
            '{' => {
                open += 1;
                field += 1;
            }
            '}' if open > 0 => {
                open -= 1;
                if open == 0 {
                    depth = depth.max(field);
                    field = 0;
                }
            }
            _ if open > 0 && "+-*/%@&|^~<>=.:([!".contains(c) => field += 1,
            _ => {}
        }
    }
    depth.max(field)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustpython_parser::lexer::lex;
    use rustpython_parser::Mode;

    fn check(source: &str) -> Option<TooDeep> {
        let mut g = DepthGuard::default();
        for (tok, range) in lex(source, Mode::Module).flatten() {
            if !g.accept(&tok, usize::from(range.start())) {
                break;
            }
        }
        g.exceeded().map(|(k, _)| k)
    }

    #[test]
    fn real_code_is_far_from_the_limits() {
        let ok = [
            "x = {'a': -1, 'b': -2, 'c': [1, 2, (3, 4)]}\n".repeat(1000),
            "y = a.b.c(d).e + f.g.h(i).j - k[0][1] * -l ** 2\n".repeat(100),
            format!("z = {}\n", vec!["a or b and c < d"; 5000].join(" or ")),
            format!("data = [{}]\n", vec!["-1.5"; 50_000].join(", ")),
            "def f():\n    if x:\n        return [y for y in z if y if not y]\n".to_string(),
        ];
        for src in ok {
            assert_eq!(check(&src), None, "{}", &src[..60.min(src.len())]);
        }
    }

    #[test]
    fn each_kind_of_deep_nesting_is_stopped() {
        let n = MAX_EXPRESSION_DEPTH + 1;
        let deep = [
            (format!("x = a{}\n", ".b".repeat(n)), TooDeep::Expression),
            (format!("x = {}x\n", "-".repeat(n)), TooDeep::Expression),
            (format!("x = {}x\n", "not ".repeat(n)), TooDeep::Expression),
            (format!("x = {}x\n", "lambda: ".repeat(n)), TooDeep::Expression),
            (
                format!("x = {}\n", vec!["1"; n + 1].join("+")),
                TooDeep::Expression,
            ),
            (format!("x = f{}\n", "()".repeat(n)), TooDeep::Expression),
            (format!("x = a{}\n", "[0]".repeat(n)), TooDeep::Expression),
            (
                format!("x = {}c\n", "a if b else ".repeat(n)),
                TooDeep::Expression,
            ),
            (format!("x = f'{{a{}}}'\n", ".b".repeat(n)), TooDeep::Expression),
            (
                format!(
                    "x = {}{}\n",
                    "[".repeat(MAX_BRACKETS + 1),
                    "]".repeat(MAX_BRACKETS + 1)
                ),
                TooDeep::Brackets,
            ),
            (
                format!(
                    "x = {}{}\n",
                    "f(".repeat(MAX_BRACKETS + 1),
                    ")".repeat(MAX_BRACKETS + 1)
                ),
                TooDeep::Brackets,
            ),
            (
                (0..=MAX_INDENT)
                    .map(|i| format!("{}if x:\n", " ".repeat(i)))
                    .collect::<String>()
                    + &" ".repeat(MAX_INDENT + 1)
                    + "pass\n",
                TooDeep::Indentation,
            ),
            (
                (0..=MAX_INDENT)
                    .map(|i| format!("{}class A:\n", " ".repeat(i)))
                    .collect::<String>()
                    + &" ".repeat(MAX_INDENT + 1)
                    + "pass\n",
                TooDeep::Indentation,
            ),
        ];
        for (src, kind) in deep {
            assert_eq!(check(&src), Some(kind), "{}", &src[..40.min(src.len())]);
        }
    }

    #[test]
    fn just_under_the_limits_passes() {
        let n = MAX_EXPRESSION_DEPTH - 2;
        assert_eq!(check(&format!("x = a{}\n", ".b".repeat(n))), None);
        let b = MAX_BRACKETS;
        assert_eq!(check(&format!("x = {}{}\n", "[".repeat(b), "]".repeat(b))), None);
        let src: String = (0..MAX_INDENT - 1)
            .map(|i| format!("{}if x:\n", " ".repeat(i)))
            .collect::<String>()
            + &" ".repeat(MAX_INDENT - 1)
            + "pass\n";
        assert_eq!(check(&src), None);
    }
}
