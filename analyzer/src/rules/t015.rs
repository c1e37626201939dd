//! T015: the legacy `data-djust-root` / `data-djust-view` attributes.

use crate::declare_violation;
use crate::finding::{FileId, Finding};
use crate::rule::Rule;
use crate::summary::template::TemplateDoc;

declare_violation! {
    /// ## What it does
    /// Flags `data-djust-root` and `data-djust-view`, the attribute names of older
    /// djust releases.
    ///
    /// ## Why is this bad?
    /// The client looks for `dj-root` and `dj-view` only: with the old names nothing
    /// mounts and no patch applies.
    ///
    /// ## Example
    /// ```html
    /// <div data-djust-root data-djust-view="shop.views.CartView">…</div>
    /// ```
    ///
    /// ## Fix
    /// Rename them: `<div dj-root dj-view="shop.views.CartView">`. Suppress with
    /// `{# noqa: T015 #}`.
    ///
    /// ## Differences from upstream
    /// Upstream matches the text, comments included.
    pub struct LegacyRootAttributes {
        code: "T015",
        name: "legacy-root-attributes",
        severity: Warning,
        summary: "Old `data-djust-root` / `data-djust-view` attribute names",
    }
}

/// Check one template.
pub fn check(file: FileId, doc: &TemplateDoc, out: &mut Vec<Finding>) {
    for el in doc.elements().iter() {
        for (name, span) in el.legacy.iter().filter(|(n, _)| n.starts_with("data-djust-")) {
            let new = name.trim_start_matches("data-djust-");
            out.push(
                Finding::new(
                    Rule::T015,
                    file,
                    *span,
                    format!("`{name}` is the old name of `dj-{new}`; the client does not read it."),
                )
                .with_primary_label("old attribute name")
                .with_help(format!("Rename it to `dj-{new}`.")),
            );
        }
    }
}
