//! The template side: lex a template once and summarise what the rules need.
//!
//! 1. The runtime's template parser (lenient mode: [`djust_runtime::template::parse`])
//!    gives the tokens, the `{% extends %}` / `{% include %}` / `{% comment %}` nodes and
//!    the `{# #}` comments outside comment blocks.
//! 2. A *masked* copy of the text is made in which every Django construct (variables,
//!    tags, `{# #}` comments, whole comment blocks) is replaced by spaces, byte for
//!    byte, newlines kept. Offsets in the masked text are offsets in the file.
//! 3. tree-sitter-html parses the masked text. HTML comments, `<script>`/`<style>` raw
//!    text and attribute values containing `>` are handled by a real HTML grammar;
//!    Django tags inside a start tag (`<div {% if x %}hidden{% endif %}>`) become
//!    spaces and cannot break it.
//!
//! Comments are not code: text inside `{# #}`, `{% comment %}` and `<!-- -->` never
//! produces an element, and only `{# noqa #}` comments outside comment blocks count.

use crate::noqa;
use djust_runtime::template::expr::{FilterExpr, Operand};
use djust_runtime::template::filters::Registry;
use djust_runtime::template::parser::{parse, walk, Node, ParseOptions};
use djust_runtime::template::{TokenKind, Value};
use djust_runtime::Span;
use std::cell::RefCell;

pub use crate::summary::template::*;

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

thread_local! {
    static PARSER: RefCell<Option<(tree_sitter::Parser, Kinds)>> = const { RefCell::new(None) };
}

/// Summarise a template's source.
///
/// The template is parsed by the runtime's parser in lenient mode (the one parser the
/// renderer uses), so `{% extends %}`, `{% include %}` and `{% comment %}` are the
/// engine's own nodes; templates with errors or unknown tags still yield their
/// structure.
pub fn summarize(source: &str) -> TemplateDoc {
    let opts = ParseOptions {
        lenient: true,
        name: None,
    };
    let parsed = match parse(source, &registry(), &opts) {
        Ok(p) => p,
        // Lenient parsing only fails on pathological nesting; keep the text as is.
        Err(_) => {
            let mut doc = TemplateDoc::default();
            let (elements, tags) = elements_within_depth(source, source, &mut doc.errors);
            doc.elements = elements;
            doc.tags = tags;
            return doc;
        }
    };
    let mut doc = TemplateDoc {
        errors: syntax_issues(&parsed.errors),
        ..TemplateDoc::default()
    };
    let mut comment_blocks: Vec<Span> = Vec::new();
    walk(&parsed.nodes, &mut |node| match node {
        Node::Extends(expr, span) if doc.extends.is_none() => doc.extends = Some(template_ref(expr, *span)),
        Node::Include(inc) => doc.includes.push(template_ref(&inc.template, inc.span)),
        Node::CommentBlock(span) => comment_blocks.push(*span),
        Node::Unknown(command, span) if command.as_ref() == "live_render" => {
            if let Some(path) = live_render_target(span.slice(source)) {
                doc.embeds.push(path);
            }
        }
        _ => {}
    });
    for span in &parsed.comments {
        let content = span
            .slice(source)
            .trim_start_matches("{#")
            .trim_end_matches("#}")
            .trim();
        if let Some(d) = noqa::template_directive(content, *span, source) {
            doc.noqa_directives.push(d);
        }
        if let Some(n) = noqa::template_noqa(content) {
            doc.noqa = Some(match doc.noqa.take() {
                Some(prev) => prev.merge(n),
                None => n,
            });
        }
        if is_partial_marker(content) {
            doc.partial = true;
        }
    }

    // Mask every Django construct (and whole comment blocks) to spaces, byte for byte.
    let mut masked = source.as_bytes().to_vec();
    let mut blank = |span: Span| {
        for b in &mut masked[span.start.min(source.len())..span.end.min(source.len())] {
            if *b != b'\n' && *b != b'\r' {
                *b = b' ';
            }
        }
    };
    for tok in parsed.tokens.iter().filter(|t| t.kind != TokenKind::Text) {
        blank(tok.span);
    }
    for c in &comment_blocks {
        blank(*c);
    }
    let masked =
        String::from_utf8(masked).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    // Only elements with `dj-` attributes (or the old `data-djust-…` and `@event`
    // syntaxes) and those the accessibility and script rules read matter; a template
    // with none of them is not parsed as HTML.
    let bytes = masked.as_bytes();
    // One ASCII-lower-cased copy for every case-insensitive search (same offsets).
    let lower = masked.to_ascii_lowercase();
    let wanted = [
        "dj-",
        "data-djust-",
        "<img",
        "<input",
        "<select",
        "<textarea",
        "<button",
        "<a ",
        "<a\n",
        "<script",
        "tabindex",
    ];
    if wanted.iter().any(|w| lower.contains(w))
        || bytes
            .windows(2)
            .any(|w| w[0] == b'@' && w[1].is_ascii_lowercase())
    {
        let (elements, tags) = elements_within_depth(source, &masked, &mut doc.errors);
        doc.elements = elements;
        doc.tags = tags;
        for el in &mut doc.elements {
            // Masking left spaces where template code built the value.
            if let Some(view) = el.view {
                el.view_templated = source.get(view.start..view.end).is_some_and(|t| t.contains('{'));
            }
        }
    }
    doc.component = lower.contains("dj-component");
    if let Some(at) = lower.find("cdn.tailwindcss.com") {
        doc.tailwind_cdn = Some(Span::new(at, at + "cdn.tailwindcss.com".len()));
    }
    doc.client_script = doc
        .tags
        .iter()
        .find(|t| {
            t.name == "script"
                && source
                    .get(t.span.start..t.span.end)
                    .is_some_and(|s| s.contains("djust/client.js") || s.contains("djust/client.min.js"))
        })
        .map(|t| t.span);
    doc
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

/// [`elements`] of `masked` up to where its HTML nests deeper than
/// [`MAX_HTML_DEPTH`](crate::html_depth::MAX_HTML_DEPTH); past it, one issue says the
/// rest is not checked (the element scan would take time quadratic in the depth).
fn elements_within_depth(
    source: &str,
    masked: &str,
    errors: &mut Vec<SyntaxIssue>,
) -> (Vec<Element>, Vec<Tag>) {
    let Some(at) = crate::html_depth::too_deep_at(masked) else {
        return elements(source, masked);
    };
    let end = masked[at..].find('>').map_or(masked.len(), |e| at + e + 1);
    errors.push(SyntaxIssue {
        span: Span::new(at, end),
        message: format!(
            "HTML elements are nested more than {} deep here; djust does not check the elements past this point",
            crate::html_depth::MAX_HTML_DEPTH
        ),
        django: false,
    });
    elements(&source[..at.min(source.len())], &masked[..at])
}

/// The parser's errors worth reporting. When the template loads a library djust does
/// not know (the project's own `templatetags/`), unknown tags and filters may come from
/// it, so those errors and the library error itself are dropped.
fn syntax_issues(errors: &[djust_runtime::template::TemplateError]) -> Vec<SyntaxIssue> {
    let foreign = errors
        .iter()
        .any(|e| e.message.contains("is not a registered tag library"));
    // A stray end tag (`{% endif %}` inside a `{% for %}`) is the error Django raises;
    // the tags it leaves unclosed are its consequence, not more errors.
    let stray_end = errors
        .iter()
        .filter(|e| e.message.starts_with("Invalid block tag") && e.message.contains(", expected "))
        .filter_map(|e| e.span.map(|s| s.start))
        .max();
    let mut out: Vec<SyntaxIssue> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut more = 0usize;
    for e in errors {
        let Some(span) = e.span else { continue };
        let explained_by_library = foreign
            && (e.message.starts_with("Invalid block tag")
                || e.message.starts_with("Invalid filter")
                || e.message.contains("is not a registered tag library"));
        let explained_by_stray_end = stray_end.is_some_and(|at| span.start < at)
            && (e.message.starts_with("Unclosed tag") || e.message == "unclosed block");
        if explained_by_library || explained_by_stray_end || !seen.insert(span) {
            continue;
        }
        if out.len() == MAX_SYNTAX_ISSUES {
            more += 1;
            continue;
        }
        out.push(SyntaxIssue {
            span,
            message: e.message.lines().next().unwrap_or_default().to_string(),
            django: true,
        });
    }
    if let (Some(first), true) = (out.first_mut(), more > 0) {
        first.message.push_str(&format!(
            " ({more} more syntax errors in this template are not reported; fix this one first)"
        ));
    }
    out
}

/// The most syntax errors reported for one template (a cascade of thousands, such as
/// 10,000 unclosed tags, is reported as its first errors and a count).
pub const MAX_SYNTAX_ISSUES: usize = 10;

/// The view a `{% live_render "app.views.Child" … %}` tag names, when it is a quoted
/// literal.
fn live_render_target(tag: &str) -> Option<String> {
    let inner = tag.strip_prefix("{%")?.strip_suffix("%}")?.trim();
    let arg = inner.strip_prefix("live_render")?.trim_start();
    let quote = arg.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let rest = &arg[1..];
    let end = rest.find(quote)?;
    let path = &rest[..end];
    (!path.is_empty()
        && path
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || c == '_')))
    .then(|| path.to_string())
}

/// The built-in filters plus `static`, whose tags the parser knows. Other libraries
/// (`i18n`, `humanize`, the project's own) count as foreign for E004.
fn registry() -> Registry {
    let mut r = Registry::builtins();
    r.register_library("static");
    r
}

fn is_partial_marker(content: &str) -> bool {
    let compact: String = content.chars().filter(|c| !c.is_whitespace()).collect();
    compact.eq_ignore_ascii_case("djust:partial")
}

/// A template reference from the parsed name expression: a quoted literal is a name,
/// anything else (a variable, a filtered value) is dynamic.
fn template_ref(expr: &FilterExpr, span: Span) -> TemplateRef {
    match (&expr.operand, expr.filters.is_empty()) {
        (Operand::Literal(Value::Str(name) | Value::Safe(name)), true) => TemplateRef::Literal {
            name: name.to_string(),
            span,
        },
        _ => TemplateRef::Dynamic { span },
    }
}

/// The node kinds of tree-sitter-html the walk looks at, by id (comparing ids, not
/// names: a name lookup is a C string, `strlen` each time).
#[derive(Clone, Copy)]
struct Kinds {
    element: u16,
    script_element: u16,
    style_element: u16,
    start_tag: u16,
    self_closing_tag: u16,
    end_tag: u16,
    tag_name: u16,
    attribute: u16,
    attribute_name: u16,
    attribute_value: u16,
    quoted_attribute_value: u16,
    /// Leaves and tags: nothing below them is an element.
    leaves: [u16; 6],
}

impl Kinds {
    fn of(language: &tree_sitter::Language) -> Kinds {
        let id = |name: &str| language.id_for_node_kind(name, true);
        Kinds {
            element: id("element"),
            script_element: id("script_element"),
            style_element: id("style_element"),
            start_tag: id("start_tag"),
            self_closing_tag: id("self_closing_tag"),
            end_tag: id("end_tag"),
            tag_name: id("tag_name"),
            attribute: id("attribute"),
            attribute_name: id("attribute_name"),
            attribute_value: id("attribute_value"),
            quoted_attribute_value: id("quoted_attribute_value"),
            leaves: [
                id("comment"),
                id("raw_text"),
                id("text"),
                id("start_tag"),
                id("self_closing_tag"),
                id("end_tag"),
            ],
        }
    }
}

/// A start tag, read once for both [`Element`] and [`Tag`].
struct StartTag<'s> {
    /// Lower-case name.
    name: String,
    /// The tag, `<` to `>`.
    span: Span,
    /// The whole element.
    extent: Span,
    /// Between the start and end tags (empty without an end tag).
    content: Span,
    /// Attributes: name as written, value (`None` when bare), the attribute's span, and
    /// the quoted value's span (quotes included) when it is quoted.
    attrs: Vec<(&'s str, Option<&'s str>, Span, Option<Span>)>,
}

/// Walk the HTML tree of the masked text once and collect the elements with djust
/// attributes and the [`Tag`]s. `source` is the text before masking (same offsets).
fn elements(source: &str, masked: &str) -> (Vec<Element>, Vec<Tag>) {
    let parsed = PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let language: tree_sitter::Language = tree_sitter_html::LANGUAGE.into();
            let mut p = tree_sitter::Parser::new();
            if p.set_language(&language).is_err() {
                return None;
            }
            *slot = Some((p, Kinds::of(&language)));
        }
        slot.as_mut()
            .and_then(|(p, kinds)| p.parse(masked, None).map(|t| (t, *kinds)))
    });
    let Some((tree, k)) = parsed else {
        return (Vec::new(), Vec::new());
    };
    let mut out = Vec::new();
    let mut tags = Vec::new();
    let mut cursor = tree.walk();
    // The start of the last start tag read with its element: a start tag reached on
    // its own is one outside an element (in an error-recovery node).
    let mut handled = usize::MAX;
    'walk: loop {
        let node = cursor.node();
        let kind = node.kind_id();
        let is_element = kind == k.element || kind == k.script_element || kind == k.style_element;
        let lone_tag = (kind == k.start_tag || kind == k.self_closing_tag) && node.start_byte() != handled;
        let start = if is_element || lone_tag {
            start_tag(masked, node, &k)
        } else {
            None
        };
        if let Some(start) = start {
            handled = start.span.start;
            if let Some(el) = element(&start) {
                out.push(el);
            }
            if let Some(tag) = tag(source, masked, &start) {
                tags.push(tag);
            }
        }
        // Descend, except into tags and leaves that cannot hold elements.
        if !k.leaves.contains(&kind) && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                continue 'walk;
            }
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
    (out, tags)
}

/// The start tag of an element node (or a start tag node on its own: `node` is then
/// the tag, and the element is just the tag), with its attributes and the element's
/// extent.
fn start_tag<'s>(src: &'s str, node: tree_sitter::Node<'_>, k: &Kinds) -> Option<StartTag<'s>> {
    let is_tag = |n: tree_sitter::Node<'_>| n.kind_id() == k.start_tag || n.kind_id() == k.self_closing_tag;
    let mut end_tag = None;
    let first = if is_tag(node) {
        node
    } else {
        let mut cursor = node.walk();
        if !cursor.goto_first_child() || !is_tag(cursor.node()) {
            return None;
        }
        let first = cursor.node();
        while cursor.goto_next_sibling() {
            if cursor.node().kind_id() == k.end_tag {
                end_tag = Some(cursor.node().start_byte());
            }
        }
        first
    };
    let span = Span::new(first.start_byte(), first.end_byte());
    let extent = Span::new(span.start, node.end_byte());
    let content = Span::new(span.end, end_tag.unwrap_or(node.end_byte()).max(span.end));
    let mut name = String::new();
    let mut attrs = Vec::new();
    let mut c = first.walk();
    for child in first.children(&mut c) {
        let kind = child.kind_id();
        if kind == k.tag_name {
            name = child.utf8_text(src.as_bytes()).unwrap_or("").to_ascii_lowercase();
        } else if kind == k.attribute {
            let mut c2 = child.walk();
            let mut attr_name = None;
            let mut value = None;
            let mut quoted = None;
            for part in child.children(&mut c2) {
                let pk = part.kind_id();
                if pk == k.attribute_name {
                    attr_name = part.utf8_text(src.as_bytes()).ok();
                } else if pk == k.attribute_value {
                    value = part.utf8_text(src.as_bytes()).ok();
                } else if pk == k.quoted_attribute_value {
                    quoted = Some(Span::new(part.start_byte(), part.end_byte()));
                    let mut c3 = part.walk();
                    value = part
                        .children(&mut c3)
                        .find(|n| n.kind_id() == k.attribute_value)
                        .and_then(|n| n.utf8_text(src.as_bytes()).ok())
                        .or(Some(""));
                }
            }
            if let Some(n) = attr_name {
                attrs.push((n, value, Span::new(child.start_byte(), child.end_byte()), quoted));
            }
        }
    }
    Some(StartTag {
        name,
        span,
        extent,
        content,
        attrs,
    })
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

fn element(start: &StartTag<'_>) -> Option<Element> {
    let mut el = Element {
        extent: start.extent,
        span: start.span,
        tag: start.name.clone(),
        view: None,
        view_value: None,
        root: None,
        directives: Vec::new(),
        legacy: Vec::new(),
        view_templated: false,
    };
    for &(name, value, span, _) in &start.attrs {
        let lname = name.to_ascii_lowercase();
        if lname == "dj-view" {
            el.view = Some(span);
            el.view_value = value.map(|v| v.trim().to_string());
        } else if lname == "dj-root" {
            el.root = Some(span);
        } else if is_legacy_attribute(&lname) {
            el.legacy.push((lname, span));
        } else if is_event_directive(&lname) {
            // Django constructs are masked to spaces, so a value with template
            // code in it is not a clean identifier and gets no target.
            let target = value.filter(|v| is_identifier(v)).map(str::to_string);
            el.directives.push(DirectiveAttr {
                name: lname,
                span,
                target,
            });
        }
    }
    (el.view.is_some() || el.root.is_some() || !el.directives.is_empty() || !el.legacy.is_empty())
        .then_some(el)
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
    use crate::noqa::Noqa;

    #[test]
    fn comments_hide_elements_and_directives() {
        let src = r#"<!-- <div dj-root> -->
{# <div dj-root> #}
{% comment %}<div dj-root>{# noqa #}{% endcomment %}
<script>let s = '<div dj-root>';</script>
<div dj-view="a.b.C">x</div>"#;
        let doc = summarize(src);
        assert_eq!(doc.elements.len(), 1);
        assert!(doc.elements[0].root.is_none());
        assert_eq!(doc.elements[0].view_value.as_deref(), Some("a.b.C"));
        assert!(doc.noqa.is_none(), "noqa inside a comment block must not count");
    }

    #[test]
    fn django_tags_inside_start_tags_and_gt_in_values() {
        let src = "<section class=\"{% if a %}x{% endif %}\" data-x=\"a>b\"\n   {% if live %}dj-root{% endif %}\n   DJ-VIEW='app.views.V' dj-click.prevent=\"go\">";
        let doc = summarize(src);
        assert_eq!(doc.elements.len(), 1);
        let el = &doc.elements[0];
        assert_eq!(el.tag, "section");
        assert!(el.root.is_some() && el.view.is_some());
        assert_eq!(el.directives.len(), 1);
        assert_eq!(el.directives[0].target.as_deref(), Some("go"));
        assert_eq!(el.span.start, 0);
    }

    #[test]
    fn directive_targets_are_literal_names_only() {
        let src = r#"<div dj-root dj-view="a.V"><button dj-click="save">s</button>
<button dj-click="{{ action }}">a</button><button dj-click="remove_{{ n }}">r</button>
<input dj-model.lazy='title' dj-keydown.enter=submit_form dj-input="not a name"></div>"#;
        let doc = summarize(src);
        let targets: Vec<(&str, Option<&str>)> = doc
            .elements
            .iter()
            .flat_map(|e| e.directives.iter())
            .map(|d| (d.name.as_str(), d.target.as_deref()))
            .collect();
        assert_eq!(
            targets,
            [
                ("dj-click", Some("save")),
                ("dj-click", None),
                ("dj-click", None),
                ("dj-model.lazy", Some("title")),
                ("dj-keydown.enter", Some("submit_form")),
                ("dj-input", None),
            ]
        );
    }

    #[test]
    fn extends_includes_noqa_partial() {
        let src = "{% extends \"base.html\" %}{% include 'a.html' with x=1 %}{% include tpl %}{# noqa: T002 #}{# djust : partial #}";
        let doc = summarize(src);
        assert!(matches!(&doc.extends, Some(TemplateRef::Literal { name, .. }) if name == "base.html"));
        assert_eq!(doc.includes.len(), 2);
        assert!(matches!(&doc.includes[1], TemplateRef::Dynamic { .. }));
        assert_eq!(doc.noqa, Some(Noqa::Codes(vec!["T002".into()])));
        assert!(doc.partial);
    }

    #[test]
    fn prefixed_names_are_not_djust_attributes() {
        let doc = summarize("<div data-dj-view=\"x\" dj-view-transitions dj-rooted>");
        assert!(doc.elements.is_empty());
    }
}
