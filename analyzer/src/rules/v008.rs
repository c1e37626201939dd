//! V008: a value of unknown type assigned to LiveView state in `mount()`.

use crate::ast_util::{span_of, str_const};
use crate::declare_violation;
use crate::finding::{FileId, Finding};
use crate::rule::Rule;
use crate::rules::v006::MountContext;
use crate::summary::python::ImportedCall;
use djust_runtime::Span;
use ruff_python_ast::{Expr, Stmt};
use std::collections::HashSet;

/// Calls (as written) whose results are state the runtime keeps: builtins returning
/// JSON values (upstream's list), and the types `DjangoJSONEncoder` and djust's state
/// accept (dates, `Decimal`, `UUID`, lazy strings).
const SAFE_CALLS: &[&str] = &[
    "list",
    "dict",
    "set",
    "tuple",
    "frozenset",
    "List",
    "Dict",
    "Set",
    "Tuple",
    "str",
    "int",
    "float",
    "bool",
    "bytes",
    "max",
    "min",
    "sum",
    "abs",
    "round",
    "pow",
    "divmod",
    "len",
    "ord",
    "hash",
    "id",
    "bin",
    "oct",
    "hex",
    "repr",
    "chr",
    "ascii",
    "format",
    "sorted",
    "os.path.join",
    "os.path.basename",
    "os.path.dirname",
    "os.path.exists",
    "os.path.isfile",
    "os.path.isdir",
    "os.path.abspath",
    "os.path.relpath",
    "os.getenv",
    "os.getcwd",
    "json.dumps",
    "json.loads",
    "Decimal",
    "decimal.Decimal",
    "UUID",
    "uuid.UUID",
    "uuid4",
    "uuid.uuid4",
    "uuid1",
    "uuid.uuid1",
    "date",
    "datetime",
    "time",
    "timedelta",
    "datetime.date",
    "datetime.datetime",
    "datetime.time",
    "datetime.timedelta",
    "reverse",
    "reverse_lazy",
    "gettext",
    "gettext_lazy",
    "_",
    "ngettext",
    "pgettext",
    "format_html",
    "mark_safe",
    "escape",
    "slugify",
    "get_object_or_404",
    "get_list_or_404",
];

/// Last segments of calls whose results are state the runtime keeps: queryset and
/// manager methods (model instances and querysets are kept by reference), date and
/// string helpers.
const SAFE_METHODS: &[&str] = &[
    "all",
    "filter",
    "exclude",
    "get",
    "first",
    "last",
    "order_by",
    "values",
    "values_list",
    "annotate",
    "select_related",
    "prefetch_related",
    "count",
    "exists",
    "aggregate",
    "distinct",
    "only",
    "defer",
    "none",
    "in_bulk",
    "earliest",
    "latest",
    "get_or_create",
    "create",
    "now",
    "today",
    "localtime",
    "localdate",
    "isoformat",
    "fromisoformat",
    "strftime",
    "read_text",
    "getlist",
    "join",
    "split",
    "strip",
    "lower",
    "upper",
    "title",
    "replace",
    "format",
    "copy",
    "keys",
    "items",
];

/// Return annotations that say a function's result can be state.
const SAFE_RETURNS: &[&str] = &[
    "str", "int", "bool", "float", "bytes", "list", "dict", "set", "tuple", "List", "Dict", "Set", "Tuple",
    "Optional", "QuerySet", "Decimal", "date", "datetime", "UUID", "None",
];

declare_violation! {
    /// ## What it does
    /// Flags `self.<attr> = <call>(…)` in `mount()` (public attributes only) when djust
    /// cannot tell that the call's result can be LiveView state: the call is not a
    /// builtin that returns JSON values (`list`, `len`, `sorted`, …), a Django queryset
    /// or manager method (`Product.objects.filter(…)`, `get_object_or_404`), a date,
    /// `Decimal` or `UUID` constructor, a translation or URL helper, nor a function or
    /// method of the same module whose return annotation says so (`-> str`,
    /// `-> list[dict]`, `-> QuerySet`), nor such a function imported from another
    /// checked module. Calls V006 reports (services) are left to V006; a function or
    /// class imported from outside the checked files cannot be read and is not
    /// reported.
    ///
    /// ## Why is this bad?
    /// Public attributes are state: djust serializes them with Django's JSON encoder
    /// after every event. An object of another class (a dataclass, a form, a
    /// generator) fails there: with `DEBUG` on it raises, without it the attribute is
    /// dropped from the state and the template loses it.
    ///
    /// ## Example
    /// ```python
    /// def mount(self, request, **kwargs):
    ///     self.report = build_report(request.user)
    /// ```
    ///
    /// ## Fix
    /// Annotate `build_report`'s return type when it returns JSON-like data
    /// (`-> dict[str, int]`); otherwise build the object when it is needed, in a helper
    /// method or a `@property`, and keep only its inputs in state. Suppress with
    /// `# noqa: V008`.
    ///
    /// ## Differences from upstream
    /// Upstream's list of safe calls stops at builtins, so every queryset, model lookup
    /// and date in `mount()` is reported; djust knows what its runtime keeps (model
    /// instances and querysets by reference, `DjangoJSONEncoder`'s types), accepts
    /// more return annotations (`list[dict]`, `QuerySet`, `Optional[…]`), and reads them
    /// across modules (upstream only in the same module). Upstream reports calls it
    /// cannot read; djust does not.
    pub struct UnknownStateType {
        code: "V008",
        name: "unknown-state-type",
        severity: Info,
        summary: "`mount()` assigns state whose type djust cannot check",
    }
}

/// The names of functions and methods in `body` (module level and class bodies) whose
/// return annotation is one of the safe types.
pub fn safe_functions(body: &[Stmt]) -> HashSet<String> {
    let mut out = HashSet::new();
    let mut stack: Vec<(&[Stmt], usize)> = vec![(body, 0)];
    while let Some((stmts, depth)) = stack.pop() {
        for stmt in stmts {
            match stmt {
                Stmt::FunctionDef(f) if f.returns.as_deref().is_some_and(safe_annotation) => {
                    out.insert(f.name.to_string());
                }
                Stmt::ClassDef(c) if depth < 8 => stack.push((&c.body, depth + 1)),
                _ => {}
            }
        }
    }
    out
}

fn safe_annotation(e: &Expr) -> bool {
    match e {
        Expr::Name(n) => SAFE_RETURNS.contains(&n.id.as_str()),
        Expr::Attribute(a) => SAFE_RETURNS.contains(&a.attr.as_str()),
        Expr::Subscript(s) => safe_annotation(&s.value),
        Expr::NoneLiteral(_) => true,
        Expr::BinOp(b) => safe_annotation(&b.left) && safe_annotation(&b.right),
        Expr::StringLiteral(s) => {
            let text = s.value.to_str();
            let head = text.split(['[', ' ', '|']).next().unwrap_or(text);
            SAFE_RETURNS.contains(&head.rsplit('.').next().unwrap_or(head))
        }
        _ => str_const(e).is_some(),
    }
}

/// Whether the call named `written` (dotted, as written) produces state djust accepts.
pub fn is_safe_call(written: &str, safe_functions: &HashSet<String>) -> bool {
    let last = written.rsplit('.').next().unwrap_or(written);
    SAFE_CALLS.contains(&written)
        || safe_functions.contains(last)
        || (written.contains('.') && SAFE_METHODS.contains(&last))
        || written.split('.').any(|p| p == "objects")
}

/// Report `self.{attr} = {written}(…)` (`call` is the call's span; the caller has checked that the target is a
/// public attribute of `self` and the call is not a service: V006).
pub fn check(
    ctx: &MountContext<'_>,
    stmt: &Stmt,
    attr: &str,
    call: Span,
    written: &str,
    out: &mut Vec<Finding>,
) {
    if attr.starts_with('_') || is_safe_call(written, ctx.safe_functions) {
        return;
    }
    let stmt_line = ctx.lines.line_of(span_of(stmt).start);
    let resolved = (ctx.resolve)(written);
    if resolved != written {
        // Imported: judged once the module it comes from is read (`imported`).
        ctx.imported_calls.borrow_mut().push(ImportedCall {
            resolved,
            written: written.to_string(),
            attr: attr.to_string(),
            span: call,
            stmt_line,
        });
        return;
    }
    out.push(finding(ctx.file, call, attr, written, stmt_line));
}

/// The V008 finding for `self.{attr} = {written}(…)` (the call at `span`).
pub fn finding(file: FileId, span: Span, attr: &str, written: &str, stmt_line: usize) -> Finding {
    Finding::new(
        Rule::V008,
        file,
        span,
        format!("self.{attr} is set to the result of {written}(…) in mount(); djust cannot tell whether it can be LiveView state."),
    )
    .with_primary_label("type unknown")
    .with_help(format!(
        "If {written} returns JSON-like data, a model or a queryset, annotate its return type; otherwise build it in a helper method or a @property."
    ))
    .with_noqa_lines(vec![stmt_line])
}

/// Judge a call imported from a checked module: `safe` says whether that module
/// annotates the function's return type safely (a class is never safe).
pub fn imported(file: FileId, call: &ImportedCall, safe: bool, out: &mut Vec<Finding>) {
    if !safe {
        out.push(finding(
            file,
            call.span,
            &call.attr,
            &call.written,
            call.stmt_line,
        ));
    }
}
