//! Django template lexer with byte spans.
//!
//! Splits a template into text, variable (`{{ … }}`), block (`{% … %}`) and comment
//! (`{# … #}`) tokens the way Django 5.2 does (`django/template/base.py`, `Lexer`):
//!
//! * a tag opens with `{%`, `{{` or `{#` and closes at the **first** matching `%}`,
//!   `}}` or `#}` on the **same line** (Django's `tag_re` has no `DOTALL`); an opener
//!   with no closer on its line is plain text;
//! * inside `{% verbatim %}` … `{% endverbatim %}` (or a named `{% verbatim x %}` …
//!   `{% endverbatim x %}`), every tag except the matching end is text;
//! * a token's *content* is the text between the delimiters with surrounding
//!   whitespace removed (`str.strip()`).
//!
//! Every [`Token`] keeps the byte [`Span`] of the whole token and of its content, so
//! diagnostics can point at the exact bytes.

use crate::span::Span;

/// What kind of token Django produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// Literal text (including tags inside `{% verbatim %}`).
    Text,
    /// `{{ … }}`: a variable with optional filters.
    Variable,
    /// `{% … %}`: a block tag.
    Block,
    /// `{# … #}`: a one-line comment.
    Comment,
}

/// One lexed token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// The token kind.
    pub kind: TokenKind,
    /// Bytes of the whole token, delimiters included.
    pub span: Span,
    /// Bytes of the stripped content: for text tokens, the same as `span`.
    pub content: Span,
}

impl Token {
    /// The stripped content of this token in `source`.
    pub fn content<'a>(&self, source: &'a str) -> &'a str {
        self.content.slice(source)
    }

    /// For a block token, the tag name (first word of the content), e.g. `"extends"`.
    pub fn tag_name<'a>(&self, source: &'a str) -> &'a str {
        if self.kind != TokenKind::Block {
            return "";
        }
        self.content(source)
            .split(|c: char| c.is_whitespace())
            .next()
            .unwrap_or("")
    }

    /// The content split into bits as Django's `Token.split_contents()` does
    /// (`smart_split`: whitespace-separated, quoted strings kept whole, `_("…")`
    /// translation bits re-joined). Each bit is returned as its byte span.
    pub fn split_contents(&self, source: &str) -> Vec<Span> {
        split_contents(source, self.content)
    }
}

/// Django's `smart_split` followed by `split_contents`'s re-joining of `_("…")` bits,
/// over `within` in `source`. Returns byte spans of the bits.
pub fn split_contents(source: &str, within: Span) -> Vec<Span> {
    let bits = smart_split(source, within);
    let mut out: Vec<Span> = Vec::with_capacity(bits.len());
    let mut iter = bits.into_iter();
    while let Some(bit) = iter.next() {
        let text = bit.slice(source);
        if text.starts_with("_(\"") || text.starts_with("_('") {
            let quote = &text[2..3];
            let sentinel = format!("{quote})");
            let mut joined = bit;
            let mut last = text;
            while !last.ends_with(&sentinel) {
                match iter.next() {
                    Some(next) => {
                        joined.end = next.end;
                        last = next.slice(source);
                    }
                    None => break,
                }
            }
            out.push(joined);
        } else {
            out.push(bit);
        }
    }
    out
}

/// Django's `django.utils.text.smart_split` over `within`: split on whitespace,
/// keeping `"…"` and `'…'` (with backslash escapes) together with the non-space
/// characters around them. An unterminated quote ends the bit at the next space.
pub fn smart_split(source: &str, within: Span) -> Vec<Span> {
    let bytes = source.as_bytes();
    let end = within.end.min(bytes.len());
    let mut i = within.start;
    let mut out = Vec::new();
    let is_space = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c');
    while i < end {
        if is_space(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        // First alternative: [^\s'"]* ( quoted [^\s'"]* )+
        let mut j = i;
        let mut quoted_any = false;
        let mut ok = true;
        loop {
            while j < end && !is_space(bytes[j]) && bytes[j] != b'"' && bytes[j] != b'\'' {
                j += 1;
            }
            if j < end && (bytes[j] == b'"' || bytes[j] == b'\'') {
                let q = bytes[j];
                let mut k = j + 1;
                let mut closed = false;
                while k < end {
                    if bytes[k] == b'\\' {
                        k += 2;
                        continue;
                    }
                    if bytes[k] == q {
                        closed = true;
                        break;
                    }
                    k += 1;
                }
                if closed {
                    quoted_any = true;
                    j = k + 1;
                    continue;
                }
                ok = quoted_any;
                break;
            }
            break;
        }
        if ok && quoted_any {
            out.push(Span::new(start, j.min(end)));
            i = j.min(end);
        } else {
            // Second alternative: \S+
            let mut k = start;
            while k < end && !is_space(bytes[k]) {
                k += 1;
            }
            out.push(Span::new(start, k));
            i = k;
        }
    }
    out
}

/// Tokenize `source` exactly as Django's `Lexer.tokenize()` does.
///
/// Never fails: every byte of `source` belongs to exactly one token, in order.
pub fn tokenize(source: &str) -> Vec<Token> {
    let bytes = source.as_bytes();
    let mut tokens = Vec::new();
    let mut text_start = 0;
    let mut i = 0;
    // `Some(end)` while inside `{% verbatim %}`: the content that ends it.
    let mut verbatim: Option<String> = None;
    while i + 1 < bytes.len() {
        if bytes[i] != b'{' {
            i += 1;
            continue;
        }
        let (kind, close) = match bytes[i + 1] {
            b'%' => (TokenKind::Block, b'%'),
            b'{' => (TokenKind::Variable, b'}'),
            b'#' => (TokenKind::Comment, b'#'),
            _ => {
                i += 1;
                continue;
            }
        };
        // Find the first `<close>}` at or after i + 2, before any newline.
        let mut j = i + 2;
        let mut found = None;
        while j < bytes.len() {
            let b = bytes[j];
            if b == b'\n' {
                break;
            }
            if b == close && bytes.get(j + 1) == Some(&b'}') {
                found = Some(j + 2);
                break;
            }
            j += 1;
        }
        let Some(end) = found else {
            i += 1;
            continue;
        };
        let span = Span::new(i, end);
        let content = strip(source, Span::new(i + 2, end - 2));
        let kind = classify(source, kind, content, &mut verbatim);
        if kind == TokenKind::Text {
            // Inside verbatim: keep accumulating text.
            i = end;
            continue;
        }
        if text_start < i {
            tokens.push(text_token(text_start, i));
        }
        tokens.push(Token { kind, span, content });
        text_start = end;
        i = end;
    }
    if text_start < bytes.len() {
        tokens.push(text_token(text_start, bytes.len()));
    }
    tokens
}

fn text_token(start: usize, end: usize) -> Token {
    let span = Span::new(start, end);
    Token {
        kind: TokenKind::Text,
        span,
        content: span,
    }
}

/// Apply Django's verbatim rules to a tag-shaped token.
fn classify(source: &str, kind: TokenKind, content: Span, verbatim: &mut Option<String>) -> TokenKind {
    let text = content.slice(source);
    if kind == TokenKind::Block {
        if let Some(end) = verbatim.as_deref() {
            if text != end {
                return TokenKind::Text;
            }
            *verbatim = None;
        } else if text == "verbatim" || text.starts_with("verbatim ") {
            *verbatim = Some(format!("end{text}"));
        }
        return TokenKind::Block;
    }
    if verbatim.is_some() {
        TokenKind::Text
    } else {
        kind
    }
}

/// Python's `str.strip()` on a span (Unicode whitespace).
fn strip(source: &str, span: Span) -> Span {
    let text = span.slice(source);
    let trimmed_start = text.len() - text.trim_start().len();
    let trimmed = text.trim();
    Span::new(
        span.start + trimmed_start,
        span.start + trimmed_start + trimmed.len(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(TokenKind, &str)> {
        tokenize(src).iter().map(|t| (t.kind, t.content(src))).collect()
    }

    #[test]
    fn splits_the_four_kinds() {
        let src = "a {{ x|upper }} b {% if y %}c{% endif %}{# note #}";
        assert_eq!(
            kinds(src),
            vec![
                (TokenKind::Text, "a "),
                (TokenKind::Variable, "x|upper"),
                (TokenKind::Text, " b "),
                (TokenKind::Block, "if y"),
                (TokenKind::Text, "c"),
                (TokenKind::Block, "endif"),
                (TokenKind::Comment, "note"),
            ]
        );
    }

    #[test]
    fn tags_do_not_span_lines() {
        let src = "{% if\n x %}{{ a\n}}{# c\n #}";
        assert_eq!(kinds(src), vec![(TokenKind::Text, src)]);
    }

    #[test]
    fn first_closer_wins() {
        let src = "{{ a }}}";
        assert_eq!(
            kinds(src),
            vec![(TokenKind::Variable, "a"), (TokenKind::Text, "}")]
        );
        assert_eq!(kinds("{%%}"), vec![(TokenKind::Block, "")]);
        assert_eq!(kinds("{%}"), vec![(TokenKind::Text, "{%}")]);
    }

    #[test]
    fn verbatim_keeps_tags_as_text() {
        let src = "{% verbatim %}{{ a }}{% if %}{% endverbatim %}{{ b }}";
        assert_eq!(
            kinds(src),
            vec![
                (TokenKind::Block, "verbatim"),
                (TokenKind::Text, "{{ a }}{% if %}"),
                (TokenKind::Block, "endverbatim"),
                (TokenKind::Variable, "b"),
            ]
        );
        let named = "{% verbatim x %}{% endverbatim %}{% endverbatim x %}";
        assert_eq!(
            kinds(named),
            vec![
                (TokenKind::Block, "verbatim x"),
                (TokenKind::Text, "{% endverbatim %}"),
                (TokenKind::Block, "endverbatim x"),
            ]
        );
    }

    #[test]
    fn spans_cover_every_byte_in_order() {
        let src = "é{{ ü }}x{% y %}\n{# z";
        let toks = tokenize(src);
        let mut at = 0;
        for t in &toks {
            assert_eq!(t.span.start, at);
            at = t.span.end;
        }
        assert_eq!(at, src.len());
    }

    #[test]
    fn split_contents_matches_django() {
        let src = r#"{% include "a b.html" with x='1 2' y=z|f:"q r" only %}"#;
        let tok = tokenize(src)[0];
        let bits: Vec<&str> = tok.split_contents(src).iter().map(|s| s.slice(src)).collect();
        assert_eq!(
            bits,
            vec![
                "include",
                "\"a b.html\"",
                "with",
                "x='1 2'",
                "y=z|f:\"q r\"",
                "only"
            ]
        );
        let src = r#"{% trans _("a b") x "unterminated %}"#;
        let tok = tokenize(src)[0];
        let bits: Vec<&str> = tok.split_contents(src).iter().map(|s| s.slice(src)).collect();
        assert_eq!(bits, vec!["trans", "_(\"a b\")", "x", "\"unterminated"]);
    }
}
