//! C012: djust's client loaded by hand in a layout.

use crate::declare_violation;
use crate::finding::{FileId, Finding};
use crate::rule::Rule;
use djust_runtime::Span;

declare_violation! {
    /// ## What it does
    /// Flags a `<script>` loading `djust/client.js` or `djust/client.min.js` in a layout
    /// template (a name containing `base` or `layout`).
    ///
    /// ## Why is this bad?
    /// A LiveView's page gets the client from the server, which adds
    /// `{% static "djust/client.js" %}` before `</body>` unless the page already loads
    /// it. A hand-written tag takes that over: it stays on whatever path, attributes and
    /// position it was written with (a hard-coded `/static/…` path bypasses hashed static
    /// storage, and a copy in the project goes stale on upgrade), and every page of the
    /// layout loads the client, LiveView or not.
    ///
    /// ## Example
    /// ```html
    /// <script src="/static/djust/client.js"></script>
    /// ```
    ///
    /// ## Fix
    /// Remove the tag. Suppress with `{# noqa: C012 #}`.
    ///
    /// ## Differences from upstream
    /// Upstream matches lines holding both `<script` and the path (so a tag over two
    /// lines is missed, a comment counts) and reports the file name in the message only;
    /// djust reads the HTML tree and reports the tag.
    pub struct ManualClientScript {
        code: "C012",
        name: "manual-client-script",
        severity: Warning,
        summary: "djust's client loaded by hand in a layout",
    }
}

/// The C012 finding at the `<script>` start tag (`span`) in layout `name`.
pub fn finding(file: FileId, span: Span, name: &str) -> Finding {
    Finding::new(
        Rule::C012,
        file,
        span,
        format!("{name} loads djust's client by hand; the server adds it to LiveView pages itself."),
    )
    .with_primary_label("hand-written client tag")
    .with_help("Remove the tag: LiveView pages get the client from the server.")
}
