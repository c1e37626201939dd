//! T012: a LiveView page whose markup names no view (`dj-view`).

use crate::declare_violation;
use crate::finding::{FileId, Finding};
use crate::rule::Rule;
use crate::rules::t002::RootReason;
use crate::summary::template::TemplateDoc;
use djust_runtime::Span;

declare_violation! {
    /// ## What it does
    /// Flags a LiveView root template in which no element carries `dj-view`, neither in
    /// the template itself nor in the templates it `{% extends %}`. A root template is
    /// one with event directives (`dj-click`, `dj-input`, `dj-submit`, `dj-model`,
    /// `dj-keydown`, …) that is not a fragment, or the `template_name` of a LiveView; as
    /// in T002, a template marked `{# djust:partial #}`, pulled in with `{% include %}`,
    /// extended by another, rendered by a component or with `dj-component` in it is a
    /// fragment, and so is the template of a view embedded with `{% live_render %}`.
    ///
    /// ## Why is this bad?
    /// The client starts a LiveView on each element with `dj-view`, and the server puts
    /// the page's mount token there. Without one the page is plain HTML: the socket
    /// never opens, and every `dj-click` on it does nothing.
    ///
    /// ## Example
    /// ```html
    /// <div dj-root>
    ///   <button dj-click="increment">+</button>
    /// </div>
    /// ```
    ///
    /// ## Fix
    /// Name the view on the root element: `<div dj-root dj-view="app.views.CounterView">`.
    /// Mark an included fragment with `{# djust:partial #}`. Suppress with
    /// `{# noqa: T012 #}`.
    ///
    /// ## Differences from upstream
    /// Upstream looks for the text `dj-view` in the file alone: a template whose
    /// `dj-view` is in the layout it extends is reported, one mentioning `dj-view` in a
    /// comment is not, and a LiveView template without directives is never checked.
    /// djust follows the `{% extends %}` chain, ignores comments, and knows which
    /// templates LiveViews render.
    pub struct NoDjView {
        code: "T012",
        name: "no-dj-view",
        severity: Warning,
        summary: "LiveView template names no view (`dj-view`)",
    }
}

/// The T012 finding for `doc` (the caller has decided the template is a root with no
/// `dj-view` in its chain): at its first event directive, else at the top.
pub fn finding(file: FileId, doc: &TemplateDoc, reason: &RootReason) -> Finding {
    let elements = doc.elements();
    let first = elements.iter().find(|e| !e.directives.is_empty());
    let span = first.map_or(Span::empty(0), |e| e.span.span());
    let why = match reason {
        RootReason::TemplateName(class) => format!("is the template_name of {class}"),
        RootReason::DjView | RootReason::Directives => "uses djust event directives".to_string(),
    };
    Finding::new(
        Rule::T012,
        file,
        span,
        format!("No element here or in the templates it extends carries dj-view, but this template {why}: the page never connects, and its events do nothing."),
    )
    .with_primary_label(if first.is_some() { "this event is never sent" } else { "LiveView root template" })
    .with_help("Name the view on the root element: <div dj-root dj-view=\"app.views.MyView\">; mark an included fragment with {# djust:partial #}.")
}
