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
