//! S005: a LiveView with state and no access decision.

use crate::declare_violation;
use crate::finding::{FileId, Finding};
use crate::rule::Rule;
use crate::rules::ClassContext;
use crate::summary::python::{BaseRef, StateKind};
use djust_runtime::Span;

/// Base-class names that bring Django's access control (`LoginRequiredMixin`,
/// `PermissionRequiredMixin`, `UserPassesTestMixin`, `AccessMixin`).
pub fn is_access_mixin(name: &str) -> bool {
    name.contains("LoginRequired")
        || name.contains("PermissionRequired")
        || name.contains("UserPassesTest")
        || name == "AccessMixin"
}

declare_violation! {
    /// ## What it does
    /// Flags a LiveView that keeps public state (`self.x = …` in a method) and, in its
    /// class and project base classes, neither sets `login_required` or
    /// `permission_required` (to any value: `login_required = False` says the page is
    /// public on purpose), nor overrides `check_permissions`, nor inherits a Django access
    /// mixin (`LoginRequiredMixin`, `PermissionRequiredMixin`, `UserPassesTestMixin`).
    ///
    /// ## Why is this bad?
    /// Anyone who can load the page can mount the view, read its state in the page and
    /// call its event handlers. Leaving the decision unwritten makes a view public by
    /// accident.
    ///
    /// ## Example
    /// ```python
    /// class InvoicesView(LiveView):
    ///     template_name = "invoices.html"
    ///
    ///     def mount(self, request, **kwargs):
    ///         self.invoices = list(Invoice.objects.all())
    /// ```
    ///
    /// ## Fix
    /// Set `login_required = True` (or override `check_permissions`), or
    /// `login_required = False` for a page meant to be public. Suppress with
    /// `# noqa: S005` on the `class` line.
    ///
    /// ## Differences from upstream
    /// Upstream inspects the imported class, skips apps whose module starts with
    /// `djust_`, and has no inline suppression. djust reads the source of the class and
    /// its bases (when a base cannot be read it says nothing), checks every project
    /// module, and honours `noqa`.
    pub struct StateWithoutAccessDecision {
        code: "S005",
        name: "state-without-access-decision",
        severity: Warning,
        summary: "LiveView exposes state with no access decision",
    }
}

/// The S005 finding for the LiveView `class` (qualified name) declared at `span`, with
/// the first public attribute it sets.
pub fn finding(file: FileId, span: impl Into<Span>, class: &str, attribute: &str) -> Finding {
    Finding::new(
        Rule::S005,
        file,
        span,
        format!("{class} sets public state (self.{attribute}, …) but does not say who may mount it."),
    )
    .with_primary_label("no login_required, permission_required or check_permissions")
    .with_help("Set `login_required = True` (or override check_permissions), or `login_required = False` for a public page.")
}

/// Check one LiveView class.
pub fn check(ctx: &ClassContext<'_>, out: &mut Vec<Finding>) {
    let access = ctx.any_in_chain(|k| {
        k.class.declares_access
            || k.methods.iter().any(|x| x.name == "check_permissions")
            || k.class.bases.iter().any(|b| match b {
                BaseRef::Dotted(dotted) => is_access_mixin(dotted.rsplit('.').next().unwrap_or(dotted)),
                BaseRef::Other => false,
            })
    });
    if access {
        return;
    }
    let exposed = ctx.chain.iter().find_map(|&at| {
        ctx.facts(at)
            .state
            .iter()
            .find(|s| s.kind == StateKind::Instance)
            .map(|s| s.name.clone())
    });
    if let Some(attribute) = exposed {
        out.push(finding(ctx.file, ctx.class.span, &ctx.qualname, &attribute));
    }
}
