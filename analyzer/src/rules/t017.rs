//! T017: `dj-view` or `dj-root` on a table part.

use crate::declare_violation;
use crate::finding::{FileId, Finding};
use crate::rule::Rule;
use crate::summary::template::TemplateDoc;

/// Elements the HTML parser moves or drops outside their table context.
const TABLE_PARTS: &[&str] = &[
    "tbody", "thead", "tfoot", "colgroup", "caption", "col", "tr", "td", "th",
];

declare_violation! {
    /// ## What it does
    /// Flags `dj-view` or `dj-root` on a `<tbody>`, `<thead>`, `<tfoot>`, `<tr>`,
    /// `<td>`, `<th>`, `<caption>`, `<colgroup>` or `<col>`.
    ///
    /// ## Why is this bad?
    /// The HTML standard's table insertion modes move or drop these elements when they
    /// are not where a table allows them: the patched HTML of a LiveView root that is a
    /// `<tr>` is re-parsed without its row, and the client loses the root.
    ///
    /// ## Example
    /// ```html
    /// <tbody dj-root dj-view="shop.views.OrdersView">…</tbody>
    /// ```
    ///
    /// ## Fix
    /// Put the root on an element around the table: `<div dj-root dj-view="…"><table>…`.
    /// Suppress with `{# noqa: T017 #}`.
    ///
    /// ## Differences from upstream
    /// Upstream matches the text with a regular expression (comments included).
    pub struct RootOnTablePart {
        code: "T017",
        name: "root-on-table-part",
        severity: Warning,
        summary: "`dj-view`/`dj-root` on a table part",
    }
}

/// Check one template.
pub fn check(file: FileId, doc: &TemplateDoc, out: &mut Vec<Finding>) {
    for el in doc.elements().iter() {
        if !TABLE_PARTS.contains(&el.tag.as_str()) {
            continue;
        }
        let Some(span) = el.view().or(el.root()) else {
            continue;
        };
        out.push(
            Finding::new(
                Rule::T017,
                file,
                span,
                format!("A LiveView root on <{}>: the HTML parser moves or drops table parts, and the root with them.", el.tag),
            )
            .with_primary_label(format!("on <{}>", el.tag))
            .with_help("Put dj-root and dj-view on an element around the table (a <div> or <section>)."),
        );
    }
}
