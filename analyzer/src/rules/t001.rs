//! T001: an event written in the old `@click=` syntax.

use crate::declare_violation;
use crate::finding::{FileId, Finding};
use crate::rule::Rule;
use crate::summary::template::TemplateDoc;

declare_violation! {
    /// ## What it does
    /// Flags attributes such as `@click="save"`, `@submit`, `@change`, `@input`,
    /// `@keydown.enter` on an element: the event syntax of early djust releases (and
    /// of Alpine.js and Vue), which djust's client does not read.
    ///
    /// Attributes inside comments and `{% comment %}` blocks do not count.
    ///
    /// ## Why is this bad?
    /// Nothing is bound: the button does nothing and no error is shown. In a page that
    /// also loads Alpine.js the attribute may be Alpine's, in which case suppress it.
    ///
    /// ## Example
    /// ```html
    /// <button @click="increment">+</button>
    /// ```
    ///
    /// ## Fix
    /// Use djust's directive: `<button dj-click="increment">+</button>`. Suppress with
    /// `{# noqa: T001 #}` in the template.
    ///
    /// ## Differences from upstream
    /// Upstream matches the text with a regular expression, comments included, and
    /// cannot be suppressed in the template.
    pub struct OldEventSyntax {
        code: "T001",
        name: "old-event-syntax",
        severity: Warning,
        summary: "Event written as `@click=` instead of `dj-click=`",
    }
}

/// Check one template.
pub fn check(file: FileId, doc: &TemplateDoc, out: &mut Vec<Finding>) {
    for el in doc.elements().iter() {
        for (name, span) in el.legacy.iter().filter(|(n, _)| n.starts_with('@')) {
            let directive = format!("dj-{}", &name[1..]);
            out.push(
                Finding::new(
                    Rule::T001,
                    file,
                    *span,
                    format!("`{name}` is not a djust directive: nothing is bound to this event."),
                )
                .with_primary_label("old event syntax")
                .with_help(format!("Write `{directive}=\"…\"`.")),
            );
        }
    }
}
