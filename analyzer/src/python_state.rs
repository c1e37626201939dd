//! A LiveView's public state, read statically from its class body: what the template
//! can use as `{{ name }}`. Feeds completion and hover in the language server.
//!
//! Sources, as upstream djust's context is built (`LiveView.get_context_data` plus
//! every public attribute): class attributes, `self.name = …` in any method, and the
//! keys `get_context_data` adds (`context["k"] = …`, `context.update(k=…)` or
//! `update({"k": …})`, `return {"k": …}`). Names starting with `_` are private.

use crate::ast_util::{child_bodies, methods, span_of, str_const};
use crate::python::{StateKind, StateVar};
use ruff_python_ast::{self as ast, Expr, Stmt};

/// Class-body names that configure the view rather than hold state.
const CONFIG: &[&str] = &[
    "template_name",
    "abstract",
    "login_required",
    "permission_required",
    "login_url",
    "use_actors",
    "tick_interval",
    "temporary_assigns",
];

/// The public state of a class whose body is `body`, in source order, each name once
/// (its first assignment).
pub(crate) fn collect(body: &[Stmt]) -> Vec<StateVar> {
    let mut out: Vec<StateVar> = Vec::new();
    let add = |name: &str, expr: &Expr, kind: StateKind, out: &mut Vec<StateVar>| {
        if name.starts_with('_') || out.iter().any(|s| s.name == name) {
            return;
        }
        out.push(StateVar {
            name: name.into(),
            span: span_of(expr).into(),
            kind,
        });
    };
    for stmt in body {
        for target in assign_targets(stmt) {
            if let Expr::Name(n) = target {
                if !CONFIG.contains(&n.id.as_str()) {
                    add(n.id.as_str(), target, StateKind::ClassAttribute, &mut out);
                }
            }
        }
    }
    for f in methods(body) {
        let this = f.first_param().unwrap_or("self");
        walk(f.body, &mut |s| {
            for target in assign_targets(s) {
                for t in flatten(target) {
                    if let Expr::Attribute(a) = t {
                        if matches!(a.value.as_ref(), Expr::Name(n) if n.id.as_str() == this) {
                            add(a.attr.as_str(), t, StateKind::Instance, &mut out);
                        }
                    }
                }
            }
        });
        if f.name == "get_context_data" {
            walk(f.body, &mut |s| {
                context_keys(s, &mut |key, expr| add(key, expr, StateKind::Context, &mut out))
            });
        }
    }
    out
}

fn assign_targets(stmt: &Stmt) -> Vec<&Expr> {
    match stmt {
        Stmt::Assign(a) => a.targets.iter().collect(),
        Stmt::AnnAssign(a) => vec![a.target.as_ref()],
        Stmt::AugAssign(a) => vec![a.target.as_ref()],
        _ => Vec::new(),
    }
}

/// `a, (b, c) = …` → `a`, `b`, `c`.
fn flatten(target: &Expr) -> Vec<&Expr> {
    match target {
        Expr::Tuple(t) => t.elts.iter().flat_map(flatten).collect(),
        Expr::List(l) => l.elts.iter().flat_map(flatten).collect(),
        Expr::Starred(s) => flatten(&s.value),
        other => vec![other],
    }
}

/// Every statement in `body`, nested ones included, but not inside nested functions
/// or classes.
fn walk<'a>(body: &'a [Stmt], f: &mut dyn FnMut(&'a Stmt)) {
    for stmt in body {
        f(stmt);
        if matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
            continue;
        }
        let mut nested: Vec<&'a [Stmt]> = Vec::new();
        child_bodies(stmt, &mut |b| nested.push(b));
        for b in nested {
            walk(b, f);
        }
    }
}

/// Keys a `get_context_data` statement adds to the context.
fn context_keys<'a>(stmt: &'a Stmt, add: &mut dyn FnMut(&'a str, &'a Expr)) {
    match stmt {
        Stmt::Assign(a) => {
            for t in &a.targets {
                if let Expr::Subscript(s) = t {
                    if let Some(key) = str_const(&s.slice) {
                        add(key, &s.slice);
                    }
                }
            }
        }
        Stmt::Expr(e) => {
            if let Expr::Call(call) = e.value.as_ref() {
                if matches!(call.func.as_ref(), Expr::Attribute(a) if a.attr.as_str() == "update") {
                    call_keys(call, add);
                }
            }
        }
        Stmt::Return(r) => {
            if let Some(value) = r.value.as_deref() {
                match value {
                    Expr::Dict(d) => dict_keys(d, add),
                    Expr::Call(call) if matches!(call.func.as_ref(), Expr::Name(n) if n.id.as_str() == "dict") => {
                        call_keys(call, add)
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
}

fn call_keys<'a>(call: &'a ast::ExprCall, add: &mut dyn FnMut(&'a str, &'a Expr)) {
    for arg in call.arguments.args.iter() {
        if let Expr::Dict(d) = arg {
            dict_keys(d, add);
        }
    }
    for kw in call.arguments.keywords.iter() {
        if let Some(name) = &kw.arg {
            add(name.as_str(), &kw.value);
        }
    }
}

fn dict_keys<'a>(d: &'a ast::ExprDict, add: &mut dyn FnMut(&'a str, &'a Expr)) {
    for key in d.items.iter().filter_map(|item| item.key.as_ref()) {
        if let Some(k) = str_const(key) {
            add(k, key);
        }
    }
}
