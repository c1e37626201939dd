//! What a template is, for the rules: its elements with djust attributes, the
//! elements the accessibility and script rules read, `{% extends %}` and
//! `{% include %}`, `noqa` directives and syntax errors. Built by
//! [`crate::template::summarize`] from one lex, one Django parse and one HTML parse.

use super::span::CompactSpan;
use crate::noqa::{self, Noqa};
use compact_str::CompactString;
use djust_runtime::Span;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use thin_vec::ThinVec;

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
    pub span: CompactSpan,
    /// Tag name, lower-case (inline up to 24 bytes: one allocation less per element).
    pub tag: CompactString,
    /// Event directives on this element (`dj-click`, `dj-model.lazy`, …).
    pub directives: ThinVec<DirectiveAttr>,
    /// Attributes of old or foreign syntaxes the template rules report (T001, T014,
    /// T015): `@click`-style events, `data-dj-id`, `data-djust-root`/`data-djust-view`,
    /// lower-case names with their spans.
    pub legacy: ThinVec<(String, Span)>,
    /// The whole element: its start tag to the end of its end tag; a void or
    /// self-closing element is its start tag; an element closed without an end tag
    /// (an implied end, or the end of the input) ends where it is closed.
    pub extent: CompactSpan,
    /// Its `dj-view` and `dj-root` attributes, on the one or two elements of a page
    /// that carry them (boxed: a run holds every element until the cross-file rules,
    /// and most carry only directives). Read through [`Element::view`] and the others.
    pub mount: Option<Box<MountAttrs>>,
}

/// The `dj-view` and `dj-root` attributes of an element (the element a LiveView
/// mounts on).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MountAttrs {
    /// Span of the `dj-view` attribute, if present.
    pub view: Option<Span>,
    /// The `dj-view` value, if quoted or bare.
    pub view_value: Option<String>,
    /// Span of the `dj-root` attribute, if present.
    pub root: Option<Span>,
    /// Whether the `dj-view` value is built by the template (`{{ … }}`, `{% … %}`).
    pub view_templated: bool,
}

impl Element {
    /// Span of the `dj-view` attribute, if present.
    pub fn view(&self) -> Option<Span> {
        self.mount.as_ref().and_then(|m| m.view)
    }

    /// The `dj-view` value, if quoted or bare.
    pub fn view_value(&self) -> Option<&str> {
        self.mount.as_ref().and_then(|m| m.view_value.as_deref())
    }

    /// Span of the `dj-root` attribute, if present.
    pub fn root(&self) -> Option<Span> {
        self.mount.as_ref().and_then(|m| m.root)
    }

    /// Whether the `dj-view` value is built by the template (`{{ … }}`, `{% … %}`).
    pub fn view_templated(&self) -> bool {
        self.mount.as_ref().is_some_and(|m| m.view_templated)
    }

    /// The element's [`MountAttrs`], created empty on first use.
    pub fn mount_mut(&mut self) -> &mut MountAttrs {
        self.mount.get_or_insert_with(Box::default)
    }
}

/// An element the accessibility and script rules look at (Y001–Y004, S011): `<img>`,
/// `<input>`, `<select>`, `<textarea>`, `<label>`, `<button>`, `<a>`, `<script>`, and
/// any element with a `tabindex`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    /// Tag name, lower-case.
    pub name: String,
    /// The start tag, `<` to `>`.
    pub span: Span,
    /// The whole element (see [`Element::extent`]).
    pub extent: Span,
    /// The attributes the rules read (`alt`, `aria-label`, `aria-labelledby`, `for`,
    /// `href`, `id`, `nonce`, `src`, `tabindex`, `title`, `type`): lower-case names and
    /// values (`None` for a bare attribute; Django code in a value is blanked to spaces).
    pub attrs: Vec<(String, Option<String>)>,
    /// Whether Django code (`{{ }}`, `{% %}`) is inside the start tag outside quoted
    /// attribute values (`<input {{ attrs }}>`, `{% if %}alt="…"{% endif %}`):
    /// attributes may come from it, so no rule says one is missing.
    pub templated: bool,
    /// For `<button>`, `<a>` and `<label>`: whether the content gives the element a
    /// name: text, a Django variable or tag, an `<img alt="…">` or an `aria-label` in
    /// it. Icons (`<svg>` without `<title>`, `<i class="…">`), entities and comments do not.
    pub named_content: bool,
}

impl Tag {
    /// The value of attribute `name` (lower-case); `Some(None)` when it is bare.
    pub fn attr(&self, name: &str) -> Option<Option<&str>> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_deref())
    }

    /// Whether the attribute is present with a value that is not blank.
    pub fn has_value(&self, name: &str) -> bool {
        matches!(self.attr(name), Some(Some(v)) if !v.trim().is_empty())
    }
}

/// One event directive attribute of an element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectiveAttr {
    /// The attribute name, lower-case (`dj-click`, `dj-keydown.enter`; inline up to 24
    /// bytes, as the target: a run holds every directive until the cross-file rules).
    pub name: CompactString,
    /// The whole attribute.
    pub span: CompactSpan,
    /// The value when it is a literal name (`dj-click="save"` → `save`): the handler,
    /// or for `dj-model` the state attribute. `None` when it is computed by the
    /// template (`dj-click="{{ action }}"`) or not a Python identifier.
    pub target: Option<CompactString>,
}

/// Everything the template rules need from one template.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TemplateDoc {
    /// Elements with djust attributes, in source order; empty once packed
    /// ([`TemplateDoc::pack`]). Read through [`TemplateDoc::elements`], which sees both
    /// forms.
    pub elements: ThinVec<Element>,
    /// The elements as a `check` run holds them, encoded, with what the cross-file rules
    /// ask of every template ([`TemplateDoc::pack`]); `None` when they are in
    /// [`TemplateDoc::elements`].
    pub packed: Option<PackedElements>,
    /// The `{% extends %}` tag, if any (the first one outside comments).
    pub extends: Option<TemplateRef>,
    /// Every `{% include %}` tag outside comments.
    pub includes: ThinVec<TemplateRef>,
    /// File-wide suppression from `{# noqa #}` comments.
    pub noqa: Option<Noqa>,
    /// Each `{# noqa #}` comment with its place (Q101, unused `noqa`).
    pub noqa_directives: ThinVec<noqa::Directive>,
    /// `{# djust:partial #}` marks a fragment that is never a LiveView root.
    pub partial: bool,
    /// A `dj-component` attribute outside comments: the template is a component's
    /// markup, part of its LiveView's page (T012).
    pub component: bool,
    /// The elements the accessibility and script rules look at, in source order.
    pub tags: ThinVec<Tag>,
    /// `https://cdn.tailwindcss.com` in the text outside comments (C010).
    pub tailwind_cdn: Option<CompactSpan>,
    /// A `<script>` that loads djust's client by hand (`djust/client.js` or
    /// `djust/client.min.js`), the start tag (C012).
    pub client_script: Option<CompactSpan>,
    /// The LiveViews this template embeds with `{% live_render "app.views.Child" %}`
    /// (upstream's tag for a child view inside a parent's root), by dotted path.
    pub embeds: ThinVec<String>,
    /// Syntax errors from the parser (E004), minus those a foreign tag library may
    /// explain; at most [`MAX_SYNTAX_ISSUES`], the first one counting those left out.
    pub errors: ThinVec<SyntaxIssue>,
}

impl TemplateDoc {
    /// Keep what the cross-file rules and the language server read once the per-file
    /// template rules have run: of [`TemplateDoc::tags`] only the `<script>` elements
    /// (S011 reads them across files, with the settings). A run holds one summary per
    /// template until the cross-file rules are done; it is then copied into exactly
    /// sized allocations ([`crate::pipeline`]'s `Summary::compacted`).
    pub fn keep_for_project(&mut self) {
        self.tags.retain(|t| t.name == "script");
    }

    /// Encode [`TemplateDoc::elements`] into [`TemplateDoc::packed`] (postcard, one
    /// exactly sized allocation), for a `check` run, which holds every template's summary
    /// until its cross-file rules are done and reads a template's elements in a few
    /// passes only; the language server keeps them open. An element held decoded costs
    /// 64 bytes and an allocation for its directives, 56 bytes each; encoded, a typical
    /// one is about 35 bytes (docs/benchmarks.md, "Issue 19: freed pages purged at once,
    /// templates' elements packed"). No elements, or packed already: nothing changes.
    pub fn pack(&mut self) {
        if self.elements.is_empty() {
            return;
        }
        let Ok(bytes) = postcard::to_allocvec(&self.elements) else {
            // Encoding into memory fails only on allocation; the elements stay open.
            return;
        };
        let any = |f: fn(&Element) -> bool| self.elements.iter().any(f);
        self.packed = Some(PackedElements {
            has_root: any(|e| e.root().is_some()),
            has_view: any(|e| e.view().is_some()),
            has_directives: any(|e| !e.directives.is_empty()),
            bytes: bytes.into_boxed_slice(),
        });
        self.elements = ThinVec::new();
    }

    /// The elements with djust attributes, in source order: borrowed when open, decoded
    /// when packed ([`TemplateDoc::pack`]; bytes this process encoded, so decoding does
    /// not fail: if it did, no element is seen).
    pub fn elements(&self) -> Cow<'_, [Element]> {
        match &self.packed {
            Some(p) => Cow::Owned(postcard::from_bytes::<Vec<Element>>(&p.bytes).unwrap_or_default()),
            None => Cow::Borrowed(&self.elements),
        }
    }

    /// Whether the template has elements with djust attributes (open or packed).
    pub fn has_elements(&self) -> bool {
        self.packed.is_some() || !self.elements.is_empty()
    }

    /// Whether an element carries `dj-root` (without decoding packed elements).
    pub fn has_root(&self) -> bool {
        match &self.packed {
            Some(p) => p.has_root,
            None => self.elements.iter().any(|e| e.root().is_some()),
        }
    }

    /// Whether an element carries `dj-view` (without decoding packed elements).
    pub fn has_view(&self) -> bool {
        match &self.packed {
            Some(p) => p.has_view,
            None => self.elements.iter().any(|e| e.view().is_some()),
        }
    }

    /// Whether an element carries an event directive (without decoding packed elements).
    pub fn has_directives(&self) -> bool {
        match &self.packed {
            Some(p) => p.has_directives,
            None => self.elements.iter().any(|e| !e.directives.is_empty()),
        }
    }
}

/// A template's elements as a `check` run holds them ([`TemplateDoc::pack`]): their
/// postcard encoding, and the three questions the cross-file rules ask of every
/// template (T002, T012 and their `{% extends %}` chains) answered beforehand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackedElements {
    /// `Vec<Element>`, postcard-encoded.
    #[serde(with = "serde_bytes")]
    bytes: Box<[u8]>,
    /// An element carries `dj-root`.
    has_root: bool,
    /// An element carries `dj-view`.
    has_view: bool,
    /// An element carries an event directive.
    has_directives: bool,
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
