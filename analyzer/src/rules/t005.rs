//! T005: `dj-view` and `dj-root` on different elements.

use crate::declare_violation;
use crate::finding::{FileId, Finding};
use crate::rule::Rule;
use crate::summary::template::TemplateDoc;

declare_violation! {
    /// ## What it does
    /// Flags a template in which one element carries `dj-view` and a *different* element
    /// carries `dj-root`, while no element carries both. The finding points at the first
    /// element that has `dj-view` only, with the `dj-root` element labelled.
    ///
    /// Start tags are parsed as HTML: quoted values may contain `>`, tags may span lines,
    /// Django tags may sit inside a start tag, attribute names are case-insensitive.
    /// `dj-view-transitions` and `data-dj-view` are not `dj-view`. Elements inside
    /// `<!-- -->`, `{# #}` and `{% comment %}` do not count.
    ///
    /// ## Why is this bad?
    /// `dj-view` tells the client which LiveView to mount over the WebSocket; `dj-root`
    /// marks the element whose subtree the server's patches address. When they sit on
    /// different elements the client mounts one subtree and patches another: updates land
    /// in the wrong place or fail with "no dj-root found".
    ///
    /// ## Example
    /// ```html
    /// <main dj-view="shop.views.CartView">
    ///   <div dj-root>…</div>
    /// </main>
    /// ```
    ///
    /// ## Fix
    /// Put both attributes on the same element:
    /// ```html
    /// <main dj-root dj-view="shop.views.CartView">…</main>
    /// ```
    /// Suppress with `{# noqa: T005 #}` anywhere in the template.
    ///
    /// ## Differences from upstream
    /// Upstream matches tags with a regular expression: a `<div dj-root>` inside an HTML
    /// comment counts, a `>` inside a quoted value ends the tag early, and there is no
    /// `noqa`. djust parses the HTML and honours `{# noqa #}`.
    pub struct DjViewDjRootSplit {
        code: "T005",
        name: "dj-view-dj-root-split",
        severity: Warning,
        summary: "`dj-view` and `dj-root` are on different elements",
    }
}

/// Check one template.
pub fn check(file: FileId, doc: &TemplateDoc, out: &mut Vec<Finding>) {
    out.extend(split(file, doc));
}

fn split(file: FileId, doc: &TemplateDoc) -> Option<Finding> {
    let elements = doc.elements();
    if elements.iter().any(|e| e.view().is_some() && e.root().is_some()) {
        return None;
    }
    let view = elements.iter().find(|e| e.view().is_some())?;
    let root = elements.iter().find(|e| e.root().is_some())?;
    Some(
        Finding::new(
            Rule::T005,
            file,
            view.span,
            "dj-view and dj-root are on different elements; the LiveView mounts on one and patches the other.",
        )
        .with_help(format!(
            "Move `dj-root` onto this <{}> so one element carries both: <{} dj-root dj-view=\"{}\">",
            view.tag,
            view.tag,
            view.view_value().unwrap_or("app.views.MyView")
        ))
        .with_primary_label("dj-view is on this element")
        .with_label(root.span, "dj-root is on this element"),
    )
}
