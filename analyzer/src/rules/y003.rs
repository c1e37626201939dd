//! Y003: a form field without a label.

use crate::declare_violation;
use crate::finding::{FileId, Finding};
use crate::rule::Rule;
use crate::summary::template::TemplateDoc;

/// `<input type>`s that need no label: hidden, or buttons whose value is their name.
const UNLABELLED_TYPES: &[&str] = &["hidden", "submit", "button", "reset", "image"];

declare_violation! {
    /// ## What it does
    /// Flags an `<input>` (any type but `hidden`, `submit`, `button`, `reset` and
    /// `image`), `<select>` or `<textarea>` that has no label: no `aria-label`,
    /// `aria-labelledby` or `title`, no `<label for="…">` in the template naming its
    /// `id`, and no `<label>` around it. A start tag with Django code between its
    /// attributes (`<input {{ attrs }}>`) is not reported, nor (being output) a
    /// `{{ form.field }}`; a field whose `id` the template builds counts as labelled by a
    /// label whose `for` it builds.
    ///
    /// ## Why is this bad?
    /// A screen reader announces an unlabelled field as "edit text" and nothing more; a
    /// `placeholder` is not a label and disappears once the user types (WCAG 1.3.1 and
    /// 4.1.2).
    ///
    /// ## Example
    /// ```html
    /// <input type="text" dj-model="query" placeholder="Search">
    /// ```
    ///
    /// ## Fix
    /// `<label for="q">Search</label><input id="q" type="text" dj-model="query">`, or
    /// `aria-label="Search"`. Suppress with `{# noqa: Y003 #}`.
    ///
    /// ## Differences from upstream
    /// Upstream skips any tag with `{{` in it (`value="{{ q }}"`) and matches `<label>`
    /// spans with a regular expression; djust reads the HTML tree and skips only Django
    /// code outside attribute values.
    pub struct FieldWithoutLabel {
        code: "Y003",
        name: "field-without-label",
        severity: Warning,
        summary: "Form field without a label",
    }
}

/// Check one template.
pub fn check(file: FileId, doc: &TemplateDoc, out: &mut Vec<Finding>) {
    let labels: Vec<&crate::summary::template::Tag> = doc.tags.iter().filter(|t| t.name == "label").collect();
    for tag in &doc.tags {
        let field = match tag.name.as_str() {
            "input" => {
                let ty = tag
                    .attr("type")
                    .flatten()
                    .unwrap_or("text")
                    .trim()
                    .to_ascii_lowercase();
                !UNLABELLED_TYPES.contains(&ty.as_str())
            }
            "select" | "textarea" => true,
            _ => false,
        };
        if !field
            || tag.templated
            || ["aria-label", "aria-labelledby", "title"]
                .iter()
                .any(|a| tag.has_value(a))
        {
            continue;
        }
        // An `id` or `for` whose value the template builds (`id="{{ f.id_for_label }}"`)
        // is blank here: such a label may name such a field.
        let id = tag.attr("id").flatten().map(str::trim);
        let labelled = labels.iter().any(|l| {
            let target = l.attr("for").flatten().map(str::trim);
            (l.extent.start < tag.span.start && tag.span.end <= l.extent.end)
                || (id.is_some_and(|i| !i.is_empty()) && target == id)
                || (id == Some("") && target == Some(""))
        });
        if labelled {
            continue;
        }
        out.push(
            Finding::new(
                Rule::Y003,
                file,
                tag.span,
                format!(
                    "This <{}> has no label: a screen reader cannot say what to enter.",
                    tag.name
                ),
            )
            .with_primary_label("no label")
            .with_help(
                "Add <label for=\"its-id\">…</label>, wrap it in a <label>, or give it aria-label=\"…\".",
            ),
        );
    }
}
