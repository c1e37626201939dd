//! T101: a directive names an event handler the LiveView does not have.

use crate::declare_violation;
use crate::finding::{FileId, Finding};
use crate::rule::Rule;
use crate::summary::template::DirectiveAttr;

declare_violation! {
    /// ## What it does
    /// Flags an event directive (`dj-click`, `dj-submit`, `dj-change`, `dj-input`,
    /// `dj-keydown.enter`, …) in a LiveView's template whose value names a handler that
    /// the LiveView does not have: no `@event_handler` (or `@action`) method of that
    /// name in the class or in any class it inherits from.
    ///
    /// The template is the one the view's `template_name` loads (its own file; the
    /// templates it extends or includes may serve other views). A value computed by the
    /// template (`dj-click="{{ action }}"`) and `dj-model` (which names state, not a
    /// handler) are not checked. A view with a base the checker cannot read (a mixin
    /// from an installed package) is not checked, since the handler may come from it; a
    /// template shared by several views is reported only when none of them has the
    /// handler.
    ///
    /// ## Why is this bad?
    /// The click reaches the server and fails: djust answers "has no event handler"
    /// and nothing happens on the page. A renamed handler or a typo is found only by
    /// clicking.
    ///
    /// ## Example
    /// ```python
    /// class CartView(LiveView):
    ///     template_name = "cart.html"
    ///
    ///     @event_handler
    ///     def remove_item(self, item_id, **kwargs): ...
    /// ```
    /// ```html
    /// <button dj-click="remove">Remove</button>
    /// ```
    ///
    /// ## Fix
    /// Name a handler the view has (`dj-click="remove_item"`), or add the handler.
    /// Suppress with `{# noqa: T101 #}` in the template.
    ///
    /// ## Differences from upstream
    /// Upstream has no such check (its T012 only looks for `dj-*` events outside a
    /// `dj-view`); the code is outside upstream's range.
    pub struct UnknownEventHandler {
        code: "T101",
        name: "unknown-event-handler",
        severity: Warning,
        summary: "Directive names an event handler the LiveView does not have",
    }
}

/// The directives whose value names an event handler (not `dj-model`, which names
/// state, nor `dj-loading`, `dj-debounce` and other modifiers).
pub fn names_a_handler(directive: &str) -> bool {
    let base = directive.split('.').next().unwrap_or(directive);
    base != "dj-model"
}

/// The T101 finding for `directive` (whose target is `handler`) in template `file`,
/// which `views` (dotted paths) render; `near` is a handler name of theirs that is
/// close to it, if any.
pub fn finding(
    file: FileId,
    directive: &DirectiveAttr,
    handler: &str,
    views: &[String],
    near: Option<&str>,
) -> Finding {
    let view = views.first().map(String::as_str).unwrap_or("");
    let short = view.rsplit('.').next().unwrap_or(view);
    let message = format!(
        "`{}=\"{handler}\"`: {short} has no event handler `{handler}`{}.",
        directive.name,
        if views.len() > 1 {
            format!(
                " (nor do the {} other views that render this template)",
                views.len() - 1
            )
        } else {
            String::new()
        }
    );
    let help = match near {
        Some(n) => {
            format!("Did you mean `{n}`? Or add `@event_handler def {handler}(self, **kwargs)` to {view}.")
        }
        None => format!(
            "Add `@event_handler def {handler}(self, **kwargs)` to {view}, or name one of its handlers."
        ),
    };
    Finding::new(Rule::T101, file, directive.span, message)
        .with_primary_label("no such handler")
        .with_help(help)
}
