//! T002: a LiveView root template with no `dj-root`.

use crate::declare_violation;
use crate::finding::{Applicability, Edit, FileId, Finding, Fix};
use crate::rule::Rule;
use crate::summary::template::TemplateDoc;
use djust_runtime::Span;

declare_violation! {
    /// ## What it does
    /// Flags a LiveView root template in which no element carries `dj-root` — neither in
    /// the template itself nor in the templates it `{% extends %}`, followed up the chain.
    ///
    /// A template is a LiveView root when it
    /// - has an element with a `dj-view` attribute, or
    /// - is the `template_name` of a LiveView class, or
    /// - has event directives (`dj-click`, `dj-input`, `dj-change`, `dj-submit`,
    ///   `dj-model…`, `dj-keydown`, …) and is neither marked `{# djust:partial #}`, nor
    ///   pulled into another template with `{% include %}`, nor extended by another
    ///   template, nor the `template_name` of a component (`LiveComponent`, `Component`:
    ///   its HTML is part of its LiveView's page).
    ///
    /// The template of a LiveView that another template embeds with
    /// `{% live_render "app.views.Child" %}` is not a root: the parent supplies it.
    /// A `template_name` is looked up as Django's loaders do: settings `DIRS` first, then
    /// the apps' `templates/` directories in `INSTALLED_APPS` order; in a repository with
    /// several projects (several `manage.py`), among the view's own project first.
    ///
    /// When a parent in the chain cannot be found, or is chosen at runtime
    /// (`{% extends layout %}`), djust cannot know and says nothing. The finding is
    /// reported at the element with `dj-view` when there is one, else at the top of the file.
    ///
    /// ## Why is this bad?
    /// The client applies every patch relative to the `dj-root` element. Without one,
    /// patches have nothing to address: events reach the server but the page never
    /// updates (upstream's runtime error DJE-053).
    ///
    /// ## Example
    /// ```html
    /// <div dj-view="todo.views.TodoView">
    ///   <button dj-click="add">Add</button>
    /// </div>
    /// ```
    ///
    /// ## Fix
    /// Put `dj-root` on the same element as `dj-view`:
    /// ```html
    /// <div dj-root dj-view="todo.views.TodoView">
    ///   <button dj-click="add">Add</button>
    /// </div>
    /// ```
    /// Suppress with `{# noqa: T002 #}` anywhere in the template; mark fragments with
    /// `{# djust:partial #}`.
    ///
    /// ## Differences from upstream
    /// Upstream searches the raw text: the word `dj-root` in a comment silences it, and
    /// any `{% extends %}` (even in a comment) skips the template, so a child of a layout
    /// without `dj-root` is never reported. It reports at Info level and has no `noqa`.
    /// djust ignores comments, follows the `{% extends %}` chain, knows which templates
    /// LiveViews render, and reports a Warning.
    pub struct MissingDjRoot {
        code: "T002",
        name: "missing-dj-root",
        severity: Warning,
        summary: "LiveView template has no `dj-root` element",
    }
}

/// Why a template is a LiveView root (for the message).
#[derive(Debug, Clone)]
pub enum RootReason {
    /// It has a `dj-view` element.
    DjView,
    /// It is the `template_name` of this LiveView (qualified class name).
    TemplateName(String),
    /// It has event directives and is not a partial.
    Directives,
}

/// The T002 finding for `doc` (the caller has decided the template is a root with no
/// `dj-root` in its chain).
pub fn finding(file: FileId, doc: &TemplateDoc, reason: &RootReason) -> Finding {
    let elements = doc.elements();
    let view = elements.iter().find(|e| e.view().is_some());
    let span = view.map_or(Span::empty(0), |e| e.span.span());
    let why = match reason {
        RootReason::DjView => "has a dj-view element".to_string(),
        RootReason::TemplateName(class) => format!("is the template_name of {class}"),
        RootReason::Directives => "uses djust event directives".to_string(),
    };
    let help = match view {
        Some(v) => format!(
            "Add dj-root to the element that has dj-view: <{} dj-root dj-view=\"{}\">. Without it, DOM patches have no root to apply to.",
            v.tag,
            v.view_value().unwrap_or("app.views.MyView")
        ),
        None => "Wrap the LiveView's markup in one element with both attributes: <div dj-root dj-view=\"app.views.MyView\">. Without dj-root, DOM patches have no root to apply to; mark fragments with {# djust:partial #}.".to_string(),
    };
    let finding = Finding::new(
        Rule::T002,
        file,
        span,
        format!("LiveView template has no dj-root element (it {why}, and no element here or in the templates it extends carries dj-root)."),
    )
    .with_help(help)
    .with_primary_label(if view.is_some() { "LiveView mounts here, but no element carries dj-root" } else { "LiveView root template" });
    match view {
        // `<article class=…>` → `<article dj-root class=…>`: right after the tag name.
        Some(v) => finding.with_fix(Fix {
            message: "Add `dj-root` to the `dj-view` element".into(),
            applicability: Applicability::Safe,
            edits: vec![Edit {
                span: Span::empty(v.span.start() + 1 + v.tag.len()),
                content: " dj-root".into(),
            }],
        }),
        None => finding,
    }
}
