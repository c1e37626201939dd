//! Y002: an image without `alt`.

use crate::declare_violation;
use crate::finding::{FileId, Finding};
use crate::rule::Rule;
use crate::summary::template::TemplateDoc;

declare_violation! {
    /// ## What it does
    /// Flags an `<img>` without an `alt` attribute. A start tag with Django code in it
    /// (`<img {{ attrs }}>`, `<img {% if a %}alt="…"{% endif %}>`) is not reported.
    ///
    /// ## Why is this bad?
    /// Without `alt`, screen readers read the file name instead (WCAG 1.1.1, *Non-text
    /// Content*). A decorative image needs `alt=""` to be skipped.
    ///
    /// ## Example
    /// ```html
    /// <img src="{{ product.photo.url }}">
    /// ```
    ///
    /// ## Fix
    /// `<img src="{{ product.photo.url }}" alt="{{ product.name }}">`, or `alt=""` for a
    /// decorative image. Suppress with `{# noqa: Y002 #}`.
    ///
    /// ## Differences from upstream
    /// Upstream skips any tag with `{{` in it, so `<img src="{{ url }}">`, the usual
    /// case, is never reported; djust skips only Django code outside attribute values.
    pub struct ImageWithoutAlt {
        code: "Y002",
        name: "image-without-alt",
        severity: Warning,
        summary: "`<img>` without `alt`",
    }
}

/// Check one template.
pub fn check(file: FileId, doc: &TemplateDoc, out: &mut Vec<Finding>) {
    for tag in &doc.tags {
        if tag.name != "img" || tag.attr("alt").is_some() || tag.templated {
            continue;
        }
        out.push(
            Finding::new(
                Rule::Y002,
                file,
                tag.span,
                "This image has no alt text: screen readers read its file name.",
            )
            .with_primary_label("no alt")
            .with_help("Describe the image in alt=\"…\", or use alt=\"\" for a decorative one."),
        );
    }
}
