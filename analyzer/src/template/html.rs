//! The HTML side of a template: one pass over its *masked* text (every Django
//! construct blanked to spaces, offsets unchanged) that finds the elements the rules
//! read.
//!
//! html5gum, a tokenizer that follows the HTML standard's tokenization chapter,
//! decides where tags, comments and raw text (`<script>`, `<style>`, `<textarea>`,
//! `<title>`: its naive state switching) begin and end, and gives each start tag and
//! attribute name its byte span. Elements are paired here with a stack of open
//! elements, as the standard's tree construction does for what templates contain:
//! void elements and self-closing tags have no content; an end tag closes the nearest
//! open element of its name and those opened inside it; a start tag closes the open
//! `<p>`, `<li>`, `<dt>`/`<dd>`, `<option>`/`<optgroup>` or table part it cannot sit in
//! (the standard's implied end tags); the end of the input closes the rest. Misnested
//! formatting elements, foster parenting and `<template>` are not modelled: the rules
//! read start tags and containment, which those do not change.
//!
//! The stack holds at most [`MAX_HTML_DEPTH`] elements: past it the scan stops and
//! the caller reports the rest as not checked (an end tag's search of the stack stays
//! bounded, so the pass stays linear in the text).

use crate::summary::template::{DirectiveAttr, Element, Tag};
use compact_str::CompactString;
use djust_runtime::Span;
use html5gum::emitters::callback::{CallbackEmitter, CallbackEvent};
use html5gum::{Emitter, ForwardingEmitter, Tokenizer};
use thin_vec::ThinVec;

/// The deepest nesting of open elements the scan follows.
pub const MAX_HTML_DEPTH: usize = 1000;

/// Event directives that need a LiveView root (upstream's T002/T012 sets).
const EVENT_DIRECTIVES: &[&str] = &[
    "dj-click",
    "dj-input",
    "dj-change",
    "dj-submit",
    "dj-model",
    "dj-blur",
    "dj-focus",
    "dj-keydown",
    "dj-keyup",
    "dj-mouseenter",
    "dj-mouseleave",
    "dj-click-away",
    "dj-shortcut",
];

/// True for an attribute name (lower-case) that is an event directive, modifiers included.
pub fn is_event_directive(name: &str) -> bool {
    let base = name.split('.').next().unwrap_or(name);
    EVENT_DIRECTIVES.contains(&base) || base.starts_with("dj-window-") || base.starts_with("dj-document-")
}

/// Elements without content (the HTML standard's void elements).
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
    "param", "keygen",
];

/// Start tags that close an open `<p>` (the standard's "close a p element" list).
#[rustfmt::skip]
const CLOSES_P: &[&str] = &[
    "address", "article", "aside", "blockquote", "details", "dialog", "div", "dl", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hgroup", "hr", "main", "menu", "nav", "ol", "p", "pre", "section", "table", "ul",
];

/// The HTML standard's "special" elements that stop the search for an open `<li>`,
/// `<dt>` or `<dd>` (less `address`, `div` and `p`, which do not).
#[rustfmt::skip]
const STOPS_LIST_ITEM: &[&str] = &[
    "applet", "area", "article", "aside", "base", "blockquote", "body", "button", "caption",
    "center", "col", "colgroup", "dd", "details", "dialog", "dir", "dl", "dt", "embed",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "head", "header", "hgroup", "html", "iframe", "li", "main", "marquee", "menu", "nav",
    "object", "ol", "pre", "section", "select", "summary", "table", "tbody", "td", "template",
    "textarea", "tfoot", "th", "thead", "tr", "ul",
];

/// What a start tag named `new` closes: the open element names it ends, and the
/// names that stop the search down the stack (the standard's scopes).
fn implied_ends(new: &str) -> Option<(&'static [&'static str], &'static [&'static str])> {
    const BUTTON_SCOPE: &[&str] = &[
        "applet", "button", "caption", "html", "marquee", "object", "table", "td", "template", "th",
    ];
    const TABLE: &[&str] = &["html", "table", "template"];
    Some(match new {
        "li" => (&["li"], STOPS_LIST_ITEM),
        "dt" | "dd" => (&["dt", "dd"], STOPS_LIST_ITEM),
        "option" => (&["option"], &["select", "datalist", "optgroup"]),
        "optgroup" => (&["option", "optgroup"], &["select", "datalist"]),
        "td" | "th" => (&["td", "th"], TABLE),
        "tr" => (&["td", "th", "tr"], TABLE),
        "tbody" | "thead" | "tfoot" => (&["td", "th", "tr", "tbody", "thead", "tfoot"], TABLE),
        _ if CLOSES_P.contains(&new) => (&["p"], BUTTON_SCOPE),
        _ => return None,
    })
}

/// A start tag with its attributes and, once closed, its element's extent.
struct StartTag<'s> {
    /// Lower-case name.
    name: String,
    /// The tag, `<` to `>`.
    span: Span,
    /// The whole element; its end is set when the element closes.
    extent: Span,
    /// Between the start and end tags (empty for void and self-closing elements).
    content: Span,
    /// Attributes: name as written, value (`None` when bare), the attribute's span, and
    /// the quoted value's span (quotes included) when it is quoted.
    attrs: Vec<(&'s str, Option<&'s str>, Span, Option<Span>)>,
}

/// What the scan found: the elements with djust attributes, the [`Tag`]s, and where
/// it stopped when the nesting passed [`MAX_HTML_DEPTH`] (the start tag that crossed it).
pub(crate) struct Scan {
    pub elements: Vec<Element>,
    pub tags: Vec<Tag>,
    pub too_deep_at: Option<usize>,
}

/// The pairing state fed by the tokenizer's events.
struct Builder<'s> {
    masked: &'s str,
    starts: Vec<StartTag<'s>>,
    /// Indexes into `starts` of the open elements, innermost last.
    open: Vec<usize>,
    /// The start tag being read (its index in `starts`), until its `>`.
    current: Option<usize>,
    too_deep_at: Option<usize>,
}

impl<'s> Builder<'s> {
    /// Close the open elements from stack position `from` up, at byte `at`.
    fn close_from(&mut self, from: usize, at: usize) {
        for &i in &self.open[from..] {
            let el = &mut self.starts[i];
            el.extent.end = at.max(el.span.end);
            el.content.end = at.max(el.span.end);
        }
        self.open.truncate(from);
    }

    fn open_start_tag(&mut self, name: &[u8], start: usize) {
        let name = String::from_utf8_lossy(name).to_ascii_lowercase();
        self.current = Some(self.starts.len());
        self.starts.push(StartTag {
            name,
            span: Span::new(start, start),
            extent: Span::new(start, start),
            content: Span::new(start, start),
            attrs: Vec::new(),
        });
    }

    fn attribute(&mut self, name: Span) {
        let Some(el) = self.current.and_then(|i| self.starts.get_mut(i)) else {
            return;
        };
        let (value, end, quoted) = attribute_value(self.masked, name.end);
        if let Some(written) = self.masked.get(name.start..name.end) {
            el.attrs
                .push((written, value, Span::new(name.start, end), quoted));
        }
    }

    /// The `>` of the current start tag, ending at `end`. `false`: the nesting passed
    /// the limit and the scan stops.
    fn close_start_tag(&mut self, self_closing: bool, end: usize) -> bool {
        let Some(i) = self.current.take() else {
            return true;
        };
        let start = self.starts[i].span.start;
        if let Some((ends, stops)) = implied_ends(&self.starts[i].name) {
            // The nearest open element the new one ends, unless a scope boundary
            // comes first; closing it closes what was opened inside it.
            // Repeated: a `<tr>` ends the open `<td>`, then the `<tr>` around it.
            loop {
                let found = self.open.iter().rposition(|&o| {
                    let name = self.starts[o].name.as_str();
                    ends.contains(&name) || stops.contains(&name)
                });
                match found.filter(|&at| ends.contains(&self.starts[self.open[at]].name.as_str())) {
                    Some(at) => self.close_from(at, start),
                    None => break,
                }
            }
        }
        let el = &mut self.starts[i];
        el.span.end = end;
        el.extent = Span::new(start, end);
        el.content = Span::new(end, end);
        if self_closing || VOID.contains(&el.name.as_str()) {
            return true;
        }
        if self.open.len() == MAX_HTML_DEPTH {
            self.starts.truncate(i);
            self.too_deep_at = Some(start);
            return false;
        }
        self.open.push(i);
        true
    }

    fn end_tag(&mut self, name: &[u8], span: Span) {
        self.current = None;
        let Some(at) = self
            .open
            .iter()
            .rposition(|&i| name.eq_ignore_ascii_case(self.starts[i].name.as_bytes()))
        else {
            return; // a stray end tag closes nothing
        };
        let el = self.open[at];
        self.close_from(at + 1, span.start);
        let start = &mut self.starts[el];
        start.extent.end = span.end;
        start.content.end = span.start.max(start.span.end);
        self.open.truncate(at);
    }
}

/// An emitter that asks the tokenizer for no parse errors (the scan reads none), which
/// spares it checking every character for them.
struct WithoutErrors<E>(E);

impl<E: Emitter> ForwardingEmitter for WithoutErrors<E> {
    type Token = E::Token;

    fn inner(&mut self) -> &mut impl Emitter<Token = Self::Token> {
        &mut self.0
    }

    fn should_emit_errors(&mut self) -> bool {
        false
    }
}

/// The value of the attribute whose name ends at `i` in a start tag: `(value, end of
/// the attribute, quoted value's span)`. The tokenizer has decided the tag's extent;
/// this reads what follows the name as its grammar does (`= "…"`, `= '…'`, `= bare`).
fn attribute_value(src: &str, i: usize) -> (Option<&str>, usize, Option<Span>) {
    let b = src.as_bytes();
    let space = |c: u8| matches!(c, b' ' | b'\t' | b'\n' | b'\x0c' | b'\r');
    let mut j = i;
    while j < b.len() && space(b[j]) {
        j += 1;
    }
    if b.get(j) != Some(&b'=') {
        return (None, i, None);
    }
    j += 1;
    while j < b.len() && space(b[j]) {
        j += 1;
    }
    match b.get(j) {
        Some(&q @ (b'"' | b'\'')) => {
            let close = b[j + 1..]
                .iter()
                .position(|&c| c == q)
                .map_or(b.len(), |k| j + 1 + k);
            let end = (close + 1).min(b.len());
            (src.get(j + 1..close), end, Some(Span::new(j, end)))
        }
        Some(b'>') | None => (Some(""), j, None),
        Some(_) => {
            let end = b[j..]
                .iter()
                .position(|&c| space(c) || c == b'>')
                .map_or(b.len(), |k| j + k);
            (src.get(j..end), end, None)
        }
    }
}

/// Scan `masked` once and collect the elements with djust attributes and the
/// [`Tag`]s. `source` is the text before masking (same offsets): the accessibility
/// rules read an element's content from it.
pub(crate) fn scan(source: &str, masked: &str) -> Scan {
    let mut b = Builder {
        masked,
        starts: Vec::new(),
        open: Vec::new(),
        current: None,
        too_deep_at: None,
    };
    {
        let mut emitter = CallbackEmitter::new(|event: CallbackEvent<'_>, span: html5gum::Span<usize>| {
            match event {
                CallbackEvent::OpenStartTag { name } => b.open_start_tag(name, span.start),
                CallbackEvent::AttributeName { .. } => b.attribute(Span::new(span.start, span.end)),
                // Past the depth limit: yield, which stops the scan.
                CallbackEvent::CloseStartTag { self_closing } => {
                    return (!b.close_start_tag(self_closing, span.end)).then_some(());
                }
                CallbackEvent::EndTag { name } => b.end_tag(name, Span::new(span.start, span.end)),
                _ => {}
            }
            None
        });
        emitter.naively_switch_states(true);
        // The callback yields only to stop the scan: one `next()` runs it to the end.
        let _stopped = Tokenizer::new_with_emitter(masked, WithoutErrors(emitter)).next();
    }
    let end = b.too_deep_at.unwrap_or(masked.len());
    if let Some(i) = b.current {
        // A start tag cut off by the end of the input is text, as in the standard.
        b.starts.truncate(i);
        b.open.retain(|&o| o < i);
    }
    b.close_from(0, end);
    let mut out = Scan {
        elements: Vec::new(),
        tags: Vec::new(),
        too_deep_at: b.too_deep_at,
    };
    for start in &b.starts {
        if let Some(el) = element(start) {
            out.elements.push(el);
        }
        if let Some(tag) = tag(source, masked, start) {
            out.tags.push(tag);
        }
    }
    out
}

/// The attributes the accessibility and script rules read (a [`Tag`] keeps only these).
const TAG_ATTRIBUTES: &[&str] = &[
    "alt",
    "aria-label",
    "aria-labelledby",
    "for",
    "href",
    "id",
    "nonce",
    "src",
    "tabindex",
    "title",
    "type",
];

/// Tags whose elements the accessibility and script rules read.
const TAGS: &[&str] = &[
    "img", "input", "select", "textarea", "label", "button", "a", "script",
];

fn tag(source: &str, masked: &str, start: &StartTag<'_>) -> Option<Tag> {
    if !TAGS.contains(&start.name.as_str())
        && !start
            .attrs
            .iter()
            .any(|(n, ..)| n.eq_ignore_ascii_case("tabindex"))
    {
        return None;
    }
    let span = start.span;
    let named_content = matches!(start.name.as_str(), "button" | "a" | "label")
        && source
            .get(start.content.start..start.content.end)
            .is_some_and(names_the_element);
    // Django code (`{{`, `{%`; not `{#` comments) outside the quoted values: Django
    // code inside a quoted value builds the value, not attributes.
    let src = source.as_bytes();
    let templated = (span.start..span.end.min(src.len()).saturating_sub(1)).any(|i| {
        src[i] == b'{'
            && matches!(src[i + 1], b'{' | b'%')
            && masked.as_bytes().get(i) == Some(&b' ')
            && !start
                .attrs
                .iter()
                .any(|(.., q)| q.is_some_and(|q| q.start <= i && i < q.end))
    });
    Some(Tag {
        templated,
        name: start.name.clone(),
        span,
        extent: start.extent,
        attrs: start
            .attrs
            .iter()
            .filter(|(n, ..)| TAG_ATTRIBUTES.iter().any(|a| n.eq_ignore_ascii_case(a)))
            .map(|(n, v, ..)| (n.to_ascii_lowercase(), v.map(str::to_string)))
            .collect(),
        named_content,
    })
}

/// Whether element content (raw template text) gives its element an accessible name:
/// text, a Django variable or tag (what it prints is unknown, so it counts), an
/// `<img>` with a non-empty `alt`, or an element with `aria-label`. Markup, HTML
/// comments, `{# #}` comments and character references (`&times;`) do not.
fn names_the_element(content: &str) -> bool {
    let b = content.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let rest = &content[i..];
        if rest.starts_with("<!--") {
            i += rest.find("-->").map_or(b.len() - i, |e| e + 3);
        } else if rest.starts_with("{#") {
            i += rest.find("#}").map_or(b.len() - i, |e| e + 2);
        } else if rest.starts_with("{{") || rest.starts_with("{%") {
            return true;
        } else if b[i] == b'<' {
            let end = rest.find('>').map_or(rest.len(), |e| e + 1);
            let markup = rest[..end].to_ascii_lowercase();
            if markup.contains("aria-label=") || (markup.starts_with("<img") && has_nonempty_alt(&markup)) {
                return true;
            }
            i += end;
        } else if b[i] == b'&' {
            let end = rest.bytes().take(12).position(|c| c == b';').map_or(1, |e| e + 1);
            i += end;
        } else if b[i].is_ascii_whitespace() {
            i += 1;
        } else {
            return true;
        }
    }
    false
}

fn has_nonempty_alt(markup: &str) -> bool {
    let Some(at) = markup.find("alt=") else {
        return false;
    };
    let value = &markup[at + 4..];
    let value = value.trim_start_matches(['"', '\'']);
    !value.starts_with(['"', '\'']) && !value.starts_with(char::is_whitespace) && !value.starts_with('>')
}

/// The old syntaxes T001, T014 and T015 report: `@click=…` (an event named with `@`),
/// `data-dj-id`, `data-djust-root`, `data-djust-view`.
fn is_legacy_attribute(name: &str) -> bool {
    const EVENTS: &[&str] = &[
        "click",
        "input",
        "change",
        "submit",
        "blur",
        "focus",
        "keydown",
        "keyup",
        "mouseenter",
        "mouseleave",
    ];
    match name.strip_prefix('@') {
        Some(event) => EVENTS.contains(&event.split('.').next().unwrap_or(event)),
        None => matches!(name, "data-dj-id" | "data-djust-root" | "data-djust-view"),
    }
}

fn element(start: &StartTag<'_>) -> Option<Element> {
    let mut el = Element {
        extent: start.extent.into(),
        span: start.span.into(),
        tag: start.name.as_str().into(),
        directives: ThinVec::new(),
        legacy: ThinVec::new(),
        mount: None,
    };
    for &(name, value, span, _) in &start.attrs {
        let lname = name.to_ascii_lowercase();
        if lname == "dj-view" {
            let mount = el.mount_mut();
            mount.view = Some(span);
            mount.view_value = value.map(|v| v.trim().to_string());
        } else if lname == "dj-root" {
            el.mount_mut().root = Some(span);
        } else if is_legacy_attribute(&lname) {
            el.legacy.push((lname, span));
        } else if is_event_directive(&lname) {
            // Django constructs are masked to spaces, so a value with template
            // code in it is not a clean identifier and gets no target.
            let target = value.filter(|v| is_identifier(v)).map(CompactString::from);
            el.directives.push(DirectiveAttr {
                name: lname.into(),
                span: span.into(),
                target,
            });
        }
    }
    (el.mount.is_some() || !el.directives.is_empty() || !el.legacy.is_empty()).then_some(el)
}

/// A Python identifier (ASCII subset), the shape of a handler or attribute name.
fn is_identifier(v: &str) -> bool {
    let mut chars = v.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extents_follow_end_tags_implied_ends_and_void_elements() {
        let src = "<label>Name <input id=a></label><ul><li><a href=x>1<li><a>2</a></ul><p>x<div>y</div>";
        let s = scan(src, src);
        let names: Vec<&str> = s.tags.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["label", "input", "a", "a"]);
        let label = &s.tags[0];
        assert_eq!(label.extent, Span::new(0, src.find("<ul>").unwrap_or(0)));
        let input = &s.tags[1];
        assert_eq!(input.extent, input.span, "a void element has no content");
        assert!(label.extent.start < input.span.start && input.span.end <= label.extent.end);
        // The first <a> has no end tag: the next <li> closes its <li> and it.
        let a1 = &s.tags[2];
        assert_eq!(&src[a1.extent.start..a1.extent.end], "<a href=x>1");
        assert!(a1.named_content);
        let a2 = &s.tags[3];
        assert_eq!(&src[a2.extent.start..a2.extent.end], "<a>2</a>");
        // Table parts and options end each other as the standard's implied end tags do.
        let table = "<table><tr><td><a>1</a><td><button>2</button><tr><td>3</table>";
        let s = scan(table, table);
        let button = &s.tags[1];
        assert_eq!(
            &table[button.extent.start..button.extent.end],
            "<button>2</button>"
        );
    }

    #[test]
    fn attribute_values_quoted_bare_empty_and_with_gt() {
        let src = "<img alt=\"\" src=x TITLE = 'a>b' data-x><button dj-click=save>";
        let s = scan(src, src);
        let img = &s.tags[0];
        assert_eq!(img.attr("alt"), Some(Some("")));
        assert_eq!(img.attr("src"), Some(Some("x")));
        assert_eq!(img.attr("title"), Some(Some("a>b")));
        assert_eq!(img.span, Span::new(0, src.find("<button").unwrap_or(0)));
        assert_eq!(s.elements[0].directives[0].target.as_deref(), Some("save"));
    }

    #[test]
    fn raw_text_and_comments_hold_no_elements() {
        let src = "<script>x = '<button>'</script><!-- <img> --><textarea><a href=x></textarea><img>";
        let s = scan(src, src);
        let tags: Vec<&str> = s.tags.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(tags, ["script", "textarea", "img"]);
    }

    #[test]
    fn nesting_past_the_limit_stops_the_scan_where_it_crosses() {
        let n = MAX_HTML_DEPTH + 5;
        let html = format!("<a>x{}{}", "<div>".repeat(n), "</div>".repeat(n));
        let s = scan(&html, &html);
        assert_eq!(s.too_deep_at, Some(4 + 5 * (MAX_HTML_DEPTH - 1)));
        assert_eq!(s.tags[0].extent.end, s.too_deep_at.unwrap_or(0));
        let closed = "<div></div>".repeat(100_000);
        assert_eq!(scan(&closed, &closed).too_deep_at, None);
        let lists = "<ul><li>".repeat(n);
        assert!(scan(&lists, &lists).too_deep_at.is_some());
    }
}
