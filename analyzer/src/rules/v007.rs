//! V007: an event handler that does not accept `**kwargs`.

use crate::ast_util::{dotted, span_of, FnDef};
use crate::declare_violation;
use crate::finding::{Applicability, Edit, FileId, Finding, Fix};
use crate::rule::Rule;
use crate::summary::python::{HandlerCandidate, HandlerDocs, KwargsInsertion};
use djust_runtime::{LineIndex, Span};
use ruff_python_ast::Expr;
use std::borrow::Cow;
use thin_vec::ThinVec;

declare_violation! {
    /// ## What it does
    /// Flags methods decorated with djust's `@event_handler` or `@action` whose signature
    /// has no `**kwargs` parameter (any `**name`; `*args` does not count).
    ///
    /// The decorator is recognised bare (`@event_handler`), called (`@event_handler()`,
    /// `@event_handler(params=...)`), imported under another name
    /// (`from djust.decorators import event_handler as eh`), dotted
    /// (`@djust.decorators.event_handler()`), re-exported through your own modules, and
    /// stacked with other decorators, also when djust's own source is among the checked
    /// files (vendored, a monorepo). Sync and async handlers are checked, in every class,
    /// mixins included, and those defined under `if`/`else`, `try`/`except` or `with` in
    /// the class body. The finding points at the handler's name.
    ///
    /// ## Why is this bad?
    /// djust calls handlers with the event's parameters as keyword arguments: `value` for
    /// inputs, every `data-*` attribute of the element, form fields for `dj-submit`. A
    /// handler without `**kwargs` raises `TypeError` the first time the template sends a
    /// parameter it did not name, which often happens only after someone adds a
    /// `data-id` to the button.
    ///
    /// ## Example
    /// ```python
    /// class TodoView(LiveView):
    ///     @event_handler
    ///     def toggle(self, item_id):
    ///         ...
    /// ```
    ///
    /// ## Fix
    /// Accept and ignore the parameters you do not use:
    /// ```python
    /// class TodoView(LiveView):
    ///     @event_handler
    ///     def toggle(self, item_id, **kwargs):
    ///         ...
    /// ```
    /// The quick fix inserts `, **kwargs` after the last parameter. Suppress with
    /// `# noqa: V007` on the `def` line or on any decorator line; `abstract = True` in
    /// the class body skips the class.
    ///
    /// ## Differences from upstream
    /// Upstream imports your classes and inspects them at runtime: it ignores
    /// `# noqa: V007`, never checks handlers defined on mixins, and when another djust
    /// decorator wraps the handler it reports a line inside djust itself. djust reads the
    /// source, honours `noqa`, checks mixins and always points at your `def`.
    pub struct EventHandlerMissingKwargs {
        code: "V007",
        name: "event-handler-missing-kwargs",
        severity: Warning,
        summary: "Event handler does not accept `**kwargs`",
    }
}

/// Names of djust decorators that mark event handlers.
pub const HANDLER_DECORATORS: &[&str] = &["event_handler", "action"];

/// The dotted paths under which djust exports its handler decorators: a candidate's
/// decorator resolved to one of these is kept borrowed.
pub const DJUST_HANDLER_PATHS: &[&str] = &[
    "djust.decorators.event_handler",
    "djust.decorators.action",
    "djust.event_handler",
    "djust.action",
];

/// Extract a handler candidate from a decorated method (phase 1, AST alive): `None`
/// when no decorator can be djust's handler decorator (its last name is none of
/// [`HANDLER_DECORATORS`]), as no rule and no editor feature reads such a method's
/// candidate. Only those decorators are kept (`@debounce`, `@property` are not).
pub fn candidate(
    source: &str,
    lines: &LineIndex,
    f: &FnDef<'_>,
    class: usize,
    resolve: &dyn Fn(&str) -> String,
) -> Option<HandlerCandidate> {
    let decorators: ThinVec<Cow<'static, str>> = f
        .decorators
        .iter()
        .filter_map(|d| {
            let callee = match &d.expression {
                Expr::Call(c) => c.func.as_ref(),
                other => other,
            };
            let path = resolve(&dotted(callee)?.join("."));
            let last = path.rsplit('.').next().unwrap_or(&path);
            if !HANDLER_DECORATORS.contains(&last) {
                return None;
            }
            Some(match DJUST_HANDLER_PATHS.iter().find(|p| **p == path) {
                Some(known) => Cow::Borrowed(*known),
                None => Cow::Owned(path),
            })
        })
        .collect();
    if decorators.is_empty() {
        return None;
    }
    let name_span = f.name_span;
    let mut noqa_lines: Vec<usize> = f
        .decorators
        .iter()
        .map(|d| lines.line_of(span_of(d).start))
        .collect();
    noqa_lines.push(lines.line_of(name_span.start));
    noqa_lines.dedup();
    Some(HandlerCandidate {
        // A file holds far fewer than 4 billion classes (it is at most 32 MiB).
        class: u32::try_from(class).unwrap_or(u32::MAX),
        name: f.name.into(),
        name_span: name_span.into(),
        decorators,
        has_var_keyword: f.args.kwarg.is_some(),
        noqa_lines: noqa_lines.into(),
        kwargs_insertion: insertion_point(source, f, name_span),
        docs: Some(Box::new(HandlerDocs {
            signature: signature(source, f, name_span),
            doc: f.body.first().and_then(|s| match s {
                ruff_python_ast::Stmt::Expr(e) => {
                    crate::ast_util::str_const(&e.value).map(|d| d.trim().to_string())
                }
                _ => None,
            }),
        })),
    })
}

/// `name(params) -> ret` as written, from the name to the `:` before the body, with
/// runs of whitespace collapsed.
fn signature(source: &str, f: &FnDef<'_>, name_span: Span) -> String {
    let end = f.body.first().map(|b| span_of(b).start).unwrap_or(f.span.end);
    let header = source
        .get(name_span.start..end.max(name_span.start))
        .unwrap_or_default();
    // Trailing comments (`# noqa: V007`) are not part of the signature.
    let code: Vec<&str> = header
        .lines()
        .map(|l| l.split_once('#').map_or(l, |(code, _)| code))
        .collect();
    let text = code.join(" ");
    let text = text.trim_end();
    let text = text.strip_suffix(':').unwrap_or(text);
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace("( ", "(")
        .replace(" )", ")")
}

/// The position after a `, /` that follows byte `at` (whitespace between), if any.
fn after_slash(source: &str, at: usize) -> Option<usize> {
    let rest = source.get(at..)?;
    let trimmed = rest.trim_start();
    let after_comma = trimmed.strip_prefix(',')?.trim_start();
    after_comma.strip_prefix('/')?;
    Some(at + (rest.len() - after_comma.len()) + 1)
}

/// Where `**kwargs` goes: after the last parameter (`, **kwargs`), or right after `(`
/// when there are none.
fn insertion_point(source: &str, f: &FnDef<'_>, name_span: Span) -> KwargsInsertion {
    let at = |offset: usize| u32::try_from(offset).unwrap_or(u32::MAX);
    let a = f.args;
    let mut end: Option<usize> = None;
    let mut bump = |e: usize| end = Some(end.map_or(e, |x: usize| x.max(e)));
    for p in a.posonlyargs.iter().chain(&a.args).chain(&a.kwonlyargs) {
        bump(span_of(&p.parameter).end);
        if let Some(d) = &p.default {
            bump(span_of(d.as_ref()).end);
        }
    }
    if let Some(v) = &a.vararg {
        bump(span_of(v.as_ref()).end);
    }
    match end {
        // After the positional-only marker when it follows the last parameter:
        // `(self, a, /)` → `(self, a, /, **kwargs)` (regression: was `(self, a, **kwargs, /)`).
        Some(e) => KwargsInsertion::AfterParameter(at(after_slash(source, e).unwrap_or(e))),
        None => {
            let after = source.get(name_span.end..).unwrap_or("");
            let open = after
                .find('(')
                .map(|i| name_span.end + i + 1)
                .unwrap_or(name_span.end);
            KwargsInsertion::First(at(open))
        }
    }
}

/// Phase 2: report `cand` when one of its decorators is djust's handler decorator.
/// `is_handler_decorator` decides that for a resolved dotted path.
pub fn check(
    file: FileId,
    cand: &HandlerCandidate,
    is_handler_decorator: &dyn Fn(&str) -> bool,
) -> Option<Finding> {
    if cand.has_var_keyword {
        return None;
    }
    let decorator = cand.decorators.iter().find(|d| is_handler_decorator(d))?;
    let short = decorator.rsplit('.').next().unwrap_or(decorator);
    let insertion = cand.kwargs_insertion;
    Some(
        Finding::new(
            Rule::V007,
            file,
            cand.name_span,
            format!(
                "Event handler '{}' does not accept **kwargs; djust passes event parameters as keyword arguments.",
                cand.name
            ),
        )
        .with_help(format!(
            "Add `**kwargs` to the signature of `{}` (decorated with `@{short}`) so unexpected event parameters do not raise TypeError.",
            cand.name
        ))
        .with_primary_label("this handler has no `**kwargs` parameter")
        .with_noqa_lines(cand.noqa_lines.to_vec())
        .with_fix(Fix {
            message: "Add `**kwargs` to the signature".into(),
            applicability: Applicability::Safe,
            edits: vec![Edit {
                span: Span::empty(insertion.offset()),
                content: insertion.text().to_string(),
            }],
        }),
    )
}
