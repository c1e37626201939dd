//! Static reading of Django's `TEMPLATES[...]["DIRS"]` from a settings module.
//!
//! The analyzer never imports user code, so settings are *evaluated* from the AST
//! for the handful of shapes Django projects use to build paths:
//! `Path(__file__).resolve().parent.parent`, `BASE_DIR / "templates"`,
//! `os.path.join(BASE_DIR, "templates")`, `os.path.dirname(os.path.abspath(__file__))`,
//! `str(...)`, `.parents[n]`, string literals and names assigned earlier at module
//! level. Anything else (environment variables, function calls) is skipped.

use crate::ast_util::{dotted, span_of, str_const};
use djust_runtime::Span;
use ruff_python_ast::{self as ast, Expr, Stmt};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Every `DIRS` entry of module-level `TEMPLATES = [...]` (or `+=`) assignments in `body`.
/// Relative entries are taken relative to the directory above the settings package
/// (where `manage.py` usually is).
pub fn template_dirs(body: &[Stmt], file: &Path) -> Vec<PathBuf> {
    let mut env: HashMap<String, PathBuf> = HashMap::new();
    let mut dirs = Vec::new();
    for stmt in body {
        let (targets, value): (Vec<&Expr>, &Expr) = match stmt {
            Stmt::Assign(a) => (a.targets.iter().collect(), &a.value),
            Stmt::AnnAssign(a) => match &a.value {
                Some(v) => (vec![&a.target], v),
                None => continue,
            },
            _ => continue,
        };
        for t in targets {
            let Expr::Name(n) = t else { continue };
            if n.id.as_str() == "TEMPLATES" {
                collect_dirs(value, file, &env, &mut dirs);
            } else if let Some(p) = eval_path(value, file, &env) {
                env.insert(n.id.to_string(), p);
            }
        }
    }
    dirs
}

/// `INSTALLED_APPS` as module-level assignments in `body` set it: lists or tuples of
/// string literals, `+` of them, and `+=` (Django's app registry order, which is the
/// order the app directories template loader searches). Other entries are skipped.
pub fn installed_apps(body: &[Stmt]) -> Vec<String> {
    let mut apps = Vec::new();
    for stmt in body {
        let (target, value, extend): (&Expr, &Expr, bool) = match stmt {
            Stmt::Assign(a) if a.targets.len() == 1 => (&a.targets[0], &a.value, false),
            Stmt::AnnAssign(a) => match &a.value {
                Some(v) => (&a.target, v, false),
                None => continue,
            },
            Stmt::AugAssign(a) if matches!(a.op, ast::Operator::Add) => (&a.target, &a.value, true),
            _ => continue,
        };
        if !matches!(target, Expr::Name(n) if n.id.as_str() == "INSTALLED_APPS") {
            continue;
        }
        if !extend {
            apps.clear();
        }
        app_strings(value, &mut apps, 0);
    }
    apps
}

fn app_strings(value: &Expr, out: &mut Vec<String>, depth: usize) {
    if depth > 64 {
        return;
    }
    match value {
        Expr::List(l) => out.extend(l.elts.iter().filter_map(str_const).map(str::to_string)),
        Expr::Tuple(t) => out.extend(t.elts.iter().filter_map(str_const).map(str::to_string)),
        Expr::BinOp(b) if matches!(b.op, ast::Operator::Add) => {
            app_strings(&b.left, out, depth + 1);
            app_strings(&b.right, out, depth + 1);
        }
        _ => {}
    }
}

pub use crate::summary::python::Setting;

/// The settings djust's configuration checks read (C001–C005, C010, A010–A030, S004,
/// S011).
pub const SETTINGS: &[&str] = &[
    "ALLOWED_HOSTS",
    "ASGI_APPLICATION",
    "CHANNEL_LAYERS",
    "CONTENT_SECURITY_POLICY",
    "DEBUG",
    "DJUST_TRUSTED_PROXIES",
    "INSTALLED_APPS",
    "MIDDLEWARE",
    "SECRET_KEY",
    "SECURE_PROXY_SSL_HEADER",
    "USE_X_FORWARDED_HOST",
];

/// Whether `name` is a setting djust reads: one of [`SETTINGS`], or a
/// `django-csp` setting (`CSP_…`, `SECURE_CSP…`), which S011 counts as a policy.
pub fn is_read_setting(name: &str) -> bool {
    SETTINGS.contains(&name) || is_csp_setting(name)
}

/// Whether `name` configures a Content Security Policy: Django's
/// `CONTENT_SECURITY_POLICY` / `SECURE_CSP…`, or django-csp's `CSP_…` (S011).
pub fn is_csp_setting(name: &str) -> bool {
    name == "CONTENT_SECURITY_POLICY" || name.starts_with("CSP_") || name.starts_with("SECURE_CSP")
}

/// Module-level assignments of [`SETTINGS`] in `body`, in source order, with the span
/// of each statement. `INSTALLED_APPS` takes its [`installed_apps`] value.
pub fn settings(body: &[Stmt]) -> Vec<(String, Setting, Span)> {
    let mut out = Vec::new();
    for stmt in body {
        let (target, value) = match stmt {
            Stmt::Assign(a) if a.targets.len() == 1 => (&a.targets[0], Some(a.value.as_ref())),
            Stmt::AnnAssign(a) => (a.target.as_ref(), a.value.as_deref()),
            Stmt::AugAssign(a) => (a.target.as_ref(), None),
            _ => continue,
        };
        let Expr::Name(n) = target else { continue };
        let name = n.id.as_str();
        if !is_read_setting(name) {
            continue;
        }
        let value = match (name, value) {
            ("INSTALLED_APPS", _) => Setting::Strs(installed_apps(std::slice::from_ref(stmt))),
            (_, Some(v)) => setting_value(v),
            (_, None) => Setting::Other,
        };
        // `INSTALLED_APPS += [...]` extends what an earlier assignment set.
        if let (Stmt::AugAssign(_), Setting::Strs(more)) = (stmt, &value) {
            if let Some((_, Setting::Strs(prev), _)) = out
                .iter_mut()
                .rev()
                .find(|(n, _, _): &&mut (String, Setting, Span)| n == name)
            {
                prev.extend(more.iter().cloned());
                continue;
            }
        }
        out.push((name.to_string(), value, span_of(stmt)));
    }
    out
}

fn setting_value(value: &Expr) -> Setting {
    match value {
        Expr::BooleanLiteral(b) => Setting::Bool(b.value),
        Expr::NoneLiteral(_) => Setting::Empty,
        Expr::StringLiteral(s) => Setting::Str(s.value.to_str().to_string()),
        Expr::List(l) if l.elts.is_empty() => Setting::Empty,
        Expr::Tuple(t) if t.elts.is_empty() => Setting::Empty,
        Expr::Dict(d) if d.items.is_empty() => Setting::Empty,
        Expr::List(l) => Setting::Strs(l.elts.iter().filter_map(str_const).map(str::to_string).collect()),
        Expr::Tuple(t) => Setting::Strs(t.elts.iter().filter_map(str_const).map(str::to_string).collect()),
        _ => Setting::Other,
    }
}

/// `os.environ.setdefault("DJANGO_SETTINGS_MODULE", "x.settings")` anywhere in `body`
/// (`manage.py`, `asgi.py`, `wsgi.py`): the settings module Django loads by default.
pub fn settings_module_default(body: &[Stmt]) -> Option<String> {
    let mut found = None;
    visit_calls(body, &mut |func, args| {
        if found.is_some() {
            return;
        }
        let name = dotted(func);
        if name.as_deref().and_then(|n| n.last().copied()) == Some("setdefault")
            && args.first().and_then(str_const) == Some("DJANGO_SETTINGS_MODULE")
        {
            found = args.get(1).and_then(str_const).map(str::to_string);
        }
    });
    found
}

/// Call `f(func, args)` for every call statement in `body` and in the bodies of
/// functions and `if`s in it (where `manage.py` makes its call), to a fixed depth.
pub fn visit_calls(body: &[Stmt], f: &mut dyn FnMut(&Expr, &[Expr])) {
    let mut stack: Vec<(&[Stmt], usize)> = vec![(body, 0)];
    while let Some((stmts, depth)) = stack.pop() {
        for stmt in stmts {
            match stmt {
                Stmt::Expr(e) => {
                    if let Expr::Call(c) = e.value.as_ref() {
                        f(&c.func, &c.arguments.args);
                    }
                }
                Stmt::FunctionDef(d) if depth < 8 => stack.push((&d.body, depth + 1)),
                Stmt::If(i) if depth < 8 => {
                    stack.push((&i.body, depth + 1));
                    for clause in &i.elif_else_clauses {
                        stack.push((&clause.body, depth + 1));
                    }
                }
                _ => {}
            }
        }
    }
}

/// The WebSocket application of a `ProtocolTypeRouter({... "websocket": APP ...})` in
/// `body`: the span of `APP` and the names of the wrappers it is built from (the last
/// part of every called name in it, following a module-level name one step:
/// `AllowedHostsOriginValidator`, `AuthMiddlewareStack`, `URLRouter`, …).
pub fn websocket_stack(body: &[Stmt]) -> Option<(Span, Vec<String>)> {
    let assigned: HashMap<&str, &Expr> = body
        .iter()
        .filter_map(|s| match s {
            Stmt::Assign(a) if a.targets.len() == 1 => match &a.targets[0] {
                Expr::Name(n) => Some((n.id.as_str(), a.value.as_ref())),
                _ => None,
            },
            _ => None,
        })
        .collect();
    let router = assigned.values().find_map(|v| match v {
        Expr::Call(c) if dotted(&c.func).is_some_and(|p| p.last() == Some(&"ProtocolTypeRouter")) => {
            c.arguments.args.first()
        }
        _ => None,
    })?;
    let Expr::Dict(d) = router else { return None };
    let app = d
        .items
        .iter()
        .find(|i| i.key.as_ref().and_then(str_const) == Some("websocket"))
        .map(|i| &i.value)?;
    let mut names = Vec::new();
    let mut pending = vec![(app, 0usize)];
    while let Some((e, depth)) = pending.pop() {
        if depth > 32 {
            continue;
        }
        match e {
            Expr::Call(c) => {
                if let Some(p) = dotted(&c.func) {
                    names.extend(p.last().map(|s| s.to_string()));
                }
                pending.extend(c.arguments.args.iter().map(|a| (a, depth + 1)));
            }
            Expr::Name(n) => {
                if let Some(v) = assigned.get(n.id.as_str()) {
                    if depth < 2 {
                        pending.push((v, depth + 1));
                    }
                }
            }
            _ => {}
        }
    }
    Some((span_of(app), names))
}

fn collect_dirs(value: &Expr, file: &Path, env: &HashMap<String, PathBuf>, out: &mut Vec<PathBuf>) {
    let items = match value {
        Expr::List(l) => &l.elts,
        Expr::Tuple(t) => &t.elts,
        _ => return,
    };
    for item in items {
        let Expr::Dict(d) = item else { continue };
        for item in &d.items {
            let v = &item.value;
            if item.key.as_ref().and_then(str_const) != Some("DIRS") {
                continue;
            }
            let entries = match v {
                Expr::List(l) => &l.elts,
                Expr::Tuple(t) => &t.elts,
                _ => continue,
            };
            for e in entries {
                if let Some(p) = eval_path(e, file, env) {
                    let p = if p.is_absolute() {
                        p
                    } else {
                        project_dir(file).join(p)
                    };
                    out.push(normalize(&p));
                }
            }
        }
    }
}

fn project_dir(file: &Path) -> PathBuf {
    file.parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// Remove `.` and `..` components without touching the file system.
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn eval_path(e: &Expr, file: &Path, env: &HashMap<String, PathBuf>) -> Option<PathBuf> {
    match e {
        Expr::Name(n) if n.id.as_str() == "__file__" => Some(file.to_path_buf()),
        Expr::Name(n) => env.get(n.id.as_str()).cloned(),
        Expr::StringLiteral(_) => str_const(e).map(PathBuf::from),
        Expr::BinOp(b) if matches!(b.op, ast::Operator::Div) => {
            let base = eval_path(&b.left, file, env)?;
            let rest = eval_path(&b.right, file, env)?;
            Some(base.join(rest))
        }
        Expr::Attribute(a) if a.attr.as_str() == "parent" => {
            eval_path(&a.value, file, env).map(|p| p.parent().map(Path::to_path_buf).unwrap_or(p))
        }
        Expr::Subscript(s) => {
            // `.parents[n]`
            let Expr::Attribute(a) = s.value.as_ref() else {
                return None;
            };
            if a.attr.as_str() != "parents" {
                return None;
            }
            let base = eval_path(&a.value, file, env)?;
            let Expr::NumberLiteral(c) = s.slice.as_ref() else {
                return None;
            };
            let ast::Number::Int(n) = &c.value else {
                return None;
            };
            let n: usize = n.as_usize()?;
            base.ancestors().nth(n + 1).map(Path::to_path_buf)
        }
        Expr::Call(c) => {
            // Path methods that keep the path: `.resolve()`, `.absolute()`.
            if let Expr::Attribute(a) = c.func.as_ref() {
                if matches!(a.attr.as_str(), "resolve" | "absolute") {
                    return eval_path(&a.value, file, env);
                }
            }
            let func = dotted(&c.func)?;
            match func.join(".").as_str() {
                "Path" | "pathlib.Path" | "PurePath" | "str" | "os.fspath" | "os.path.abspath"
                | "os.path.realpath" | "os.path.normpath" => {
                    c.arguments.args.first().and_then(|a| eval_path(a, file, env))
                }
                "os.path.dirname" => c
                    .arguments
                    .args
                    .first()
                    .and_then(|a| eval_path(a, file, env))
                    .map(|p| p.parent().map(Path::to_path_buf).unwrap_or(p)),
                "os.path.join" => {
                    let mut acc = PathBuf::new();
                    for a in c.arguments.args.iter() {
                        acc.push(eval_path(a, file, env)?);
                    }
                    Some(acc)
                }
                _ => None,
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dirs(src: &str) -> Vec<PathBuf> {
        let m = crate::python::parse_module(src).unwrap_or_else(|e| panic!("{e}"));
        template_dirs(&m, Path::new("/proj/config/settings.py"))
    }

    #[test]
    fn pathlib_and_os_path_shapes() {
        let src = r#"
from pathlib import Path
import os
BASE_DIR = Path(__file__).resolve().parent.parent
OTHER = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [BASE_DIR / "templates", os.path.join(OTHER, "shared", "tpl"), "rel/x", os.environ["X"]],
    "APP_DIRS": True,
}]
"#;
        assert_eq!(
            dirs(src),
            vec![
                PathBuf::from("/proj/templates"),
                PathBuf::from("/proj/shared/tpl"),
                PathBuf::from("/proj/rel/x"),
            ]
        );
    }

    #[test]
    fn installed_apps_in_order() {
        let src = "INSTALLED_APPS = ['django.contrib.admin', 'shop.apps.ShopConfig']\nINSTALLED_APPS += ('blog',)\nINSTALLED_APPS = INSTALLED_APPS + ['extra', env('X')]\n";
        let m = crate::python::parse_module(src).unwrap_or_default();
        // The last plain assignment restarts the list; a name it adds to is not read.
        assert_eq!(installed_apps(&m), ["extra"]);
        let src = "INSTALLED_APPS = ['a'] + ['b']\nINSTALLED_APPS += ['c']\n";
        let m = crate::python::parse_module(src).unwrap_or_default();
        assert_eq!(installed_apps(&m), ["a", "b", "c"]);
    }

    #[test]
    fn parents_index() {
        let src = "BASE = Path(__file__).resolve().parents[1]\nTEMPLATES=[{'DIRS': [BASE / 'templates']}]";
        assert_eq!(dirs(src), vec![PathBuf::from("/proj/templates")]);
    }
}
