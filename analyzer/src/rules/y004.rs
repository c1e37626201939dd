//! Y004: a positive `tabindex`.

use crate::declare_violation;
use crate::finding::{FileId, Finding};
use crate::rule::Rule;
use crate::summary::template::TemplateDoc;

declare_violation! {
    /// ## What it does
    /// Flags `tabindex` with a positive integer value (`tabindex="3"`).
    ///
    /// ## Why is this bad?
    /// Positive values move the element ahead of everything else in the keyboard order,
    /// so Tab no longer follows the page; on a LiveView, whose DOM changes with every
    /// patch, the order becomes unpredictable (WCAG 2.4.3, *Focus Order*).
    ///
    /// ## Example
    /// ```html
    /// <input dj-model="title" tabindex="1">
    /// ```
    ///
    /// ## Fix
    /// Use `tabindex="0"` (focusable in document order) or `tabindex="-1"` (focusable from
    /// script only), and order the markup instead. Suppress with `{# noqa: Y004 #}`.
    ///
    /// ## Differences from upstream
    /// Upstream needs quotes around the value and matches comments too; djust reads the
    /// HTML tree.
    pub struct PositiveTabindex {
        code: "Y004",
        name: "positive-tabindex",
        severity: Warning,
        summary: "Positive `tabindex`",
    }
}

/// Check one template.
pub fn check(file: FileId, doc: &TemplateDoc, out: &mut Vec<Finding>) {
    for tag in &doc.tags {
        let Some(Some(value)) = tag.attr("tabindex") else {
            continue;
        };
        let Ok(n) = value.trim().parse::<u32>() else {
            continue;
        };
        if n == 0 {
            continue;
        }
        out.push(
            Finding::new(
                Rule::Y004,
                file,
                tag.span,
                format!(
                    "tabindex=\"{n}\" moves this <{}> ahead of the page's keyboard order.",
                    tag.name
                ),
            )
            .with_primary_label("positive tabindex")
            .with_help("Use tabindex=\"0\" (or \"-1\") and order the markup instead."),
        );
    }
}
