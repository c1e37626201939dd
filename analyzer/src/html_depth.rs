//! How deeply a template's HTML nests, estimated in one linear pass, so that the
//! element scan (tree-sitter-html) never sees more than [`MAX_HTML_DEPTH`] open
//! elements. tree-sitter-html's scanner restores its whole stack of open tags at
//! every token, so 100,000 nested `<div>`s cost it minutes; a template past the
//! limit is scanned up to where it crosses it, and E004 says so.
//!
//! The estimate counts start tags that open an element and end tags that close one.
//! Void elements (`<br>`, `<input>`, …), self-closing tags and elements whose end tag
//! is optional (`<p>`, `<li>`, `<td>`, `<option>`, …, which the HTML standard closes
//! implicitly) never raise it; comments and the content of `<script>`, `<style>`,
//! `<textarea>` and `<title>` are skipped.

/// The deepest nesting of elements the element scan is given.
pub const MAX_HTML_DEPTH: usize = 1000;

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
];
const OPTIONAL_END: &[&str] = &[
    "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "thead", "tbody", "tfoot", "rb", "rt",
    "rp", "colgroup", "caption",
];
const RAW_TEXT: &[&str] = &["script", "style", "textarea", "title"];

/// The byte offset of the start tag that opens element number
/// [`MAX_HTML_DEPTH`]` + 1` of one nesting, or `None` when `html` stays within it.
pub fn too_deep_at(html: &str) -> Option<usize> {
    let b = html.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(off) = b[i..].iter().position(|&c| c == b'<') {
        let at = i + off;
        i = at + 1;
        if b[i..].starts_with(b"!--") {
            i = find(b, i + 3, b"-->").map_or(b.len(), |e| e + 3);
            continue;
        }
        let closing = b.get(i) == Some(&b'/');
        let name_start = if closing { i + 1 } else { i };
        let name_end = name_start
            + b[name_start..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == b'-' || **c == b':')
                .count();
        if name_end == name_start || !b[name_start].is_ascii_alphabetic() {
            continue;
        }
        let name = html[name_start..name_end].to_ascii_lowercase();
        let end = tag_end(b, name_end);
        i = end;
        if closing {
            if !VOID.contains(&name.as_str()) && !OPTIONAL_END.contains(&name.as_str()) {
                depth = depth.saturating_sub(1);
            }
            continue;
        }
        let self_closing = end >= 2 && b[end - 2] == b'/';
        if RAW_TEXT.contains(&name.as_str()) {
            let close = format!("</{name}");
            i = find_ignore_case(b, end, close.as_bytes()).unwrap_or(b.len());
            continue;
        }
        if self_closing || VOID.contains(&name.as_str()) || OPTIONAL_END.contains(&name.as_str()) {
            continue;
        }
        depth += 1;
        if depth > MAX_HTML_DEPTH {
            return Some(at);
        }
    }
    None
}

/// The offset just past the `>` that ends a tag whose name ends at `i` (quotes in
/// attribute values respected), or the end of the input.
fn tag_end(b: &[u8], mut i: usize) -> usize {
    let mut quote = None;
    while i < b.len() {
        match (quote, b[i]) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, q @ (b'"' | b'\'')) => quote = Some(q),
            (None, b'>') => return i + 1,
            _ => {}
        }
        i += 1;
    }
    b.len()
}

fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    b.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

fn find_ignore_case(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    b.get(from..)?
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
        .map(|p| from + p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_pages_are_far_from_the_limit() {
        let rows = "<tr><td>1<td>2</tr>".repeat(5000);
        let list = "<li>x".repeat(5000);
        let page = format!(
            "<!DOCTYPE html><html><head><title><div></title><script>if (a<b) {{ '<div>' }}</script></head>\
             <body><div dj-root><table>{rows}</table><ul>{list}</ul><p>a<p>b<br><img src=x><input/>\
             <!-- <div><div> --><svg><path d='M0'/></svg></div></body></html>"
        );
        assert_eq!(too_deep_at(&page), None);
    }

    #[test]
    fn deep_nesting_is_found_at_the_element_that_crosses_the_limit() {
        let n = MAX_HTML_DEPTH + 5;
        let html = format!("{}{}", "<div>".repeat(n), "</div>".repeat(n));
        assert_eq!(too_deep_at(&html), Some(5 * MAX_HTML_DEPTH));
        let nested_lists = "<ul><li>".repeat(n);
        assert!(too_deep_at(&nested_lists).is_some());
        let closed = "<div></div>".repeat(100_000);
        assert_eq!(too_deep_at(&closed), None);
    }
}
