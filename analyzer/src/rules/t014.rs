//! T014: a hand-written `data-dj-id`.

use crate::declare_violation;
use crate::finding::{FileId, Finding};
use crate::rule::Rule;
use crate::summary::template::TemplateDoc;

declare_violation! {
    /// ## What it does
    /// Flags a `data-dj-id` attribute written in a template.
    ///
    /// ## Why is this bad?
    /// djust numbers the elements of every render itself (`dj-id`) and addresses its
    /// patches by those numbers. A hand-written id collides with them or goes stale
    /// after the next patch, and patches land on the wrong element.
    ///
    /// ## Example
    /// ```html
    /// <li data-dj-id="{{ item.pk }}">{{ item.name }}</li>
    /// ```
    ///
    /// ## Fix
    /// Remove it. To keep list items matched across renders, use `dj-key`:
    /// `<li dj-key="{{ item.pk }}">`. Suppress with `{# noqa: T014 #}`.
    ///
    /// ## Differences from upstream
    /// Upstream matches the text, comments included, and cannot be suppressed in the
    /// template.
    pub struct HandWrittenDjId {
        code: "T014",
        name: "hand-written-dj-id",
        severity: Warning,
        summary: "`data-dj-id` written by hand",
    }
}

/// Check one template.
pub fn check(file: FileId, doc: &TemplateDoc, out: &mut Vec<Finding>) {
    for el in doc.elements().iter() {
        for (_, span) in el.legacy.iter().filter(|(n, _)| n == "data-dj-id") {
            out.push(
                Finding::new(
                    Rule::T014,
                    file,
                    *span,
                    "data-dj-id is djust's own: patches address elements by it.",
                )
                .with_primary_label("written by hand")
                .with_help("Remove it; use dj-key=\"…\" to match list items across renders."),
            );
        }
    }
}
