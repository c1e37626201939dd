//! S011: an inline script inside a LiveView without a Content Security Policy.

use crate::declare_violation;
use crate::finding::{FileId, Finding};
use crate::project_settings::ProjectSettings;
use crate::rule::Rule;
use crate::summary::python::Setting;
use crate::summary::template::TemplateDoc;

/// `<script type>`s that hold data, not code.
const DATA_TYPES: &[&str] = &[
    "application/json",
    "application/ld+json",
    "importmap",
    "text/template",
    "text/x-template",
    "text/html",
    "text/plain",
];

declare_violation! {
    /// ## What it does
    /// Flags an inline `<script>` (no `src`, no `nonce`, a type that runs: not
    /// `application/json`, `application/ld+json`, `importmap`, `text/template`, …)
    /// inside an element with `dj-root` or `dj-view`, when no settings module configures
    /// a Content Security Policy: no `MIDDLEWARE` entry containing `csp`, no
    /// `CONTENT_SECURITY_POLICY`, no true `CSP_…` or `SECURE_CSP…` setting.
    ///
    /// ## Why is this bad?
    /// Without a policy, nothing stops script that reaches the page some other way (an
    /// unescaped value, a `|safe` too many) from running. And a script inside the
    /// LiveView's root runs once at page load only: patches that replace its element
    /// insert it as inert text, so behaviour written there silently stops after the
    /// first update.
    ///
    /// ## Example
    /// ```html
    /// <div dj-root dj-view="shop.views.Cart">
    ///   <script>document.title = "Cart";</script>
    /// </div>
    /// ```
    ///
    /// ## Fix
    /// Move the script to a static file loaded outside the root, and configure a CSP
    /// (Django 6's `django.middleware.csp.ContentSecurityPolicyMiddleware` or
    /// django-csp). Suppress with `{# noqa: S011 #}`.
    ///
    /// ## Differences from upstream
    /// Upstream finds the root with a regular expression over the text; djust reads the
    /// HTML tree (comments and `<pre>` never count). With several settings modules, djust
    /// reports only when none of them configures a policy.
    pub struct InlineScriptWithoutCsp {
        code: "S011",
        name: "inline-script-without-csp",
        severity: Warning,
        summary: "Inline `<script>` in a LiveView without a Content Security Policy",
    }
}

/// Whether `settings` configure a Content Security Policy (see the rule's doc).
pub fn configures_csp(settings: &ProjectSettings<'_>) -> bool {
    let middleware = matches!(settings.get("MIDDLEWARE"), Some(Setting::Strs(m))
        if m.iter().any(|e| e.to_ascii_lowercase().contains("csp")));
    middleware
        || settings.values.iter().any(|(name, (value, _, _))| {
            crate::settings_eval::is_csp_setting(name) && value.truthy() != Some(false)
        })
        // A MIDDLEWARE built at runtime may hold the policy's middleware.
        || matches!(settings.get("MIDDLEWARE"), Some(Setting::Other))
}

/// Check one template (the caller has found that no settings module configures a CSP).
pub fn check(file: FileId, doc: &TemplateDoc, out: &mut Vec<Finding>) {
    let roots: Vec<_> = doc
        .elements()
        .iter()
        .filter(|e| e.root().is_some() || e.view().is_some())
        .map(|e| e.extent)
        .collect();
    for tag in &doc.tags {
        if tag.name != "script" || tag.templated || tag.attr("src").is_some() || tag.attr("nonce").is_some() {
            continue;
        }
        let ty = tag
            .attr("type")
            .flatten()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if DATA_TYPES.contains(&ty.as_str()) {
            continue;
        }
        if !roots
            .iter()
            .any(|r| r.start() < tag.span.start && tag.span.end <= r.end())
        {
            continue;
        }
        out.push(
            Finding::new(
                Rule::S011,
                file,
                tag.span,
                "An inline <script> inside a LiveView root, and no Content Security Policy is configured.",
            )
            .with_primary_label("runs at page load only; nothing restricts script on this page")
            .with_help("Move the script to a static file outside the root, and configure a CSP (ContentSecurityPolicyMiddleware or django-csp)."),
        );
    }
}
