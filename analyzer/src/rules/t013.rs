//! T013: an empty or undotted `dj-view`.

use crate::declare_violation;
use crate::finding::{FileId, Finding};
use crate::rule::Rule;
use crate::summary::template::TemplateDoc;

declare_violation! {
    /// ## What it does
    /// Flags a `dj-view` attribute that is empty, has no value, or whose value is not a
    /// dotted import path (`CartView` instead of `shop.views.CartView`). A value built
    /// by the template (`dj-view="{{ view_path }}"`) is not checked.
    ///
    /// ## Why is this bad?
    /// The client mounts the class `dj-view` names by its import path; a bare class name
    /// or an empty value mounts nothing and the page stays dead.
    ///
    /// ## Example
    /// ```html
    /// <main dj-root dj-view="CartView">…</main>
    /// ```
    ///
    /// ## Fix
    /// Write the import path: `dj-view="shop.views.CartView"`. Suppress with
    /// `{# noqa: T013 #}` in the template.
    ///
    /// ## Differences from upstream
    /// Upstream reads only double-quoted values with a regular expression (comments
    /// included) and flags some template variables by name (`{{ view_name }}`); djust
    /// reads the attribute whatever its quoting and leaves every computed value alone.
    /// T102 then checks that a dotted path names a LiveView of the project.
    pub struct BadDjView {
        code: "T013",
        name: "bad-dj-view",
        severity: Warning,
        summary: "`dj-view` is empty or not a dotted import path",
    }
}

/// Check one template.
pub fn check(file: FileId, doc: &TemplateDoc, out: &mut Vec<Finding>) {
    for el in doc.elements().iter() {
        let Some(span) = el.view() else { continue };
        if el.view_templated() {
            continue;
        }
        let value = el.view_value().unwrap_or("");
        let problem = if value.is_empty() {
            "dj-view has no value: there is no LiveView to mount."
        } else if !value.contains('.') || value.starts_with('.') || value.ends_with('.') {
            "dj-view is not a dotted import path (module.Class)."
        } else {
            continue;
        };
        out.push(
            Finding::new(Rule::T013, file, span, problem)
                .with_primary_label("nothing can be mounted from this")
                .with_help("Name the LiveView's import path: dj-view=\"app.views.MyView\"."),
        );
    }
}
