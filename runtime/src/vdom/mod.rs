//! The virtual DOM: what a LiveView's rendered HTML is diffed as.
//!
//! Model (`../shared/spec/runtime.md` §3.1): elements with attributes, a stable id
//! (`dj-id`, base 62, stamped into the HTML sent to the browser) and an optional key
//! (`dj-key` or `data-key`); text; and the comments that carry meaning (`dj-if`
//! markers). Whitespace-only text is dropped outside `pre`, `code`, `textarea`,
//! `script` and `style`; other comments are dropped.
//!
//! [`build`] builds the tree straight from the renderer's output stream with a fast
//! tokenizer and tree builder for what templates produce; [`parse`] builds it from
//! any HTML with html5ever (the HTML standard's tree construction), and is what
//! [`build`] falls back to for input it does not model. Both give the browser's tree:
//! implied end tags, raw text, entities and SVG/MathML name casing.

pub mod apply;
pub mod build;
pub mod diff;
pub mod parse;
pub mod patch;
pub mod tree;

pub use apply::{apply, apply_to_html, ApplyError, ApplyHtmlError};
pub use build::{build_document, DocumentBuilder};
pub use diff::diff;
pub use parse::{parse_document, parse_fragment, parse_fragment_with_ids, ParseError};
pub use patch::Patch;
pub use tree::Tree;

/// The string type of the VDOM: names, attribute values and text of up to 24 bytes are
/// stored inline, so most nodes of a rendered page allocate nothing for their strings.
pub use compact_str::CompactString;

/// Elements whose text (including whitespace-only text) is kept as it is.
pub const WHITESPACE_PRESERVING: &[&str] = &["pre", "code", "textarea", "script", "style"];

/// HTML void elements: no end tag, no children.
pub const VOID_ELEMENTS: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
    "param", "keygen", "frame",
];

/// The namespace of an element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Namespace {
    /// HTML.
    Html,
    /// SVG (`<svg>` and its content).
    Svg,
    /// MathML (`<math>` and its content).
    MathMl,
}

/// A node of the virtual DOM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VNode {
    /// An element.
    Element(Element),
    /// Text (entities decoded).
    Text(CompactString),
    /// A comment that is kept (`dj-if` markers).
    Comment(CompactString),
}

/// An element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    /// The local name as the DOM has it (lower case for HTML; `foreignObject`,
    /// `linearGradient`, … in SVG).
    pub tag: CompactString,
    /// The namespace.
    pub ns: Namespace,
    /// Attributes in source order (a duplicate keeps its first value, as in the DOM),
    /// without `dj-id`.
    pub attrs: Vec<(CompactString, CompactString)>,
    /// Children.
    pub children: Vec<VNode>,
    /// `dj-key`, else `data-key`, when not empty.
    pub key: Option<CompactString>,
    /// The stable id (`dj-id`).
    pub id: NodeId,
}

/// A `dj-id`: a per-session counter, written in base 62 (`0`–`9`, `a`–`z`, `A`–`Z`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct NodeId(pub u64);

impl std::fmt::Display for NodeId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const DIGITS: &[u8; 62] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        let mut n = self.0;
        let mut buf = [0u8; 11];
        let mut i = buf.len();
        loop {
            i -= 1;
            buf[i] = DIGITS[(n % 62) as usize];
            n /= 62;
            if n == 0 {
                break;
            }
        }
        f.write_str(std::str::from_utf8(&buf[i..]).unwrap_or("0"))
    }
}

impl NodeId {
    /// Parse a base-62 id; `None` for anything else.
    pub fn parse(s: &str) -> Option<NodeId> {
        if s.is_empty() || s.len() > 10 {
            return None;
        }
        let mut n: u64 = 0;
        for b in s.bytes() {
            let d = match b {
                b'0'..=b'9' => b - b'0',
                b'a'..=b'z' => b - b'a' + 10,
                b'A'..=b'Z' => b - b'A' + 36,
                _ => return None,
            };
            n = n * 62 + u64::from(d);
        }
        Some(NodeId(n))
    }
}

/// Hands out ids in document order; one per LiveView session, so ids stay unique
/// across renders.
#[derive(Debug, Clone, Default)]
pub struct IdAllocator {
    next: u64,
}

impl IdAllocator {
    /// A fresh allocator starting at `0`.
    pub fn new() -> Self {
        Self::default()
    }
    /// The next id.
    pub fn next_id(&mut self) -> NodeId {
        let id = NodeId(self.next);
        self.next += 1;
        id
    }
}

/// The key an element with `attrs` gets: `dj-key`, else `data-key`, when not empty
/// (`../shared/spec/runtime.md` §3.1; `id` is not a key).
pub fn key_of(attrs: &[(CompactString, CompactString)]) -> Option<CompactString> {
    key_index(attrs).map(|i| attrs[i].1.clone())
}

/// The position in `attrs` of the attribute [`key_of`] takes the key from.
pub(crate) fn key_index(attrs: &[(CompactString, CompactString)]) -> Option<usize> {
    ["dj-key", "data-key"]
        .iter()
        .find_map(|k| attrs.iter().position(|(name, v)| name == k && !v.is_empty()))
}

impl Element {
    /// An element with `attrs` and `children`, its key taken from `attrs`
    /// ([`key_of`]) and id `0`.
    pub fn new(
        tag: impl Into<CompactString>,
        ns: Namespace,
        attrs: Vec<(CompactString, CompactString)>,
        children: Vec<VNode>,
    ) -> Self {
        Element {
            tag: tag.into(),
            ns,
            key: key_of(&attrs),
            attrs,
            children,
            id: NodeId(0),
        }
    }

    /// The value of attribute `name`.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether this is an HTML void element.
    pub fn is_void(&self) -> bool {
        self.ns == Namespace::Html && VOID_ELEMENTS.contains(&self.tag.as_str())
    }
}

impl VNode {
    /// The element, if this is one.
    pub fn as_element(&self) -> Option<&Element> {
        match self {
            VNode::Element(e) => Some(e),
            _ => None,
        }
    }

    /// Serialise as HTML (the HTML standard's fragment serialisation), with `dj-id`
    /// stamped on every element.
    pub fn to_html(&self) -> String {
        let mut out = String::new();
        self.write_html(&mut out, false);
        out
    }

    /// [`VNode::to_html`] appending to `out`; `raw` is true inside `script`/`style`
    /// (and the other raw-text elements), where text is written unescaped.
    pub fn write_html(&self, out: &mut String, raw: bool) {
        match self {
            VNode::Text(t) if raw => out.push_str(t),
            VNode::Text(t) => escape_text(t, out),
            VNode::Comment(c) => {
                out.push_str("<!--");
                out.push_str(c);
                out.push_str("-->");
            }
            VNode::Element(e) => stacker::maybe_grow(32 * 1024, 1024 * 1024, || e.write_html(out)),
        }
    }
}

impl Element {
    /// This element and its subtree as HTML, `dj-id`s stamped (what the browser gets
    /// on the first render).
    pub fn to_html(&self) -> String {
        let mut out = String::new();
        self.write_html(&mut out);
        out
    }

    /// Serialise this element and its subtree as HTML.
    pub fn write_html(&self, out: &mut String) {
        write_start_tag(
            &self.tag,
            self.id,
            self.attrs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            out,
        );
        if self.is_void() {
            return;
        }
        let raw = is_raw_text_element(&self.tag, self.ns);
        // A leading newline in pre/textarea/listing is eaten by the parser: repeat it.
        if self.ns == Namespace::Html && matches!(self.tag.as_str(), "pre" | "textarea" | "listing") {
            if let Some(VNode::Text(t)) = self.children.first() {
                if t.starts_with('\n') {
                    out.push('\n');
                }
            }
        }
        for c in &self.children {
            c.write_html(out, raw);
        }
        out.push_str("</");
        out.push_str(&self.tag);
        out.push('>');
    }
}

/// `<tag dj-id="…" k="v"…>`.
fn write_start_tag<'a>(
    tag: &str,
    id: NodeId,
    attrs: impl Iterator<Item = (&'a str, &'a str)>,
    out: &mut String,
) {
    use std::fmt::Write;
    out.push('<');
    out.push_str(tag);
    out.push_str(" dj-id=\"");
    let _ = write!(out, "{id}");
    out.push('"');
    for (k, v) in attrs {
        out.push(' ');
        out.push_str(k);
        out.push_str("=\"");
        escape_attr(v, out);
        out.push('"');
    }
    out.push('>');
}

/// Elements whose text the serialisation writes unescaped.
fn is_raw_text_element(tag: &str, ns: Namespace) -> bool {
    ns == Namespace::Html
        && matches!(
            tag,
            "script" | "style" | "xmp" | "iframe" | "noembed" | "noframes" | "plaintext"
        )
}

/// Text escaping of the HTML serialisation algorithm (`&`, NBSP, `<`, `>`).
fn escape_text(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '\u{a0}' => out.push_str("&nbsp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
}

/// Attribute-value escaping of the HTML serialisation algorithm (`&`, NBSP, `"`).
fn escape_attr(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '\u{a0}' => out.push_str("&nbsp;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}
