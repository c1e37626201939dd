//! E004: a template that does not parse.

use crate::declare_violation;
use crate::finding::{FileId, Finding};
use crate::rule::Rule;
use crate::summary::template::TemplateDoc;

declare_violation! {
    /// ## What it does
    /// Reports a template syntax error: an unclosed `{% block %}` or `{% if %}`, an end
    /// tag that does not match, a malformed `{% for %}`, an unknown built-in filter,
    /// an empty `{{ }}`, … The message is the one Django's `TemplateSyntaxError` gives,
    /// from the same parser the djust renderer uses. Every error in the file is
    /// reported, not only the first, up to ten; past ten, the first finding says how
    /// many more there are (a cascade such as 10,000 unclosed tags is one problem).
    ///
    /// One problem that is not Django's is reported here too: HTML nested more than
    /// 1,000 elements deep, past which djust stops looking for elements (scanning
    /// deeper would take time quadratic in the depth).
    ///
    /// The tags and filters of Django's `static`, `cache`, `i18n`, `humanize`, `tz` and
    /// `l10n` libraries are checked as Django parses them. When a template `{% load %}`s a tag library that djust does not
    /// know (your own `templatetags/`), unknown tags and filters are not reported,
    /// since they may come from that library.
    ///
    /// ## Why is this bad?
    /// Django raises `TemplateSyntaxError` when the template is first loaded, so the
    /// page (and every LiveView render of it) fails.
    ///
    /// ## Example
    /// ```html
    /// {% if user.is_authenticated %}
    ///   <p>Hello {{ user.username|uper }}</p>
    /// ```
    ///
    /// ## Fix
    /// Close the `{% if %}` with `{% endif %}` and fix the filter name (`upper`).
    ///
    /// ## Differences from upstream
    /// Upstream's checks do not parse templates; a syntax error surfaces only when the
    /// page is rendered.
    pub struct TemplateSyntaxError {
        code: "E004",
        name: "template-syntax-error",
        severity: Error,
        summary: "Template does not parse",
    }
}

/// One E004 finding per syntax error recorded in `doc`.
pub fn check(file: FileId, doc: &TemplateDoc, out: &mut Vec<Finding>) {
    out.extend(findings(file, doc));
}

fn findings(file: FileId, doc: &TemplateDoc) -> Vec<Finding> {
    doc.errors
        .iter()
        .map(|e| {
            if !e.django {
                return Finding::new(Rule::E004, file, e.span, e.message.clone())
                    .with_primary_label("here")
                    .with_help("flatten the markup; elements this deep are not checked");
            }
            Finding::new(
                Rule::E004,
                file,
                e.span,
                format!("TemplateSyntaxError: {}", e.message),
            )
            .with_primary_label("here")
            .with_help("Django raises this error when it loads the template")
        })
        .collect()
}
