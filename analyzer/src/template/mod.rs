//! The template side: lex a template once and summarise what the rules need.
//!
//! 1. The runtime's template parser (lenient mode: [`djust_runtime::template::parse`])
//!    gives the tokens, the `{% extends %}` / `{% include %}` / `{% comment %}` nodes and
//!    the `{# #}` comments outside comment blocks.
//! 2. A *masked* copy of the text is made in which every Django construct (variables,
//!    tags, `{# #}` comments, whole comment blocks) is replaced by spaces, byte for
//!    byte, newlines kept. Offsets in the masked text are offsets in the file.
//! 3. [`html`] scans the masked text once with an HTML standard tokenizer (html5gum):
//!    HTML comments, `<script>`/`<style>` raw text and attribute values containing `>`
//!    are tokenized as a browser does; Django tags inside a start tag
//!    (`<div {% if x %}hidden{% endif %}>`) are spaces by then and cannot break it.
//!
//! Comments are not code: text inside `{# #}`, `{% comment %}` and `<!-- -->` never
//! produces an element, and only `{# noqa #}` comments outside comment blocks count.

mod html;

use crate::noqa;
use djust_runtime::template::expr::{FilterExpr, Operand};
use djust_runtime::template::library::Registry;
use djust_runtime::template::nodes::{walk, Node};
use djust_runtime::template::parser::{parse, ParseOptions};
use djust_runtime::template::{TokenKind, Value};
use djust_runtime::Span;
use thin_vec::ThinVec;

pub use crate::summary::template::*;

pub use html::{is_event_directive, MAX_HTML_DEPTH};

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
    let parsed = match parse(source, registry(), &opts) {
        Ok(p) => p,
        // Lenient parsing only fails on pathological nesting; keep the text as is.
        Err(_) => {
            let mut doc = TemplateDoc::default();
            let (elements, tags) = elements_within_depth(source, source, &mut doc.errors);
            doc.elements = elements.into();
            doc.tags = tags.into();
            return doc;
        }
    };
    let mut doc = TemplateDoc {
        errors: syntax_issues(&parsed.errors).into(),
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
        doc.elements = elements.into();
        doc.tags = tags.into();
        for el in &mut doc.elements {
            // Masking left spaces where template code built the value.
            if let Some(mount) = el.mount.as_mut() {
                if let Some(view) = mount.view {
                    mount.view_templated = source.get(view.start..view.end).is_some_and(|t| t.contains('{'));
                }
            }
        }
    }
    doc.component = lower.contains("dj-component");
    if let Some(at) = lower.find("cdn.tailwindcss.com") {
        doc.tailwind_cdn = Some(Span::new(at, at + "cdn.tailwindcss.com".len()).into());
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
        .map(|t| t.span.into());
    doc
}

/// [`html::scan`] of `masked`; past [`MAX_HTML_DEPTH`] open elements, one issue says
/// the rest is not checked.
fn elements_within_depth(
    source: &str,
    masked: &str,
    errors: &mut ThinVec<SyntaxIssue>,
) -> (Vec<Element>, Vec<Tag>) {
    let scan = html::scan(source, masked);
    if let Some(at) = scan.too_deep_at {
        let end = masked[at..].find('>').map_or(masked.len(), |e| at + e + 1);
        errors.push(SyntaxIssue {
            span: Span::new(at, end),
            message: format!(
                "HTML elements are nested more than {MAX_HTML_DEPTH} deep here; djust does not check the elements past this point"
            ),
            django: false,
        });
    }
    (scan.elements, scan.tags)
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

/// The built-in filters; the libraries whose tags the parser knows and whose filters are
/// named here (the analyzer never renders): Django's `static`, `cache`, `i18n`,
/// `humanize`, `tz` and `l10n`; and djust's own `live_tags` (`{% live_render
/// "app.views.X" key=value %}`, python/djust/templatetags). Other libraries (the
/// project's own) count as foreign for E004.
/// Built once per process.
fn registry() -> &'static Registry {
    static REGISTRY: std::sync::OnceLock<Registry> = std::sync::OnceLock::new();
    REGISTRY.get_or_init(|| {
        use djust_runtime::template::library::{CustomTag, Signature, TagKind};
        let mut r = djust_runtime::template::filters::builtins();
        use djust_runtime::template::library::{Arg, FilterDef, FilterFlags};
        let named = |name: &str, arg: Arg| {
            FilterDef::new(
                name,
                arg,
                FilterFlags::default(),
                std::sync::Arc::new(|_, _, _| Ok(djust_runtime::template::value::Value::None)),
            )
        };
        // Django's libraries: their tags (the parser's own) and their filters.
        for (_, library) in djust_runtime::template::library::TAGS {
            if !library.is_empty() {
                r.register_library(library);
            }
        }
        for (name, _, _) in djust_runtime::template::engine::I18N_FILTERS {
            r.register_library_filter("i18n", named(name, Arg::None));
        }
        for (library, name, arg) in djust_runtime::template::library::DJANGO_LIBRARY_FILTERS {
            r.register_library(library);
            r.register_library_filter(library, named(name, *arg));
        }
        r.register_tag(CustomTag {
            name: "live_render".to_string(),
            library: Some("live_tags".to_string()),
            kind: TagKind::Simple,
            signature: Signature {
                params: vec!["view_path".to_string()],
                defaults: 0,
                varargs: false,
                varkw: true,
                kwonly: Vec::new(),
                kwonly_required: Vec::new(),
            },
            takes_context: true,
            // The analyzer parses; it never renders.
            func: std::sync::Arc::new(|_| Ok(djust_runtime::template::value::Value::None)),
        });
        r
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn djusts_own_live_tags_library_is_known_so_other_errors_still_show() {
        // Regression: `{% load live_tags %}` counted as a foreign library, which hid the
        // template's unknown filters and unclosed tags (E004).
        let doc = summarize(
            "{% load live_tags %}{% if broken %}{{ x|nosuchfilter }}{% live_render \"a.views.B\" n=1 %}",
        );
        let messages: Vec<&str> = doc.errors.iter().map(|e| e.message.as_str()).collect();
        assert!(
            messages
                .iter()
                .any(|m| m.contains("Invalid filter: 'nosuchfilter'")),
            "{messages:?}"
        );
        assert!(
            messages.iter().any(|m| m.contains("Unclosed tag")),
            "{messages:?}"
        );
        assert!(
            !messages
                .iter()
                .any(|m| m.contains("live_render") || m.contains("live_tags")),
            "{messages:?}"
        );
    }
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
        assert!(doc.elements[0].root().is_none());
        assert_eq!(doc.elements[0].view_value(), Some("a.b.C"));
        assert!(doc.noqa.is_none(), "noqa inside a comment block must not count");
    }

    #[test]
    fn django_tags_inside_start_tags_and_gt_in_values() {
        let src = "<section class=\"{% if a %}x{% endif %}\" data-x=\"a>b\"\n   {% if live %}dj-root{% endif %}\n   DJ-VIEW='app.views.V' dj-click.prevent=\"go\">";
        let doc = summarize(src);
        assert_eq!(doc.elements.len(), 1);
        let el = &doc.elements[0];
        assert_eq!(el.tag, "section");
        assert!(el.root().is_some() && el.view().is_some());
        assert_eq!(el.directives.len(), 1);
        assert_eq!(el.directives[0].target.as_deref(), Some("go"));
        assert_eq!(el.span.start(), 0);
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
    fn packed_elements_read_back_as_built_and_answer_without_decoding() {
        let cases = [
            // (template, has dj-root, has dj-view, has a directive)
            (
                r#"<div dj-root dj-view="a.V"><button dj-click="save">s</button></div>"#,
                true,
                true,
                true,
            ),
            (r#"<div dj-view="a.V">x</div>"#, false, true, false),
            (r#"<main dj-root><p>x</p></main>"#, true, false, false),
            (
                r#"<button dj-click="go" dj-keydown.enter="{{ x }}">g</button>"#,
                false,
                false,
                true,
            ),
        ];
        for (src, root, view, directives) in cases {
            let built = summarize(src);
            let mut doc = built.clone();
            doc.pack();
            assert!(doc.elements.is_empty(), "{src}");
            assert_eq!(doc.elements().as_ref(), built.elements.as_slice(), "{src}");
            assert!(doc.has_elements());
            assert_eq!(
                (doc.has_root(), doc.has_view(), doc.has_directives()),
                (root, view, directives),
                "{src}"
            );
            // The same answers from the open form.
            assert_eq!(
                (built.has_root(), built.has_view(), built.has_directives()),
                (root, view, directives),
                "{src}"
            );
            // Packing twice changes nothing.
            let again = doc.packed.clone();
            doc.pack();
            assert_eq!(doc.packed, again);
        }
        // No element: nothing is packed.
        let mut doc = summarize("<p>plain</p>");
        doc.pack();
        assert!(doc.packed.is_none() && !doc.has_elements());
    }

    #[test]
    fn prefixed_names_are_not_djust_attributes() {
        let doc = summarize("<div data-dj-view=\"x\" dj-view-transitions dj-rooted>");
        assert!(doc.elements.is_empty());
    }
}
