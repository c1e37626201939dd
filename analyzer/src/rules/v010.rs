//! V010: a mixin with `__init__` listed after `LiveView` in a class's bases.

use crate::declare_violation;
use crate::finding::{FileId, Finding};
use crate::rule::Rule;
use crate::rules::ClassContext;
use crate::summary::python::BaseRef;
use djust_runtime::Span;

declare_violation! {
    /// ## What it does
    /// Flags a LiveView class whose bases list, after the LiveView base, a project class
    /// that defines `__init__` (itself or through its project bases).
    ///
    /// ## Why is this bad?
    /// `LiveView` is a Django `View`, and `View.__init__` does not call
    /// `super().__init__()`: the `__init__` of every class after it in the method
    /// resolution order never runs, so the attributes it sets are missing and the
    /// first use raises `AttributeError` (or, worse, finds a class attribute).
    ///
    /// ## Example
    /// ```python
    /// class TourView(LiveView, TutorialMixin):
    ///     ...
    /// ```
    ///
    /// ## Fix
    /// List mixins before the LiveView base: `class TourView(TutorialMixin, LiveView):`.
    /// Suppress with `# noqa: V010` on the `class` line.
    ///
    /// ## Differences from upstream
    /// Upstream checks its own `TutorialMixin` only; djust checks every project mixin
    /// with an `__init__`.
    pub struct MixinAfterLiveView {
        code: "V010",
        name: "mixin-after-liveview",
        severity: Error,
        summary: "Mixin with `__init__` listed after `LiveView`",
    }
}

/// The V010 finding for `class` (qualified, declared at `span`) and its late `mixin`.
pub fn finding(file: FileId, span: impl Into<Span>, class: &str, mixin: &str) -> Finding {
    Finding::new(
        Rule::V010,
        file,
        span,
        format!("{class} lists {mixin} after its LiveView base: View.__init__ does not call super(), so {mixin}.__init__ never runs."),
    )
    .with_primary_label(format!("{mixin} comes after the LiveView base"))
    .with_help(format!("List {mixin} before the LiveView base class."))
}

/// Check one LiveView class's bases.
pub fn check(ctx: &ClassContext<'_>, out: &mut Vec<Finding>) {
    let Some(at) = ctx.bases.iter().position(|(_, is_view)| *is_view) else {
        return;
    };
    for (written, (resolved, is_view)) in ctx.class.bases.iter().zip(ctx.bases).skip(at + 1) {
        let (BaseRef::Dotted(dotted), Some((bm, bc)), false) = (written, resolved, is_view) else {
            continue;
        };
        let inits = ctx
            .index
            .readable_ancestors(*bm, *bc)
            .unwrap_or_else(|| vec![(*bm, *bc)]);
        if inits
            .iter()
            .any(|&at| ctx.facts(at).methods.iter().any(|x| x.name == "__init__"))
        {
            out.push(finding(ctx.file, ctx.class.span, &ctx.qualname, dotted));
        }
    }
}
