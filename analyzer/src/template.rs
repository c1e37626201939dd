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

use crate::noqa::{self, Noqa};
use djust_runtime::template::expr::{FilterExpr, Operand};
use djust_runtime::template::filters::Registry;
use djust_runtime::template::parser::{parse, walk, Node, ParseOptions};
use djust_runtime::template::{TokenKind, Value};
use djust_runtime::Span;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;

/// A reference to another template from `{% extends %}` or `{% include %}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TemplateRef {
    /// A quoted name: `{% extends "base.html" %}`.
    Literal {
        /// The name without quotes.
        name: String,
        /// Span of the whole tag.
        span: Span,
    },
    /// A variable: `{% extends layout %}` (not resolvable statically).
    Dynamic {
        /// Span of the whole tag.
        span: Span,
    },
}

/// An element whose start tag carries at least one djust attribute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Element {
    /// The start tag, `<` to `>`.
    pub span: Span,
    /// Tag name, lower-case.
    pub tag: String,
    /// Span of the `dj-view` attribute, if present.
    pub view: Option<Span>,
    /// The `dj-view` value, if quoted or bare.
    pub view_value: Option<String>,
    /// Span of the `dj-root` attribute, if present.
    pub root: Option<Span>,
    /// Event directives on this element (`dj-click`, `dj-model.lazy`, …).
    pub directives: Vec<DirectiveAttr>,
    /// Attributes of old or foreign syntaxes the template rules report (T001, T014,
    /// T015): `@click`-style events, `data-dj-id`, `data-djust-root`/`data-djust-view`,
    /// lower-case names with their spans.
    pub legacy: Vec<(String, Span)>,
    /// Whether the `dj-view` value is built by the template (`{{ … }}`, `{% … %}`).
    pub view_templated: bool,
}

/// One event directive attribute of an element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectiveAttr {
    /// The attribute name, lower-case (`dj-click`, `dj-keydown.enter`).
    pub name: String,
    /// The whole attribute.
    pub span: Span,
    /// The value when it is a literal name (`dj-click="save"` → `save`): the handler,
    /// or for `dj-model` the state attribute. `None` when it is computed by the
    /// template (`dj-click="{{ action }}"`) or not a Python identifier.
    pub target: Option<String>,
}

/// Everything the template rules need from one template.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TemplateDoc {
    /// Elements with djust attributes, in source order.
    pub elements: Vec<Element>,
    /// The `{% extends %}` tag, if any (the first one outside comments).
    pub extends: Option<TemplateRef>,
    /// Every `{% include %}` tag outside comments.
    pub includes: Vec<TemplateRef>,
    /// File-wide suppression from `{# noqa #}` comments.
    pub noqa: Option<Noqa>,
    /// `{# djust:partial #}` marks a fragment that is never a LiveView root.
    pub partial: bool,
    /// The LiveViews this template embeds with `{% live_render "app.views.Child" %}`
    /// (upstream's tag for a child view inside a parent's root), by dotted path.
    pub embeds: Vec<String>,
    /// Syntax errors from the parser (E004), minus those a foreign tag library may
    /// explain; at most [`MAX_SYNTAX_ISSUES`], the first one counting those left out.
    pub errors: Vec<SyntaxIssue>,
}

/// A template syntax error: Django's message (first line) and where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyntaxIssue {
    /// The offending tag or variable.
    pub span: Span,
    /// Django's `TemplateSyntaxError` message, first line only (or djust's own, when
    /// `django` is false).
    pub message: String,
    /// Whether Django raises this error (false for the HTML depth limit, djust's own).
    pub django: bool,
}

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
    static PARSER: RefCell<Option<tree_sitter::Parser>> = const { RefCell::new(None) };
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
            doc.elements = elements_within_depth(source, &mut doc.errors);
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
    // syntaxes) matter; most layouts and components have none.
    let bytes = masked.as_bytes();
    if contains_ignore_ascii_case(bytes, b"dj-")
        || contains_ignore_ascii_case(bytes, b"data-djust-")
        || bytes
            .windows(2)
            .any(|w| w[0] == b'@' && w[1].is_ascii_lowercase())
    {
        doc.elements = elements_within_depth(&masked, &mut doc.errors);
        for el in &mut doc.elements {
            // Masking left spaces where template code built the value.
            if let Some(view) = el.view {
                el.view_templated = source.get(view.start..view.end).is_some_and(|t| t.contains('{'));
            }
        }
    }
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
fn elements_within_depth(masked: &str, errors: &mut Vec<SyntaxIssue>) -> Vec<Element> {
    let Some(at) = crate::html_depth::too_deep_at(masked) else {
        return elements(masked);
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
    elements(&masked[..at])
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

/// The built-in filters plus `static`, whose tags the parser knows. Other libraries
/// (`i18n`, `humanize`, the project's own) count as foreign for E004.
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

fn registry() -> Registry {
    let mut r = Registry::builtins();
    r.register_library("static");
    r
}

fn contains_ignore_ascii_case(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
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

/// Walk the HTML tree of the masked text and collect elements with djust attributes.
fn elements(masked: &str) -> Vec<Element> {
    let tree = PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let mut p = tree_sitter::Parser::new();
            if p.set_language(&tree_sitter_html::LANGUAGE.into()).is_err() {
                return None;
            }
            *slot = Some(p);
        }
        slot.as_mut().and_then(|p| p.parse(masked, None))
    });
    let Some(tree) = tree else { return Vec::new() };
    let mut out = Vec::new();
    let mut cursor = tree.walk();
    'walk: loop {
        let node = cursor.node();
        let kind = node.kind();
        if kind == "start_tag" || kind == "self_closing_tag" {
            if let Some(el) = element(masked, node) {
                out.push(el);
            }
        }
        // Descend, except into leaves that cannot hold elements.
        if !matches!(kind, "comment" | "raw_text" | "attribute" | "text") && cursor.goto_first_child() {
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
    out
}

fn element(src: &str, node: tree_sitter::Node<'_>) -> Option<Element> {
    let mut el = Element {
        span: Span::new(node.start_byte(), node.end_byte()),
        tag: String::new(),
        view: None,
        view_value: None,
        root: None,
        directives: Vec::new(),
        legacy: Vec::new(),
        view_templated: false,
    };
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        match child.kind() {
            "tag_name" => el.tag = child.utf8_text(src.as_bytes()).unwrap_or("").to_ascii_lowercase(),
            "attribute" => {
                let mut c2 = child.walk();
                let mut name = None;
                let mut value = None;
                for part in child.children(&mut c2) {
                    match part.kind() {
                        "attribute_name" => name = part.utf8_text(src.as_bytes()).ok(),
                        "attribute_value" => value = part.utf8_text(src.as_bytes()).ok(),
                        "quoted_attribute_value" => {
                            let mut c3 = part.walk();
                            value = part
                                .children(&mut c3)
                                .find(|n| n.kind() == "attribute_value")
                                .and_then(|n| n.utf8_text(src.as_bytes()).ok())
                                .or(Some(""));
                        }
                        _ => {}
                    }
                }
                let Some(name) = name else { continue };
                let lname = name.to_ascii_lowercase();
                let span = Span::new(child.start_byte(), child.end_byte());
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
            _ => {}
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
