//! A bound on how deeply a Python file nests, taken from its tokens before it is
//! parsed, so that a file nested past what CPython itself accepts becomes an E001
//! finding instead of a stack overflow or a runaway allocation (in the parser, in the
//! walks over the AST, or in the AST's drop, all of which recurse once per level).
//! [`check`] first scans the bytes, following strings, f-string fields, comments and
//! continued lines to bound each logical line (a string's or comment's contents passed
//! over by `memchr`, code by a table of byte classes: on Django's source about a sixth
//! of the parse's time), which proves nearly every file far below every limit; only
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
/// need not be lexed (nearly every file). A file under [`SMALL`] is counted as a whole
/// first ([`below_limits_in_total`]: a third of the time per byte of [`byte_bounds`],
/// with no branch per byte); a larger one, or one that count does not clear, per
/// logical line ([`ByteBounds`]). Each bound counts more than the lexer would, never
/// less.
fn below_limits_by_count(source: &str) -> bool {
    (source.len() < SMALL && below_limits_in_total(source))
        || byte_bounds(source).is_some_and(|b| {
            b.lead < MAX_INDENT && b.brackets <= MAX_BRACKETS && b.tokens <= MAX_EXPRESSION_DEPTH
        })
}

/// The size under which a file is first counted as a whole, in bytes: 3,000 counted
/// tokens (the expression limit) take about 10–15 KB of ordinary code, so a larger file
/// almost never passes that count, and would be scanned twice.
const SMALL: usize = 8 * 1024;

/// Whether a count over all of `source`'s bytes together proves that it crosses no
/// limit (most files: a view of a few kilobytes). Each bound counts
/// more than the lexer would, never less:
/// - an indentation level needs one more leading blank byte on its line than the
///   level outside it, so levels are at most the longest run of leading blanks (a
///   `\` among them counting as one);
/// - nested brackets are at most the open brackets anywhere (strings included);
/// - an expression's depth grows by one per counted token (an operator's bytes
///   include one of `+-*/|&.%~^<>@:=`, an f-string start a quote, a keyword an ASCII
///   letter after a byte that is not one) and by two per bracket group.
fn below_limits_in_total(source: &str) -> bool {
    let b = source.as_bytes();
    if longest_leading_blanks(b) >= MAX_INDENT {
        return false;
    }
    let (mut opens, mut tokens, mut prev_letter) = (0usize, 0usize, false);
    for &c in b {
        let class = CLASS[c as usize];
        opens += usize::from(class & OPEN != 0);
        tokens += counted(class, &mut prev_letter);
    }
    opens <= MAX_BRACKETS && tokens <= MAX_EXPRESSION_DEPTH
}

/// What [`CLASS`] says of a byte: the tokens it counts on its own (bits 0–1: two for
/// an opening bracket, one for an operator byte or a quote).
const COUNTED: u8 = 0b11;
/// An opening bracket.
const OPEN: u8 = 1 << 2;
/// An ASCII letter or `_`: a keyword or name starts at one after a byte that is not.
const LETTER: u8 = 1 << 3;
/// A byte [`byte_bounds`] must look at in code (brackets, quotes, `#`, `\`, line
/// breaks, `:`); the others only count ([`COUNTED`], [`LETTER`]).
const SPECIAL: u8 = 1 << 4;

/// The tokens a byte of `class` counts: its own ([`COUNTED`]), and one more where a
/// letter follows a byte that is not one (`prev_letter`, then updated).
#[inline(always)]
fn counted(class: u8, prev_letter: &mut bool) -> usize {
    let letter = class & LETTER != 0;
    let starts = letter && !*prev_letter;
    *prev_letter = letter;
    usize::from(class & COUNTED) + usize::from(starts)
}

/// Each byte's class for the byte scans.
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = match b {
            b'(' | b'[' | b'{' => 2 | OPEN | SPECIAL,
            b')' | b']' | b'}' | b'#' | b'\\' | b'\n' | b'\r' => SPECIAL,
            b'"' | b'\'' | b':' => 1 | SPECIAL,
            b'+' | b'-' | b'*' | b'/' | b'|' | b'&' | b'.' | b'%' | b'~' | b'^' | b'<' | b'>' | b'@'
            | b'=' => 1,
            b'_' => LETTER,
            _ if b.is_ascii_alphabetic() => LETTER,
            _ => 0,
        };
        c += 1;
    }
    t
};

/// The longest run of leading blanks (spaces, tabs, form feeds, and `\`: one that
/// continues no line is skipped by the lexer, which then takes the blanks after it as
/// the line's indentation) on any line of `b`, lines ending at `\n` or `\r`.
fn longest_leading_blanks(b: &[u8]) -> usize {
    let lead = |start: usize| {
        b.get(start..)
            .unwrap_or_default()
            .iter()
            .take_while(|c| matches!(c, b' ' | b'\t' | b'\x0c' | b'\\'))
            .count()
    };
    memchr::memchr2_iter(b'\n', b'\r', b).fold(lead(0), |longest, at| longest.max(lead(at + 1)))
}

/// Upper bounds on what the lexer would find, from the bytes alone:
/// - `lead`: the longest run of leading blanks on any line (a `\` among them counting
///   as one). An indentation level needs one more leading blank than the level outside
///   it.
/// - `brackets`: the deepest nesting of brackets outside strings and comments, an
///   f-string's replacement field counting as one (the lexer's `{`).
/// - `tokens`: the most tokens counted in one logical line. A logical line ends at a
///   line break outside brackets, strings and comments, not after a `\` (the lexer's
///   `Newline`, where the depth guard starts again). An expression's depth grows by
///   one per counted token (an operator's bytes include one of `+-*/|&.%~^<>@:=`, a
///   string (or f-string) starts at a quote, a keyword with an ASCII letter after a byte
///   that is not one) and by two per bracket group. A string's contents are one token
///   (an f-string's replacement fields are code, counted as code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ByteBounds {
    lead: usize,
    brackets: usize,
    tokens: usize,
}

/// Where [`byte_bounds`] is inside a string.
#[derive(Debug, Clone, Copy)]
enum Ctx {
    /// A string's literal part: its quote byte, whether it is triple-quoted, whether it
    /// is an f-string or t-string (replacement fields).
    Str { quote: u8, triple: bool, fields: bool },
    /// A replacement field's expression, opened at bracket depth `base` (its own `{`
    /// is the level above).
    Field { base: usize },
    /// A replacement field's format spec (literal text with nested fields).
    Spec,
}

/// A bracket group opens (a bracket, or an f-string's replacement field): one level
/// deeper, and two counted tokens.
fn open_group(depth: &mut usize, max_depth: &mut usize, tokens: &mut usize) {
    *depth += 1;
    *max_depth = (*max_depth).max(*depth);
    *tokens += 2;
}

/// Whether `b` can be part of an identifier (ASCII letters, digits, `_`, and every
/// byte of a non-ASCII character).
fn ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// The string prefix (`r`, `b`, `f`, `rb`, `fr`, …) ending at `quote`: `Some(true)` for
/// an f-string or t-string, `Some(false)` for any other string, `None` when the letters
/// before the quote could be read either way (they hold an `f` or a `t` but are not a
/// whole prefix): the lexer decides then.
fn prefix_has_fields(b: &[u8], quote: usize) -> Option<bool> {
    let start = b[..quote]
        .iter()
        .rposition(|c| !c.is_ascii_alphabetic())
        .map_or(0, |p| p + 1);
    let run = &b[start..quote];
    if run.is_empty() {
        return Some(false);
    }
    let fields = run.iter().any(|c| matches!(c, b'f' | b'F' | b't' | b'T'));
    let whole = start == 0 || !ident_byte(b[start - 1]);
    let lower = |k: usize| run.get(k).map(u8::to_ascii_lowercase);
    let prefix = run.len() <= 2
        && matches!(
            (lower(0), lower(1)),
            (Some(b'r' | b'u' | b'b' | b'f' | b't'), None)
                | (Some(b'b'), Some(b'r'))
                | (Some(b'r'), Some(b'b' | b'f' | b't'))
                | (Some(b'f' | b't'), Some(b'r'))
        );
    if whole && prefix {
        Some(fields)
    } else if fields {
        None
    } else {
        // A name before a string (`x"a"`): a plain string either way.
        Some(false)
    }
}

/// The [`ByteBounds`] of `source`, or `None` when its bytes hold something this scan
/// does not follow as the lexer does (an unterminated string, a comment, a doubled
/// brace or a line break inside a replacement field's format spec, a lone `}` in an
/// f-string, letters before a quote that may or may not be a prefix).
fn byte_bounds(source: &str) -> Option<ByteBounds> {
    let b = source.as_bytes();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    // Leading blanks, over every line (a string's lines too: more, never fewer).
    let max_lead = longest_leading_blanks(b);
    let mut stack: Vec<Ctx> = Vec::new();
    let (mut depth, mut max_depth) = (0usize, 0usize);
    let (mut tokens, mut max_tokens) = (0usize, 0usize);
    let mut prev_letter = false;
    let mut i = 0;
    while i < b.len() {
        if depth > MAX_BRACKETS {
            // Past a limit: the lexer finds which, and where (and the stack of string
            // contexts stays bounded).
            return None;
        }
        let c = b[i];
        match stack.last().copied() {
            Some(Ctx::Str {
                quote,
                triple,
                fields,
            }) => {
                prev_letter = false;
                // The bytes that matter in a string: its quote, `\`, and a line break
                // (outside a triple-quoted one) or a brace (in an f-string or t-string).
                let stops = |c: u8| {
                    c == quote
                        || c == b'\\'
                        || (!triple && matches!(c, b'\n' | b'\r'))
                        || (fields && matches!(c, b'{' | b'}'))
                };
                if !stops(c) {
                    i += if triple && !fields {
                        memchr::memchr2(quote, b'\\', &b[i..]).unwrap_or(b.len() - i)
                    } else {
                        b[i..].iter().position(|&c| stops(c)).unwrap_or(b.len() - i)
                    };
                    continue;
                }
                match c {
                    // In an f-string a `\` does not escape a brace (`\{` opens a field),
                    // and `\N{…}` names a character unless the string is raw.
                    b'\\' if fields && matches!(at(i + 1), b'{' | b'}' | b'N') => return None,
                    b'\\' => i += 2,
                    b'\n' | b'\r' if !triple => return None,
                    _ if c == quote && (!triple || (at(i + 1) == quote && at(i + 2) == quote)) => {
                        stack.pop();
                        i += if triple { 3 } else { 1 };
                    }
                    b'{' | b'}' if fields && at(i + 1) == c => i += 2,
                    b'{' if fields => {
                        stack.push(Ctx::Field { base: depth });
                        open_group(&mut depth, &mut max_depth, &mut tokens);
                        i += 1;
                    }
                    b'}' if fields => return None,
                    _ => i += 1,
                }
            }
            Some(Ctx::Spec) => {
                prev_letter = false;
                match c {
                    b'{' if at(i + 1) == b'{' => return None,
                    b'{' => {
                        stack.push(Ctx::Field { base: depth });
                        open_group(&mut depth, &mut max_depth, &mut tokens);
                        i += 1;
                    }
                    b'}' => {
                        // The field this spec belongs to closes.
                        stack.pop();
                        if !matches!(stack.pop(), Some(Ctx::Field { .. })) {
                            return None;
                        }
                        depth = depth.saturating_sub(1);
                        i += 1;
                    }
                    b'\\' => i += 2,
                    b'\n' | b'\r' | b'\'' | b'"' => return None,
                    _ => i += 1,
                }
            }
            code @ (None | Some(Ctx::Field { .. })) => {
                let field = match code {
                    Some(Ctx::Field { base }) => Some(base),
                    _ => None,
                };
                if CLASS[c as usize] & SPECIAL == 0 {
                    // Names, numbers, blanks and operators only count: a run of them
                    // at once.
                    for &c in &b[i..] {
                        let class = CLASS[c as usize];
                        if class & SPECIAL != 0 {
                            break;
                        }
                        tokens += counted(class, &mut prev_letter);
                        i += 1;
                    }
                    continue;
                }
                // A byte that matters here ([`SPECIAL`]): never a letter.
                match c {
                    b'#' if field.is_some() => return None,
                    b'#' => {
                        i += memchr::memchr2(b'\n', b'\r', &b[i..]).unwrap_or(b.len() - i);
                        prev_letter = false;
                        continue;
                    }
                    b'\\' => {
                        // A line continued: its break ends no logical line.
                        i += match (at(i + 1), at(i + 2)) {
                            (b'\r', b'\n') => 3,
                            (b'\n' | b'\r', _) => 2,
                            _ => 1,
                        };
                        prev_letter = false;
                        continue;
                    }
                    b'\n' | b'\r' if stack.is_empty() && depth == 0 => {
                        max_tokens = max_tokens.max(tokens);
                        tokens = 0;
                    }
                    b'\'' | b'"' => {
                        let fields = prefix_has_fields(b, i)?;
                        let triple = at(i + 1) == c && at(i + 2) == c;
                        stack.push(Ctx::Str {
                            quote: c,
                            triple,
                            fields,
                        });
                        tokens += 1;
                        i += if triple { 3 } else { 1 };
                        prev_letter = false;
                        continue;
                    }
                    b'(' | b'[' | b'{' => open_group(&mut depth, &mut max_depth, &mut tokens),
                    b')' | b']' | b'}' => match field {
                        Some(base) if depth == base + 1 => {
                            // The replacement field closes (a `)` or `]` here would
                            // close it in the lexer's error recovery: not followed).
                            if c != b'}' {
                                return None;
                            }
                            stack.pop();
                            depth = base;
                        }
                        _ => depth = depth.saturating_sub(1),
                    },
                    b':' if field.is_some_and(|base| depth == base + 1) => {
                        tokens += 1;
                        stack.push(Ctx::Spec);
                    }
                    b':' => tokens += 1,
                    _ => {}
                }
                prev_letter = false;
                i += 1;
            }
        }
    }
    if !stack.is_empty() {
        return None;
    }
    Some(ByteBounds {
        lead: max_lead,
        brackets: max_depth,
        tokens: max_tokens.max(tokens),
    })
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

    /// What a string or a comment holds is passed over whole (by `memchr` and a byte
    /// search, not byte by byte as code) and counts as one token: brackets, operators
    /// and keywords inside them add nothing, at any length, and the lines of every
    /// kind of break still bound the indentation.
    #[test]
    fn strings_and_comments_are_passed_over_whole() -> Result<(), String> {
        let noise = "((( not lambda -x [ ".repeat(500);
        let src = format!(
            "def f():\n    \"\"\"{noise}\n{noise}\"\"\"\n    # {noise}\n    x = '{noise}' + f\"{{y}}{noise}\"\r\x0c  \t z = (a)\n"
        );
        let b = byte_bounds(&src).ok_or("the scan follows this file")?;
        // The longest logical line counts `x = '…' + f"{y}…"`: x, =, the string, +, the
        // prefix's letter, the f-string, its field (two) and y.
        assert_eq!((b.lead, b.brackets, b.tokens), (5, 1, 9));
        assert_eq!(longest_leading_blanks(b"a\n  b\r   c\r\n\x0c\\\t d\n"), 4);
        assert_eq!(check(&src), None);
        Ok(())
    }

    /// What the lexer shows of `source`: the deepest indentation, bracket nesting and
    /// expression element the depth guard reaches (its own accounting, far below its
    /// limits on these inputs).
    fn lexed(source: &str) -> (usize, usize, usize) {
        let mut guard = DepthGuard::default();
        let (mut indent, mut groups, mut element) = (0, 0, 0);
        let mut tokens = lexer::lex(source, Mode::Module);
        loop {
            let kind = tokens.next_token();
            if kind == TokenKind::EndOfFile || guard.step(kind).is_err() {
                break;
            }
            indent = indent.max(guard.indent);
            groups = groups.max(guard.groups.len().saturating_sub(1));
            for g in &guard.groups {
                element = element.max(g.element()).max(g.deepest);
            }
        }
        (indent, groups, element)
    }

    /// Pieces of Python, and of what is not quite Python, that the byte scan must
    /// follow as the lexer does: strings of every kind, f-strings with fields, specs
    /// and nested quotes, comments, continuations, brackets and operators.
    #[rustfmt::skip]
    const PIECES: &[&str] = &[
        "a", "x", "_", "é", " ", "    ", "\t", "\n", "\r\n", "\r", "\\\n", "\\", "(", ")", "[",
        "]", "{", "}", "+", "-", ".", ":", "=", ",", ";", "#", "# (\n", "'", "\"", "'''",
        "\"\"\"", "f'", "f\"", "rf'", "F\"", "fr\"", "f'''", "t'", "rb'", "b\"", "x'", "xf'",
        "1f'", "{x}", "{x:>{w}}", "{x!r}", "{{", "}}", "not ", "lambda ", "if ", "else ", "!r",
        "\\'", "\\\"", "f'{\"a\"}'", "f\"{'''\n'''}\"", "u'", "\\N", "\\{", "{x=}", ":{", "!=",
        "rb\"", "Rf'", "tr'", "_f'", "\u{c}",
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]

        /// Wherever the byte scan gives bounds, they are at least what the lexer finds.
        #[test]
        fn the_byte_bounds_are_never_below_the_lexer(
            picks in proptest::collection::vec(0..PIECES.len(), 0..120)
        ) {
            let src: String = picks.iter().map(|&i| PIECES[i]).collect();
            if let Some(b) = byte_bounds(&src) {
                let (indent, groups, element) = lexed(&src);
                proptest::prop_assert!(b.lead >= indent, "indent {} > {}: {:?}", indent, b.lead, src);
                proptest::prop_assert!(b.brackets >= groups, "brackets {} > {}: {:?}", groups, b.brackets, src);
                proptest::prop_assert!(b.tokens >= element, "depth {} > {}: {:?}", element, b.tokens, src);
            }
        }
    }

    /// A large file of ordinary code passes on its bytes alone, one logical line at a
    /// time (before, every token of the file was counted together, and any file of more
    /// than 3,000 was lexed twice).
    #[test]
    fn a_large_ordinary_file_is_not_lexed_twice() {
        let unit = concat!(
            "class V(LiveView):\n",
            "    \"\"\"A view (with a docstring).\"\"\"\n\n",
            "    def mount(self, request, **kwargs):\n",
            "        self.items = [f\"{i:>4}\" for i in range(10) if i % 2]  # (\n",
            "        self.label = 'it\\'s' + \"a\\\"b\" + rf'\\d{{x}}'\n",
            "        return self.render(request, {\"a\": (1, 2), 'b': [3, {4: 5}]})\n\n",
        );
        let src = unit.repeat(400);
        assert!(src.len() > 60_000);
        assert!(
            !below_limits_in_total(&src),
            "the whole file's count alone is past the limit"
        );
        assert!(below_limits_by_count(&src));
        assert_eq!(check(&src), None);
    }

    /// Depth hidden from a byte scan behind what looks like a closing bracket or a line
    /// end (in a string, an f-string's field, a comment, a continued line) is still
    /// found: the scan follows them, or leaves the file to the lexer.
    #[test]
    fn depth_behind_strings_and_comments_is_still_found() {
        let n = MAX_EXPRESSION_DEPTH + 1;
        let chain = "a+\n".repeat(n);
        let hidden = [
            format!("f(')',\n{chain}a)\n"),
            format!("f(\"\"\"\n)\n\"\"\",\n{chain}a)\n"),
            format!("f(f\"{{')'}}\",\n{chain}a)\n"),
            format!("f(f'{{x:)}}',\n{chain}a)\n"),
            format!("f(  # )\n{chain}a)\n"),
            format!("x = {}a\n", "a+\\\n".repeat(n)),
            format!("f(r'\\')', \n{chain}a)\n"),
            format!("f(1f'{{\"a\"}}',\n{chain}a)\n"),
        ];
        for src in hidden {
            assert_eq!(check(&src), Some(TooDeep::Expression), "{}", &src[..30]);
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
                format!(
                    "x = {}1{}\n",
                    "f'{".repeat(MAX_BRACKETS + 1),
                    "}'".repeat(MAX_BRACKETS + 1)
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

    /// A `\` that continues no line is skipped by Ruff's lexer, which then takes the
    /// blanks after it as indentation (regression: the byte count took the `\` for the
    /// end of the leading blanks, so such lines indented past the limit went unseen).
    #[test]
    fn indentation_after_a_stray_backslash_is_counted() {
        let src: String = (1..=MAX_INDENT + 1)
            .map(|k| format!("\\{}y\n", " ".repeat(k)))
            .collect();
        assert!(!below_limits_by_count(&src));
        assert_eq!(check(&src), Some(TooDeep::Indentation));
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
