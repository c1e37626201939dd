//! V001: a LiveView without a template.

use crate::declare_violation;
use crate::finding::{FileId, Finding};
use crate::rule::Rule;
use crate::rules::ClassContext;
use djust_runtime::Span;

declare_violation! {
    /// ## What it does
    /// Flags a LiveView class (not `abstract = True`) that sets no `template_name`,
    /// neither itself nor in any class it inherits from, and defines no `template`
    /// attribute or `get_template` method to supply one.
    ///
    /// A class with a base the checker cannot read (a mixin from an installed package)
    /// is not reported: the template may come from it.
    ///
    /// ## Why is this bad?
    /// The first page load fails: djust has nothing to render (`TemplateDoesNotExist`
    /// or `ImproperlyConfigured`), and only when someone opens the page.
    ///
    /// ## Example
    /// ```python
    /// class CartView(LiveView):
    ///     def mount(self, request, **kwargs):
    ///         self.items = []
    /// ```
    ///
    /// ## Fix
    /// `template_name = "shop/cart.html"`; for a base meant to be subclassed, mark it
    /// `abstract = True`. Suppress with `# noqa: V001` on the `class` line.
    ///
    /// ## Differences from upstream
    /// Upstream imports every view; djust reads the class and its analysed bases.
    pub struct LiveViewWithoutTemplate {
        code: "V001",
        name: "liveview-without-template",
        severity: Warning,
        summary: "LiveView sets no `template_name`",
    }
}

/// The V001 finding for the LiveView `class` (qualified) whose `class` line is `span`.
pub fn finding(file: FileId, span: impl Into<Span>, class: &str) -> Finding {
    Finding::new(
        Rule::V001,
        file,
        span,
        format!("{class} has no template_name: there is nothing to render."),
    )
    .with_primary_label("no template_name here or in its bases")
    .with_help("Set template_name = \"app/page.html\", or mark a base class abstract = True.")
}

/// Check one LiveView class: no `template_name` (nor `template`, `get_template()` or
/// `render()`) in it or its bases.
pub fn check(ctx: &ClassContext<'_>, out: &mut Vec<Finding>) {
    let templated = ctx.any_in_chain(|k| {
        k.class.template_name.is_some()
            || k.state.iter().any(|s| s.name == "template")
            || k.methods
                .iter()
                .any(|x| x.name == "get_template" || x.name == "render")
    });
    if !templated {
        out.push(finding(ctx.file, ctx.class.span, &ctx.qualname));
    }
}
