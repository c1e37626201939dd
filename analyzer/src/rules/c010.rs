//! C010: Tailwind's CDN script in a production layout.

use crate::declare_violation;
use crate::finding::{FileId, Finding};
use crate::rule::Rule;
use djust_runtime::Span;

declare_violation! {
    /// ## What it does
    /// Flags a layout template (a name containing `base` or `layout`) that loads
    /// `cdn.tailwindcss.com`, when a settings module can run in production (`DEBUG` not
    /// literally `True`).
    ///
    /// ## Why is this bad?
    /// Tailwind's Play CDN compiles CSS in the browser on every page load and says itself
    /// it is not for production: pages render unstyled first, and the page depends on a
    /// third-party script at run time.
    ///
    /// ## Example
    /// ```html
    /// <script src="https://cdn.tailwindcss.com"></script>
    /// ```
    ///
    /// ## Fix
    /// Build the CSS (`tailwindcss -i input.css -o static/css/output.css --minify`) and
    /// link the file: `<link rel="stylesheet" href="{% static 'css/output.css' %}">`.
    /// Suppress with `{# noqa: C010 #}`.
    ///
    /// ## Differences from upstream
    /// Upstream reads `DEBUG` from the running process and reports the file without a
    /// line; djust reads the settings modules and points at the URL. Comments do not count.
    pub struct TailwindCdnInProduction {
        code: "C010",
        name: "tailwind-cdn-in-production",
        severity: Warning,
        summary: "Tailwind CDN in a production layout",
    }
}

/// The C010 finding at the CDN URL (`span`) in layout `name`.
pub fn finding(file: FileId, span: Span, name: &str) -> Finding {
    Finding::new(
        Rule::C010,
        file,
        span,
        format!("{name} loads Tailwind from its CDN, which compiles CSS in the browser and is not meant for production."),
    )
    .with_primary_label("Play CDN")
    .with_help("Build the CSS with the Tailwind CLI and link the file with {% static %}.")
}
