//! V002: a LiveView without `mount()`.

use crate::declare_violation;
use crate::finding::{FileId, Finding};
use crate::rule::Rule;
use crate::rules::ClassContext;
use djust_runtime::Span;

declare_violation! {
    /// ## What it does
    /// Flags a LiveView class that defines no `mount()`, neither itself nor in any of its
    /// project base classes.
    ///
    /// ## Why is this bad?
    /// `mount(self, request, **kwargs)` is where a LiveView sets its state, once per page
    /// load and per socket mount, with the request and the URL's arguments. State set as
    /// class attributes instead is shared by every instance until it is reassigned, and a
    /// mutable one (a list, a dict) is shared for good.
    ///
    /// ## Example
    /// ```python
    /// class CounterView(LiveView):
    ///     template_name = "counter.html"
    ///     count = 0
    /// ```
    ///
    /// ## Fix
    /// ```python
    /// def mount(self, request, **kwargs):
    ///     self.count = 0
    /// ```
    /// Suppress with `# noqa: V002` on the `class` line.
    ///
    /// ## Differences from upstream
    /// Upstream inspects the imported class; djust reads the source of the class and its
    /// bases. When a base cannot be read (a package outside the checked tree), djust says
    /// nothing.
    pub struct LiveViewWithoutMount {
        code: "V002",
        name: "liveview-without-mount",
        severity: Info,
        summary: "LiveView defines no `mount()`",
    }
}

/// The V002 finding for the LiveView `class` (qualified name) declared at `span`.
pub fn finding(file: FileId, span: impl Into<Span>, class: &str) -> Finding {
    Finding::new(
        Rule::V002,
        file,
        span,
        format!("{class} defines no mount() method."),
    )
    .with_primary_label("no mount()")
    .with_help("Set the initial state in `def mount(self, request, **kwargs):`.")
}

/// Check one LiveView class.
pub fn check(ctx: &ClassContext<'_>, out: &mut Vec<Finding>) {
    if !ctx.any_in_chain(|k| k.methods.iter().any(|x| x.name == "mount")) {
        out.push(finding(ctx.file, ctx.class.span, &ctx.qualname));
    }
}
