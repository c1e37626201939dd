//! V003: `mount()` that cannot take the request.

use crate::declare_violation;
use crate::finding::{FileId, Finding};
use crate::rule::Rule;
use crate::rules::ClassContext;
use djust_runtime::Span;

declare_violation! {
    /// ## What it does
    /// Flags a LiveView's `mount` whose signature cannot receive the request: it has no
    /// positional parameter after `self` and no `*args`.
    ///
    /// ## Why is this bad?
    /// djust calls `mount(request, **url_kwargs)` on the page load and on every
    /// WebSocket mount; the call raises `TypeError` and the page fails.
    ///
    /// ## Example
    /// ```python
    /// def mount(self, **kwargs):
    ///     self.count = 0
    /// ```
    ///
    /// ## Fix
    /// `def mount(self, request, **kwargs):`. Suppress with `# noqa: V003` on the `def`
    /// line.
    ///
    /// ## Differences from upstream
    /// Upstream reports (as an Error) any second parameter not *named* `request`, which
    /// djust passes positionally, so `def mount(self, req, **kwargs)` works; djust
    /// reports only signatures that fail.
    pub struct MountWithoutRequest {
        code: "V003",
        name: "mount-without-request",
        severity: Error,
        summary: "`mount()` cannot take the request",
    }
}

/// The V003 finding for `mount` named at `span` in `class`.
pub fn finding(file: FileId, span: impl Into<Span>, class: &str) -> Finding {
    Finding::new(
        Rule::V003,
        file,
        span,
        format!("{class}.mount() takes no request: djust calls mount(request, **kwargs)."),
    )
    .with_primary_label("no parameter for the request")
    .with_help("def mount(self, request, **kwargs):")
}

/// Check one LiveView class's own `mount()`.
pub fn check(ctx: &ClassContext<'_>, out: &mut Vec<Finding>) {
    if let Some(mount) = ctx.own().methods.iter().find(|x| x.name == "mount") {
        if mount.positional < 2 && !mount.var_positional {
            out.push(finding(ctx.file, mount.name_span, &ctx.qualname));
        }
    }
}
