//! V013: a LiveView's `get()` or `dispatch()` that does not call the base's.

use crate::declare_violation;
use crate::finding::{FileId, Finding};
use crate::rule::Rule;
use crate::rules::ClassContext;
use djust_runtime::Span;

declare_violation! {
    /// ## What it does
    /// Flags a `get()` or `dispatch()` method, in a LiveView class or one of its project
    /// base classes, that never calls `super().get(…)` / `super().dispatch(…)`.
    ///
    /// ## Why is this bad?
    /// djust mounts a LiveView over the WebSocket by serving the page's URL through
    /// Django: the URL's view runs `dispatch()`, then `LiveView.get()`, which checks
    /// `login_required` and `check_permissions`, calls `mount()` and hands the mounted
    /// view to the socket. An override that returns its own response never reaches
    /// that code: the page may render, but the socket mount is refused and no event
    /// ever arrives.
    ///
    /// ## Example
    /// ```python
    /// def get(self, request, *args, **kwargs):
    ///     self.tenant = resolve_tenant(request)
    ///     return render(request, self.template_name, {})
    /// ```
    ///
    /// ## Fix
    /// Do request set-up in `mount()` (which runs for the page and the socket), or end
    /// the override with `return super().get(request, *args, **kwargs)`. Suppress with
    /// `# noqa: V013` on the `def` line.
    ///
    /// ## Differences from upstream
    /// Upstream's socket mount calls `mount()` directly, so it reports *every*
    /// `dispatch`, `get` or `post` override (their code never runs on a socket). djust
    /// mounts through the URL's view, so overrides do run; what breaks is an override
    /// that does not hand over to the base class, and that is what djust reports.
    pub struct OverrideSkipsMount {
        code: "V013",
        name: "override-skips-mount",
        severity: Warning,
        summary: "`get()`/`dispatch()` override never calls the base class",
    }
}

/// The V013 finding for `method` (`get` or `dispatch`) of class `class` (qualified),
/// named at `span`.
pub fn finding(file: FileId, span: impl Into<Span>, class: &str, method: &str) -> Finding {
    Finding::new(
        Rule::V013,
        file,
        span,
        format!("{class}.{method}() never calls super().{method}(): a LiveView's socket mount goes through it and never reaches mount()."),
    )
    .with_primary_label(format!("no super().{method}()"))
    .with_help(format!(
        "Move the set-up into mount(), or end with `return super().{method}(request, *args, **kwargs)`."
    ))
}

/// Check one LiveView class and its project bases (a base's override is reported once,
/// at its `def`, however many LiveViews inherit it).
pub fn check(ctx: &ClassContext<'_>, out: &mut Vec<Finding>) {
    for &(m, c) in ctx.chain {
        let owner_id = ctx.index.files()[m].0;
        for x in ctx
            .facts((m, c))
            .methods
            .iter()
            .filter(|x| matches!(x.name.as_str(), "get" | "dispatch") && !x.calls_super)
        {
            out.push(finding(
                owner_id,
                x.name_span,
                &ctx.index.class_path(m, c),
                &x.name,
            ));
        }
    }
}
