//! Y001: a button or link with no accessible name.

use crate::declare_violation;
use crate::finding::{FileId, Finding};
use crate::rule::Rule;
use crate::summary::template::TemplateDoc;

declare_violation! {
    /// ## What it does
    /// Flags a `<button>` or an `<a href>` whose content names nothing (only icons:
    /// `<svg>` without a `<title>`, `<i class="…">`, character references such as
    /// `&times;`, comments, or nothing at all) and that has no `aria-label`,
    /// `aria-labelledby` or `title`.
    ///
    /// Text, a Django variable or tag in the content, an `<img alt="…">` or an element
    /// with `aria-label` inside count as a name. A start tag with Django code in it
    /// (`<button {{ attrs }}>`) is not reported: the attribute may come from there.
    ///
    /// ## Why is this bad?
    /// A screen reader announces such a control as just "button" or "link": its users
    /// cannot tell what it does (WCAG 4.1.2, *Name, Role, Value*).
    ///
    /// ## Example
    /// ```html
    /// <button dj-click="close"><i class="icon-x"></i></button>
    /// ```
    ///
    /// ## Fix
    /// `<button dj-click="close" aria-label="Close"><i class="icon-x"></i></button>`, or
    /// visually hidden text inside. Suppress with `{# noqa: Y001 #}`.
    ///
    /// ## Differences from upstream
    /// Upstream matches `<button>…</button>` with a regular expression, so nested markup
    /// and `{% if %}` branches confuse it, and it has no `noqa`; djust reads the HTML
    /// tree, and also counts an `<img alt>` or `aria-label` inside as a name.
    pub struct ControlWithoutName {
        code: "Y001",
        name: "control-without-name",
        severity: Warning,
        summary: "Button or link with no accessible name",
    }
}

/// Check one template.
pub fn check(file: FileId, doc: &TemplateDoc, out: &mut Vec<Finding>) {
    for tag in &doc.tags {
        let control = tag.name == "button" || (tag.name == "a" && tag.attr("href").is_some());
        if !control
            || tag.templated
            || tag.named_content
            || ["aria-label", "aria-labelledby", "title"]
                .iter()
                .any(|a| tag.has_value(a))
        {
            continue;
        }
        let what = if tag.name == "a" { "link" } else { "button" };
        out.push(
            Finding::new(
                Rule::Y001,
                file,
                tag.span,
                format!("This {what} has no accessible name: a screen reader announces it as \"{what}\" and nothing more."),
            )
            .with_primary_label("icon only")
            .with_help(format!("Add aria-label=\"…\" saying what the {what} does, or visually hidden text inside it.")),
        );
    }
}
