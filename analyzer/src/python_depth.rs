//! A bound on how deeply a Python file nests, taken from its tokens before it is
//! parsed, so that a file nested past what CPython itself accepts becomes an E001
//! finding instead of a stack overflow or a runaway allocation (in the parser, in the
//! walks over the AST, or in the AST's drop, all of which recurse once per level).
//! [`check`] first counts bytes, which proves most files far below every limit; only
//! the others are lexed (Ruff's lexer, about a fifth of the parse's time), and nothing
//! is parsed.
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
//! limits; a generated or hostile one is never parsed.

use ruff_python_ast::token::TokenKind;
use ruff_python_parser::{lexer, Mode};

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
    exceeded: Option<TooDeep>,
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

/// The limit `source` crosses and the byte offset of (about) the token that crosses
/// it, or `None` for a file CPython's limits accept. Lexes once; only a file that
/// crosses a limit is lexed again, to locate the token (a bisection over prefixes).
pub fn check(source: &str) -> Option<(TooDeep, usize)> {
    if below_limits_by_count(source) {
        return None;
    }
    let kind = crossed(source)?;
    // The shortest prefix that crosses it ends within the crossing token.
    let (mut lo, mut hi) = (0usize, source.len());
    while lo < hi {
        let mid = floor_char_boundary(source, lo + (hi - lo) / 2);
        if mid <= lo {
            break;
        }
        if crossed(&source[..mid]).is_some() {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    let mut at = source[..hi]
        .char_indices()
        .next_back()
        .map(|(i, _)| i)
        .unwrap_or(0);
    // A keyword or name crosses only once whole: report where it starts (`not`, not `t`).
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let bytes = source.as_bytes();
    while at > 0 && word(bytes[at]) && word(bytes[at - 1]) {
        at -= 1;
    }
    Some((kind, at))
}

/// Whether a count over the bytes alone proves that `source` crosses no limit, so it
/// need not be lexed (most files: a view of a few kilobytes). Each bound counts
/// more than the lexer would, never less:
/// - an indentation level needs one more leading blank byte on its line than the
///   level outside it, so levels are at most the longest run of leading blanks;
/// - nested brackets are at most the open brackets anywhere (strings included);
/// - an expression's depth grows by one per counted token (an operator's bytes
///   include one of `+-*/|&.%~^<>@:=`, an f-string start a quote, a keyword an ASCII
///   letter after a byte that is not one) and by two per bracket group.
fn below_limits_by_count(source: &str) -> bool {
    let (mut opens, mut tokens, mut lead, mut max_lead) = (0usize, 0usize, 0usize, 0usize);
    let (mut line_start, mut prev_letter) = (true, false);
    for &c in source.as_bytes() {
        match c {
            b'\n' | b'\r' => {
                line_start = true;
                lead = 0;
            }
            b' ' | b'\t' | b'\x0c' if line_start => {
                lead += 1;
                max_lead = max_lead.max(lead);
            }
            _ => line_start = false,
        }
        let letter = c.is_ascii_alphabetic() || c == b'_';
        match c {
            b'(' | b'[' | b'{' => {
                opens += 1;
                tokens += 2;
            }
            b'+' | b'-' | b'*' | b'/' | b'|' | b'&' | b'.' | b'%' | b'~' | b'^' | b'<' | b'>' | b'@'
            | b':' | b'=' | b'"' | b'\'' => tokens += 1,
            _ if letter && !prev_letter => tokens += 1,
            _ => {}
        }
        prev_letter = letter;
    }
    max_lead < MAX_INDENT && opens <= MAX_BRACKETS && tokens <= MAX_EXPRESSION_DEPTH
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The first limit the tokens of `source` cross.
fn crossed(source: &str) -> Option<TooDeep> {
    let mut guard = DepthGuard::default();
    let mut tokens = lexer::lex(source, Mode::Module);
    loop {
        let kind = tokens.next_token();
        if kind == TokenKind::EndOfFile {
            return None;
        }
        if !guard.accept(kind) {
            return guard.exceeded;
        }
    }
}

impl DepthGuard {
    /// Account for the next token. False when the stream must stop here: this token
    /// (or an earlier one) crosses a limit.
    pub fn accept(&mut self, tok: TokenKind) -> bool {
        if self.exceeded.is_some() {
            return false;
        }
        match self.step(tok) {
            Ok(()) => true,
            Err(kind) => {
                self.exceeded = Some(kind);
                false
            }
        }
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

    fn step(&mut self, tok: TokenKind) -> Result<(), TooDeep> {
        match tok {
            TokenKind::Indent => {
                self.indent += 1;
                if self.indent >= MAX_INDENT {
                    return Err(TooDeep::Indentation);
                }
            }
            TokenKind::Dedent => self.indent = self.indent.saturating_sub(1),
            TokenKind::Newline | TokenKind::Semi => {
                // A statement ends: only the outermost group can be open here.
                self.groups.truncate(1);
                self.groups[0] = Group::default();
            }
            TokenKind::Lpar | TokenKind::Lsqb | TokenKind::Lbrace => {
                // The group is a node (call, subscript, display) of the element.
                self.add_ops(1)?;
                if self.groups.len() > MAX_BRACKETS {
                    return Err(TooDeep::Brackets);
                }
                self.groups.push(Group::default());
            }
            TokenKind::Rpar | TokenKind::Rsqb | TokenKind::Rbrace if self.groups.len() > 1 => {
                if let Some(closed) = self.groups.pop() {
                    let depth = closed.deepest.max(closed.element()) + 1;
                    let g = self.top();
                    g.child = g.child.max(depth);
                    if g.element() > MAX_EXPRESSION_DEPTH {
                        return Err(TooDeep::Expression);
                    }
                }
            }
            TokenKind::Comma => {
                let g = self.top();
                g.deepest = g.deepest.max(g.element());
                g.ops = 0;
                g.child = 0;
            }
            // An f-string is a node around its replacement fields, whose expressions
            // arrive as ordinary tokens between `{` and `}`.
            TokenKind::FStringStart | TokenKind::TStringStart => self.add_ops(1)?,
            t if is_operator(t) => self.add_ops(1)?,
            _ => {}
        }
        Ok(())
    }
}

/// Tokens that can add a level to the AST: operators, `.`, and keywords that build a
/// node around what follows. `and`/`or` and comparisons build flat nodes.
fn is_operator(tok: TokenKind) -> bool {
    matches!(
        tok,
        TokenKind::Plus
            | TokenKind::Minus
            | TokenKind::Star
            | TokenKind::Slash
            | TokenKind::Vbar
            | TokenKind::Amper
            | TokenKind::Dot
            | TokenKind::Percent
            | TokenKind::Tilde
            | TokenKind::CircumFlex
            | TokenKind::LeftShift
            | TokenKind::RightShift
            | TokenKind::DoubleStar
            | TokenKind::DoubleSlash
            | TokenKind::At
            | TokenKind::Colon
            | TokenKind::ColonEqual
            | TokenKind::Equal
            | TokenKind::Rarrow
            | TokenKind::Not
            | TokenKind::Lambda
            | TokenKind::If
            | TokenKind::Else
            | TokenKind::Await
            | TokenKind::Yield
            | TokenKind::For
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(source: &str) -> Option<TooDeep> {
        super::check(source).map(|(k, _)| k)
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

    /// The byte count only ever skips files the lexer accepts: at sizes around each
    /// bound, wherever the count says "below", the lexing check agrees.
    #[test]
    fn the_byte_count_never_hides_a_crossing() {
        let mut shapes = Vec::new();
        for n in [
            90, 99, 100, 101, 199, 200, 201, 1400, 1499, 1500, 2999, 3000, 3001,
        ] {
            shapes.push(format!("x = a{}\n", ".b".repeat(n)));
            shapes.push(format!("x = {}1\n", "-".repeat(n)));
            shapes.push(format!("x = {}y\n", "not ".repeat(n)));
            shapes.push(format!("x = {}{}\n", "(".repeat(n), ")".repeat(n)));
            shapes.push(format!("x = {}{}\n", "f(".repeat(n), ")".repeat(n)));
            shapes.push(format!("x = {}c\n", "a if b else ".repeat(n)));
            shapes.push(format!("x = f'{{{}}}'\n", "(".repeat(n) + &")".repeat(n)));
            shapes.push((0..n).map(|i| format!("{}if x:\n", " ".repeat(i))).collect());
            shapes.push((0..n).map(|i| format!("{}if x:\n", "\t".repeat(i))).collect());
        }
        for src in &shapes {
            if below_limits_by_count(src) {
                assert_eq!(crossed(src), None, "{}", &src[..60.min(src.len())]);
            }
        }
        assert!(below_limits_by_count(&"x = {'a': -1, 'b': [1, 2]}\n".repeat(20)));
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
    fn the_crossing_token_is_located() {
        let src = format!(
            "ok = 1\nx = {}1{}\n",
            "(".repeat(MAX_BRACKETS + 5),
            ")".repeat(MAX_BRACKETS + 5)
        );
        let (kind, at) = super::check(&src).unwrap_or((TooDeep::Indentation, 0));
        assert_eq!(kind, TooDeep::Brackets);
        // The 201st bracket.
        assert_eq!(at, "ok = 1\nx = ".len() + MAX_BRACKETS);
        // A keyword: where it starts.
        let src = format!("x = {}y\n", "not ".repeat(MAX_EXPRESSION_DEPTH + 5));
        let (_, at) = super::check(&src).unwrap_or((TooDeep::Indentation, 0));
        assert_eq!(&src[at..at + 4], "not ", "{at}");
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
