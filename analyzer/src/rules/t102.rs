//! T102: `dj-view` names a class that does not exist or is not a LiveView.

use crate::declare_violation;
use crate::finding::{FileId, Finding};
use crate::rule::Rule;
use djust_runtime::Span;

declare_violation! {
    /// ## What it does
    /// Flags a `dj-view="module.Class"` whose module is part of the checked project
    /// when that module has no such class, or the name is a function, a variable, a
    /// module, or a class that is not a LiveView (it does not inherit from djust's
    /// `LiveView`).
    ///
    /// A `dj-view` naming a module outside the checked files (an installed package) is
    /// not checked, nor a value computed by the template (`dj-view="{{ view }}"`).
    ///
    /// ## Why is this bad?
    /// The client mounts what `dj-view` names. A class that is not there (renamed,
    /// moved, mistyped) or not a LiveView leaves the page dead: nothing mounts and no
    /// event works.
    ///
    /// ## Example
    /// ```html
    /// <main dj-root dj-view="shop.views.CartVeiw">…</main>
    /// ```
    ///
    /// ## Fix
    /// Name the LiveView's import path, `module.Class` (`shop.views.CartView`).
    /// Suppress with `{# noqa: T102 #}` in the template.
    ///
    /// ## Differences from upstream
    /// Upstream's T013 checks only that the value is non-empty and dotted; the code is
    /// outside upstream's range.
    pub struct UnknownDjView {
        code: "T102",
        name: "unknown-dj-view",
        severity: Warning,
        summary: "`dj-view` names a class that does not exist or is not a LiveView",
    }
}

/// Why a `dj-view` value does not name a LiveView.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// The module has no such name.
    Missing,
    /// A class that does not inherit from `LiveView`.
    NotLiveView,
    /// A function or variable.
    NotAClass,
    /// A module.
    Module,
}

/// The T102 finding for the `dj-view` attribute at `span` naming `path`, in `module`
/// (the analysed module the path leads into); `near` is a LiveView of that module
/// with a close name, if any.
pub fn finding(
    file: FileId,
    span: Span,
    path: &str,
    module: &str,
    problem: Problem,
    near: Option<&str>,
) -> Finding {
    let message = match problem {
        Problem::Missing => format!("dj-view=\"{path}\": {module} has no such class."),
        Problem::NotLiveView => format!("dj-view=\"{path}\" is a class that is not a LiveView."),
        Problem::NotAClass => format!("dj-view=\"{path}\" is a function or variable, not a LiveView class."),
        Problem::Module => format!("dj-view=\"{path}\" is a module, not a LiveView class."),
    };
    let help = match near {
        Some(n) => format!("Did you mean `{n}`?"),
        None => "Name the LiveView's import path, `module.Class`.".to_string(),
    };
    Finding::new(Rule::T102, file, span, message)
        .with_primary_label("not a LiveView")
        .with_help(help)
}
