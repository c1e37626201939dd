//! HTML escaping as Django does it (`django.utils.html`).

use super::value::Value;

/// Python's `html.escape(s)`: `& < > " '` → `&amp; &lt; &gt; &quot; &#x27;`.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    escape_into(s, &mut out);
    out
}

/// [`escape`] appending to `out`.
pub fn escape_into(s: &str, out: &mut String) {
    let bytes = s.as_bytes();
    let mut last = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#x27;",
            _ => continue,
        };
        out.push_str(&s[last..i]);
        out.push_str(rep);
        last = i + 1;
    }
    out.push_str(&s[last..]);
}

/// Django's `conditional_escape`: safe values unchanged, others `str()`-ed and escaped.
pub fn conditional_escape(v: &Value) -> String {
    if v.is_safe() {
        v.to_py_str()
    } else {
        escape(&v.to_py_str())
    }
}

/// Django's `normalize_newlines`: `\r\n` and `\r` become `\n`.
pub fn normalize_newlines(s: &str) -> String {
    s.replace("\r\n", "\n").replace('\r', "\n")
}

/// Python's `html.unescape(s)`: named references (the HTML standard's table, with
/// the legacy names that may omit the `;` and the longest-prefix rule), decimal and
/// hexadecimal character references (Windows-1252 remapping for `&#x80;`–`&#x9F;`,
/// U+FFFD for NUL, surrogates and values past U+10FFFF, nothing for the
/// non-characters and C0/C1 controls CPython drops). Text without `&` is borrowed.
pub fn unescape(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('&') {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        let after = &rest[p + 1..];
        match charref_len(after) {
            Some(len) => {
                replace_charref(&after[..len], &mut out);
                rest = &after[len..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// Length of the match of `#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?`
/// at the start of `s` (the text after `&`).
fn charref_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let semi = |i: usize| if b.get(i) == Some(&b';') { i + 1 } else { i };
    if b.first() == Some(&b'#') {
        let digits = b[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits > 0 {
            return Some(semi(1 + digits));
        }
        if matches!(b.get(1), Some(b'x' | b'X')) {
            let hex = b[2..].iter().take_while(|c| c.is_ascii_hexdigit()).count();
            if hex > 0 {
                return Some(semi(2 + hex));
            }
        }
        return None;
    }
    let end: usize = s
        .chars()
        .take_while(|c| !matches!(c, '\t' | '\n' | '\u{c}' | ' ' | '<' | '&' | '#' | ';'))
        .take(32)
        .map(char::len_utf8)
        .sum();
    (end > 0).then(|| semi(end))
}

pub(crate) fn named_entity(name: &str) -> Option<(u32, u32)> {
    html5ever::data::NAMED_ENTITIES
        .get(name)
        .copied()
        .filter(|&(a, _)| a != 0)
}

pub(crate) fn push_codepoints(out: &mut String, (a, b): (u32, u32)) {
    out.extend(char::from_u32(a));
    if b != 0 {
        out.extend(char::from_u32(b));
    }
}

/// CPython's `html._replace_charref` for one match (without the `&`).
fn replace_charref(s: &str, out: &mut String) {
    if let Some(num) = s.strip_prefix('#') {
        let digits = num.trim_end_matches(';');
        let (digits, radix) = match digits.strip_prefix(['x', 'X']) {
            Some(hex) => (hex, 16),
            None => (digits, 10),
        };
        // Saturate: anything past U+10FFFF is replaced the same way.
        let n = digits.chars().try_fold(0u32, |acc, c| {
            let d = c.to_digit(radix)?;
            Some(acc.saturating_mul(radix).saturating_add(d))
        });
        let n = n.unwrap_or(u32::MAX);
        match n {
            0 => out.push('\u{fffd}'),
            0x0d => out.push('\r'),
            0x80..=0x9f => {
                let mapped = html5ever::data::C1_REPLACEMENTS[(n - 0x80) as usize];
                out.extend(mapped.or(char::from_u32(n)));
            }
            0xd800..=0xdfff | 0x11_0000.. => out.push('\u{fffd}'),
            0x1..=0x8 | 0xb | 0xe..=0x1f | 0x7f | 0xfdd0..=0xfdef => {}
            _ if n & 0xfffe == 0xfffe => {}
            _ => out.extend(char::from_u32(n)),
        }
        return;
    }
    if let Some(cp) = named_entity(s) {
        push_codepoints(out, cp);
        return;
    }
    // The longest prefix (at least two characters) that is a known name.
    let ends: Vec<usize> = s.char_indices().map(|(i, _)| i).skip(2).collect();
    for &x in ends.iter().rev() {
        if let Some(cp) = named_entity(&s[..x]) {
            push_codepoints(out, cp);
            out.push_str(&s[x..]);
            return;
        }
    }
    out.push('&');
    out.push_str(s);
}
