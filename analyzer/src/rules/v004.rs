//! V004: a method named like an event handler without `@event_handler`.

use crate::declare_violation;
use crate::finding::{Applicability, Edit, FileId, Finding, Fix};
use crate::rule::Rule;
use crate::rules::ClassContext;
use djust_runtime::Span;

/// Name prefixes of methods that look like handlers (upstream's list, without
/// `handle_`: `handle_params`, `handle_info` and their kind are lifecycle callbacks).
pub const PREFIXES: &[&str] = &[
    "on_", "toggle_", "select_", "update_", "delete_", "create_", "add_", "remove_", "save_", "cancel_",
    "submit_", "close_", "open_",
];

declare_violation! {
    /// ## What it does
    /// Flags a public method of a LiveView, without decorators, whose name starts like
    /// an event handler's (`on_`, `toggle_`, `select_`, `update_`, `delete_`,
    /// `create_`, `add_`, `remove_`, `save_`, `cancel_`, `submit_`, `close_`,
    /// `open_`) and is not marked `@event_handler`.
    ///
    /// ## Why is this bad?
    /// Only `@event_handler` methods can be called from the page: `dj-click="add_item"`
    /// on an undecorated `add_item` is refused ("has no event handler"). If the method
    /// is a helper, a leading underscore says so.
    ///
    /// ## Example
    /// ```python
    /// def add_item(self, item_id, **kwargs):
    ///     self.items.append(item_id)
    /// ```
    ///
    /// ## Fix
    /// Decorate it with `@event_handler` (the fix adds it when the module imports
    /// `event_handler`; unsafe: it makes the method callable from the page), or rename
    /// a helper to `_add_item`. Suppress with `# noqa: V004` on the `def` line.
    ///
    /// ## Differences from upstream
    /// Upstream also lists `handle_`, which it then skips entirely; djust leaves
    /// `handle_…` out from the start.
    pub struct HandlerWithoutDecorator {
        code: "V004",
        name: "handler-without-decorator",
        severity: Info,
        summary: "Method named like an event handler without `@event_handler`",
    }
}

/// The V004 finding for `method` (named at `span`) of `class`; `decorate` is where
/// to add `@event_handler` and the indentation, when the module imports it.
pub fn finding(
    file: FileId,
    span: impl Into<Span>,
    class: &str,
    method: &str,
    decorate: Option<(usize, &str)>,
) -> Finding {
    let f = Finding::new(
        Rule::V004,
        file,
        span,
        format!("{class}.{method} looks like an event handler but is not decorated with @event_handler."),
    )
    .with_primary_label("not callable from the page")
    .with_help(format!("Add @event_handler, or rename a helper to _{method}."));
    match decorate {
        Some((at, indent)) => f.with_fix(Fix {
            message: "Add `@event_handler`".into(),
            applicability: Applicability::Unsafe,
            edits: vec![Edit {
                span: Span::empty(at),
                content: format!("@event_handler\n{indent}"),
            }],
        }),
        None => f,
    }
}

/// Check one LiveView class's own methods.
pub fn check(ctx: &ClassContext<'_>, out: &mut Vec<Finding>) {
    let decorator_bound = ctx
        .module
        .imports
        .get("event_handler")
        .is_some_and(|b| b.path("event_handler").starts_with("djust"));
    let own = ctx.own();
    for method in own.methods {
        let looks = PREFIXES.iter().any(|p| method.name.starts_with(p));
        if looks && method.decorators == 0 && !ctx.handlers.contains(method.name.as_str()) {
            let indent = if method.indent_tabs { "\t" } else { " " }.repeat(usize::from(method.indent));
            let decorate = decorator_bound.then_some((method.insert_at as usize, indent.as_str()));
            out.push(finding(
                ctx.file,
                method.name_span,
                &ctx.qualname,
                &method.name,
                decorate,
            ));
        }
    }
}
