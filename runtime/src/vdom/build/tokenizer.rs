//! The HTML standard's tokenizer, for what the builder models: tags with their attributes, raw text and escapable raw text ends, and character references (the standard's named table, from html5ever).

use super::*;

/// The tokenizer state between tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tok {
    Data,
    /// Raw text up to `</name` (`script`, `style`).
    Raw(&'static str),
    /// Escapable raw text up to `</name` (`textarea`, `title`).
    RcData(&'static str),
}

pub(super) enum Token<'a> {
    Start {
        name: CompactString,
        attrs: Vec<(CompactString, CompactString)>,
        self_closing: bool,
    },
    End(Cow<'a, str>),
    Comment(&'a str),
    Doctype,
    /// A `<` that does not start a tag: the text `<`.
    Lt,
}

pub(super) fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

// ---- tokenizer helpers -----------------------------------------------------------

pub(super) fn is_tag_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\x0c')
}

/// The end of raw text starting at `pos`: the next `</name` (any case) followed by a
/// space, `/` or `>`. `None`: not found yet (more input may complete it).
pub(super) fn raw_end(b: &[u8], pos: usize, name: &str, fin: bool) -> Option<usize> {
    let n = name.len();
    let mut i = pos;
    while let Some(k) = b[i..].windows(2).position(|w| w == b"</") {
        let at = i + k;
        let after = at + 2 + n;
        if after >= b.len() {
            // The candidate is cut off by the end of the input so far.
            return fin.then_some(b.len());
        }
        if b[at + 2..after].eq_ignore_ascii_case(name.as_bytes())
            && (is_tag_space(b[after]) || b[after] == b'/' || b[after] == b'>')
        {
            return Some(at);
        }
        i = at + 2;
    }
    fin.then_some(b.len())
}

pub(super) fn lower(s: &str) -> CompactString {
    let mut out = CompactString::from(s);
    if s.bytes().any(|c| c.is_ascii_uppercase()) {
        out.make_ascii_lowercase();
    }
    out
}

/// Whether `s` holds a NUL or a carriage return (which the builder leaves to html5ever).
pub(super) fn has_nul_or_cr(s: &str) -> bool {
    s.bytes().any(|c| c == b'\0' || c == b'\r')
}

/// Tokenize the markup starting with `<` at `start`. `Ok(None)`: the token is not
/// complete in the input so far.
pub(super) fn tag<'a>(
    src: &'a str,
    start: usize,
    fin: bool,
    buf: &mut Vec<(CompactString, CompactString)>,
) -> R<Option<(Token<'a>, usize)>> {
    let b = src.as_bytes();
    let more = |what: &'static str| {
        if fin {
            Err(unsupported(start, what))
        } else {
            Ok(None)
        }
    };
    let Some(&c) = b.get(start + 1) else {
        // A lone `<` at the end: text when the input is complete.
        return if fin {
            Err(unsupported(start, "'<' at end of input"))
        } else {
            Ok(None)
        };
    };
    if c == b'!' {
        let rest = &b[start..];
        if rest.starts_with(b"<!--") {
            let body = start + 4;
            let Some(k) = b[body..].windows(3).position(|w| w == b"-->") else {
                return more("unterminated comment");
            };
            let text = &src[body..body + k];
            if text.starts_with('>')
                || text.starts_with("->")
                || text.ends_with('-')
                || text.contains("--!>")
                || has_nul_or_cr(text)
            {
                return Err(unsupported(start, "malformed comment"));
            }
            return Ok(Some((Token::Comment(text), body + k + 3)));
        }
        if rest.len() >= 9 && rest[..9].eq_ignore_ascii_case(b"<!doctype") {
            let Some(k) = b[start..].iter().position(|&c| c == b'>') else {
                return more("unterminated doctype");
            };
            let inner = &src[start + 9..start + k];
            if inner
                .trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\x0c'))
                .eq_ignore_ascii_case("html")
                && inner.starts_with([' ', '\t', '\n', '\x0c'])
            {
                return Ok(Some((Token::Doctype, start + k + 1)));
            }
            return Err(unsupported(start, "doctype other than <!DOCTYPE html>"));
        }
        let could_be = |p: &[u8]| rest.len() < p.len() && p[..rest.len()].eq_ignore_ascii_case(rest);
        if !fin && (could_be(b"<!--") || could_be(b"<!doctype")) {
            return Ok(None);
        }
        return Err(unsupported(start, "bogus comment or CDATA"));
    }
    let (end_tag, name_start) = if c == b'/' {
        match b.get(start + 2) {
            None => return more("'</' at end of input"),
            Some(c) if c.is_ascii_alphabetic() => (true, start + 2),
            Some(_) => return Err(unsupported(start, "'</' not followed by a tag name")),
        }
    } else if c.is_ascii_alphabetic() {
        (false, start + 1)
    } else if c == b'?' {
        return Err(unsupported(start, "processing instruction"));
    } else {
        // `<` not starting a tag is text.
        return Ok(Some((Token::Lt, start + 1)));
    };
    let Some(k) = b[name_start..]
        .iter()
        .position(|&c| is_tag_space(c) || matches!(c, b'/' | b'>' | b'\0' | b'\r'))
    else {
        return more("unterminated tag");
    };
    let name_end = name_start + k;
    if matches!(b[name_end], b'\0' | b'\r') {
        return Err(unsupported(name_end, "NUL or carriage return in a tag"));
    }
    let raw_name = &src[name_start..name_end];
    let mut i = name_end;
    let mut attrs = std::mem::take(buf);
    attrs.clear();
    let mut self_closing = false;
    loop {
        while i < b.len() && is_tag_space(b[i]) {
            i += 1;
        }
        let Some(&c) = b.get(i) else {
            return more("unterminated tag");
        };
        match c {
            b'>' => {
                i += 1;
                break;
            }
            b'/' => match b.get(i + 1) {
                Some(b'>') => {
                    self_closing = true;
                    i += 2;
                    break;
                }
                None => return more("unterminated tag"),
                Some(_) => i += 1,
            },
            b'=' | b'"' | b'\'' | b'<' | b'\0' | b'\r' => {
                return Err(unsupported(i, "malformed attribute name"));
            }
            _ => {
                let n0 = i;
                while i < b.len() && !is_tag_space(b[i]) && !matches!(b[i], b'/' | b'>' | b'=') {
                    if matches!(b[i], b'"' | b'\'' | b'<' | b'\0' | b'\r') {
                        return Err(unsupported(i, "malformed attribute name"));
                    }
                    i += 1;
                }
                if i >= b.len() {
                    return more("unterminated tag");
                }
                let attr = lower(&src[n0..i]);
                while i < b.len() && is_tag_space(b[i]) {
                    i += 1;
                }
                let mut value = Cow::Borrowed("");
                if b.get(i) == Some(&b'=') {
                    i += 1;
                    while i < b.len() && is_tag_space(b[i]) {
                        i += 1;
                    }
                    match b.get(i) {
                        None => return more("unterminated tag"),
                        Some(&q @ (b'"' | b'\'')) => {
                            let Some(k) = b[i + 1..].iter().position(|&c| c == q) else {
                                return more("unterminated attribute value");
                            };
                            let raw = &src[i + 1..i + 1 + k];
                            if has_nul_or_cr(raw) {
                                return Err(unsupported(i, "NUL or carriage return in an attribute"));
                            }
                            value = decode(raw, true, i)?;
                            i += k + 2;
                        }
                        Some(b'>') => {}
                        Some(_) => {
                            let v0 = i;
                            while i < b.len() && !is_tag_space(b[i]) && b[i] != b'>' {
                                if matches!(b[i], b'\0' | b'\r') {
                                    return Err(unsupported(i, "NUL or carriage return in an attribute"));
                                }
                                i += 1;
                            }
                            if i >= b.len() {
                                return more("unterminated tag");
                            }
                            value = decode(&src[v0..i], true, v0)?;
                        }
                    }
                }
                // A duplicate keeps its first value; a written dj-id is ignored.
                if attr != "dj-id" && !attrs.iter().any(|(k, _)| *k == attr) {
                    attrs.push((attr, CompactString::from(value)));
                }
            }
        }
    }
    if end_tag {
        if !attrs.is_empty() || self_closing {
            return Err(unsupported(start, "end tag with attributes"));
        }
        let name = if raw_name.bytes().any(|c| c.is_ascii_uppercase()) {
            Cow::Owned(raw_name.to_ascii_lowercase())
        } else {
            Cow::Borrowed(raw_name)
        };
        return Ok(Some((Token::End(name), i)));
    }
    Ok(Some((
        Token::Start {
            name: lower(raw_name),
            attrs,
            self_closing,
        },
        i,
    )))
}

/// Decode the character references of `raw` (`in_attr`: an attribute value).
pub(super) fn decode(raw: &str, in_attr: bool, at: usize) -> R<Cow<'_, str>> {
    if !raw.contains('&') {
        return Ok(Cow::Borrowed(raw));
    }
    let mut out = String::with_capacity(raw.len());
    let mut i = 0;
    while let Some(k) = raw[i..].find('&') {
        out.push_str(&raw[i..i + k]);
        let amp = i + k;
        match charref(raw, amp, in_attr, true)? {
            Some((text, end)) => {
                out.push_str(&text);
                i = end;
            }
            None => return Err(unsupported(at + amp, "character reference")),
        }
    }
    out.push_str(&raw[i..]);
    Ok(Cow::Owned(out))
}

/// The character reference at `amp` (`&`): its text and where it ends. `Ok(None)`:
/// not complete in the input so far.
pub(super) fn charref(
    src: &str,
    amp: usize,
    in_attr: bool,
    fin: bool,
) -> R<Option<(Cow<'static, str>, usize)>> {
    let b = src.as_bytes();
    let i = amp + 1;
    let literal = Ok(Some((Cow::Borrowed("&"), i)));
    match b.get(i) {
        None if fin => literal,
        None => Ok(None),
        Some(b'#') => {
            let (start, radix) = match b.get(i + 1) {
                Some(b'x' | b'X') => (i + 2, 16),
                None if !fin => return Ok(None),
                _ => (i + 1, 10),
            };
            let digits = b[start.min(b.len())..]
                .iter()
                .take_while(|c| {
                    if radix == 16 {
                        c.is_ascii_hexdigit()
                    } else {
                        c.is_ascii_digit()
                    }
                })
                .count();
            let end = start + digits;
            if end >= b.len() && !fin {
                return Ok(None);
            }
            if digits == 0 {
                return literal;
            }
            let n = src[start..end].chars().try_fold(0u32, |acc, c| {
                let d = c.to_digit(radix)?;
                Some(acc.saturating_mul(radix).saturating_add(d))
            });
            let n = n.unwrap_or(u32::MAX);
            let end = if b.get(end) == Some(&b';') { end + 1 } else { end };
            let c = match n {
                0 | 0xd800..=0xdfff | 0x11_0000.. => '\u{fffd}',
                0x80..=0x9f => html5ever::data::C1_REPLACEMENTS[(n - 0x80) as usize]
                    .or(char::from_u32(n))
                    .unwrap_or('\u{fffd}'),
                _ => char::from_u32(n).unwrap_or('\u{fffd}'),
            };
            Ok(Some((
                ascii_str(c).map_or_else(|| Cow::Owned(c.to_string()), Cow::Borrowed),
                end,
            )))
        }
        Some(c) if c.is_ascii_alphanumeric() => {
            let run = b[i..].iter().take_while(|c| c.is_ascii_alphanumeric()).count();
            let end = i + run;
            if end >= b.len() && !fin {
                return Ok(None);
            }
            let name = &src[i..end];
            if b.get(end) == Some(&b';') {
                // What autoescaping writes, without a table lookup.
                let common = match name {
                    "lt" => Some("<"),
                    "gt" => Some(">"),
                    "amp" => Some("&"),
                    "quot" => Some("\""),
                    _ => None,
                };
                if let Some(text) = common {
                    return Ok(Some((Cow::Borrowed(text), end + 1)));
                }
                if let Some(cp) = entity(&src[i..=end]) {
                    return Ok(Some((Cow::Owned(cp), end + 1)));
                }
            }
            // The longest legacy name (no semicolon) that is a prefix of the run.
            let legacy = (2..=name.len().min(32))
                .rev()
                .find(|&k| named_entity(&name[..k]).is_some());
            let Some(k) = legacy else {
                return literal;
            };
            // In an attribute a legacy name followed by `=` or an alphanumeric stays
            // as written; otherwise it is decoded and the rest of the run is text.
            if in_attr
                && b.get(i + k)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'=')
            {
                return literal;
            }
            match entity(&name[..k]) {
                Some(cp) => Ok(Some((Cow::Owned(cp), i + k))),
                None => literal,
            }
        }
        Some(_) => literal,
    }
}

/// A printable ASCII character as a static one-character string (`&#39;` and the
/// like decode without allocating).
pub(super) fn ascii_str(c: char) -> Option<&'static str> {
    const ASCII: &str =
        " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";
    let i = (c as usize).checked_sub(0x20)?;
    ASCII.get(i..i + 1).filter(|_| c.is_ascii() && c != '\u{7f}')
}

/// The text of a named character reference (`name` without the `&`).
pub(super) fn entity(name: &str) -> Option<String> {
    let mut s = String::new();
    push_codepoints(&mut s, named_entity(name)?);
    Some(s)
}
