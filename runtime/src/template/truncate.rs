//! Django's `Truncator` (`django/utils/text.py`): by characters or words, on plain
//! text or on HTML (where tags are kept, open tags are closed after the cut, and
//! text is re-escaped) — the `truncatechars`, `truncatewords`, `truncatechars_html`
//! and `truncatewords_html` filters.

use super::html::escape;
use super::htmlparser::{Abort, Handler, Parser};
use super::value::is_py_space;
use std::collections::VecDeque;

/// The replacement `truncatechars` appends (Django's translatable `"%(truncated_text)s…"`).
pub const ELLIPSIS: &str = "…";

/// HTML void elements (`django.utils.html.VOID_ELEMENTS`).
const VOID_ELEMENTS: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track",
    "wbr", // Deprecated but still void.
    "frame", "spacer",
];

fn is_combining(c: char) -> bool {
    unicode_normalization::char::canonical_combining_class(c) != 0
}

fn nfc(text: &str) -> std::borrow::Cow<'_, str> {
    use unicode_normalization::UnicodeNormalization;
    // Most text already is NFC (and ASCII always is).
    match unicode_normalization::is_nfc_quick(text.chars()) {
        unicode_normalization::IsNormalized::Yes => std::borrow::Cow::Borrowed(text),
        _ => std::borrow::Cow::Owned(text.nfc().collect()),
    }
}

/// `add_truncation_text(text, truncate)`: `truncate` appended unless `text` already
/// ends with it.
fn add_truncation_text(text: &str, truncate: &str) -> String {
    if text.ends_with(truncate) {
        text.to_string()
    } else {
        format!("{text}{truncate}")
    }
}

/// `calculate_truncate_chars_length`: `length` less the non-combining characters of
/// the replacement (stopping at zero).
fn truncate_len(length: i64, truncate: &str) -> i64 {
    let mut len = length;
    for c in truncate.chars() {
        if !is_combining(c) {
            len -= 1;
            if len == 0 {
                break;
            }
        }
    }
    len
}

/// `Truncator(text).chars(n)`: at most `n` characters (combining characters do not
/// count) including the `…`; the text is NFC-normalised first.
pub fn chars(text: &str, n: i64) -> String {
    if n <= 0 {
        return String::new();
    }
    let text = nfc(text);
    let truncate_len = truncate_len(n, ELLIPSIS);
    let mut s_len = 0;
    let mut end_index: Option<usize> = None;
    for (i, c) in text.char_indices() {
        if is_combining(c) {
            continue;
        }
        s_len += 1;
        if end_index.is_none() && s_len > truncate_len {
            end_index = Some(i);
        }
        if s_len > n {
            return add_truncation_text(&text[..end_index.unwrap_or(0)], ELLIPSIS);
        }
    }
    text.into_owned()
}

/// `Truncator(text).words(n, truncate=" …")`: the first `n` words (split on Python
/// whitespace) joined by single spaces.
pub fn words(text: &str, n: i64) -> String {
    if n <= 0 {
        return String::new();
    }
    let words: Vec<&str> = text.split(is_py_space).filter(|w| !w.is_empty()).collect();
    if words.len() as i64 > n {
        add_truncation_text(&words[..n as usize].join(" "), " …")
    } else {
        words.join(" ")
    }
}

/// How the HTML truncator measures text: Django's `TruncateCharsHTMLParser` or
/// `TruncateWordsHTMLParser`.
enum Unit {
    Chars {
        /// The requested length.
        length: i64,
        /// Characters of data seen so far.
        processed: i64,
        /// Characters in the whole input (`len(self.rawdata)` while feeding).
        raw_len: i64,
    },
    Words,
}

/// `TruncateHTMLParser`'s state.
struct Truncating {
    unit: Unit,
    /// Open elements, innermost first.
    tags: VecDeque<String>,
    output: String,
    remaining: i64,
    replacement: &'static str,
}

impl Truncating {
    fn push_start(&mut self, tag: &str, text: &str) {
        self.output.push_str(text);
        if !VOID_ELEMENTS.contains(&tag) {
            self.tags.push_front(tag.to_string());
        }
    }
}

impl Handler for Truncating {
    fn starttag(&mut self, tag: &str, text: &str) -> Result<(), Abort> {
        self.push_start(tag, text);
        Ok(())
    }

    fn startendtag(&mut self, tag: &str, text: &str) -> Result<(), Abort> {
        self.push_start(tag, text);
        if !VOID_ELEMENTS.contains(&tag) {
            self.endtag(tag)?;
        }
        Ok(())
    }

    fn endtag(&mut self, tag: &str) -> Result<(), Abort> {
        if !VOID_ELEMENTS.contains(&tag) {
            self.output.push_str("</");
            self.output.push_str(tag);
            self.output.push('>');
            // Only the innermost open element is popped (Django's LIFO rule).
            if self.tags.front().is_some_and(|t| t == tag) {
                self.tags.pop_front();
            }
        }
        Ok(())
    }

    fn data(&mut self, data: &str) -> Result<(), Abort> {
        let remaining = usize::try_from(self.remaining).unwrap_or(0);
        let (data_len, output) = match &mut self.unit {
            Unit::Chars {
                length,
                processed,
                raw_len,
            } => {
                let len = data.chars().count() as i64;
                *processed += len;
                if *processed == *length && self.output.chars().count() as i64 + len == *raw_len {
                    self.output.push_str(data);
                    return Err(Abort::Stop);
                }
                let cut: String = data.chars().take(remaining).collect();
                (len, escape(&cut))
            }
            Unit::Words => {
                let words = split_words(data);
                let kept = words[..remaining.min(words.len())].join(" ");
                (words.len() as i64, escape(&kept))
            }
        };
        if self.remaining < data_len {
            self.remaining = 0;
            self.output
                .push_str(&add_truncation_text(&output, self.replacement));
            return Err(Abort::Stop);
        }
        self.remaining -= data_len;
        self.output.push_str(&output);
        Ok(())
    }
}

/// `re.split(r"(?<=\S)\s+(?=\S)", data)`: split on runs of whitespace that have a
/// non-space on both sides (leading and trailing whitespace stays in the pieces).
fn split_words(data: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut prev_non_space = false;
    let mut iter = data.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if is_py_space(c) && prev_non_space {
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = iter.peek() {
                if !is_py_space(d) {
                    break;
                }
                end = j + d.len_utf8();
                iter.next();
            }
            if end < data.len() {
                out.push(&data[start..i]);
                start = end;
            }
            prev_non_space = false;
            continue;
        }
        prev_non_space = !is_py_space(c);
    }
    out.push(&data[start..]);
    out
}

/// Runs the truncating parser; `Err` is CPython's `AssertionError` message for a
/// malformed `<![` section (Django lets it propagate).
fn truncate_html(
    text: &str,
    unit: Unit,
    remaining: i64,
    replacement: &'static str,
) -> Result<String, String> {
    let mut p = Parser::new(
        Truncating {
            unit,
            tags: VecDeque::new(),
            output: String::new(),
            remaining,
            replacement,
        },
        true,
    );
    // Django feeds once and then resets: text the parser holds back (an unfinished
    // tag, an `&` near the end) is dropped.
    match p.goahead(text, false) {
        Err(Abort::Stop) => {
            let h = &mut p.handler;
            for tag in h.tags.drain(..) {
                h.output.push_str("</");
                h.output.push_str(&tag);
                h.output.push('>');
            }
            Ok(std::mem::take(&mut h.output))
        }
        Ok(_) => Ok(std::mem::take(&mut p.handler.output)),
        Err(Abort::Assertion(message)) => Err(message),
    }
}

/// `Truncator(text).chars(n, html=True)`. `Err` as for a malformed `<![` section.
pub fn chars_html(text: &str, n: i64) -> Result<String, String> {
    if n <= 0 {
        return Ok(String::new());
    }
    let text = nfc(text);
    let unit = Unit::Chars {
        length: n,
        processed: 0,
        raw_len: text.chars().count() as i64,
    };
    truncate_html(&text, unit, truncate_len(n, ELLIPSIS), ELLIPSIS)
}

/// `Truncator(text).words(n, html=True, truncate=" …")`. `Err` as for a malformed
/// `<![` section.
pub fn words_html(text: &str, n: i64) -> Result<String, String> {
    if n <= 0 {
        return Ok(String::new());
    }
    truncate_html(text, Unit::Words, n, " …")
}
