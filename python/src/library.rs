//! Django tag libraries in the Rust engine: a project's `@register.filter`,
//! `simple_tag`, `inclusion_tag` and `simple_block_tag` functions called from the
//! renderer with resolved values (no Django node in between), and `@register.tag`
//! compile functions run by Django's own parser ([`PyHostTag`]), their nodes rendered
//! against a Django `Context` view of the render's context ([`PyHostNode`]).
//!
//! The Python side (`djust.template.library.describe`) reads each `Library` into
//! plain dicts (see [`register_library`] for their shape); the context view and the
//! host-tag compile and render live in `djust.template.library` too, so the Django
//! parts stay Python. An exception raised by the project's code is kept and raised
//! unchanged when the render ends, as in Django.

use crate::convert::{keep_host_error, to_py, to_value, PyContext};
use djust_runtime::template::engine::HostLoader;
use djust_runtime::template::library::{
    Arg, CustomTag, FilterDef, FilterEnv, FilterFlags, HostCompile, HostCompiled, HostContext, HostNode,
    HostRendered, HostTag, Registry, Signature, TagCall, TagDef, TagKind,
};
use djust_runtime::template::{ErrorKind, TemplateError, TokenKind, Value};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use std::sync::Arc;

/// A required item of a description dict.
fn item<'py, T: FromPyObjectOwned<'py>>(d: &Bound<'py, PyDict>, key: &str) -> PyResult<T> {
    match d.get_item(key)? {
        Some(v) => v.extract::<T>().map_err(Into::into),
        None => Err(pyo3::exceptions::PyKeyError::new_err(key.to_string())),
    }
}

/// A Python exception as a render error: the exception is kept and raised unchanged
/// when the render ends (`finish` in `lib.rs`).
fn raised(py: Python<'_>, err: PyErr) -> TemplateError {
    let message = err.value(py).to_string();
    keep_host_error(err);
    TemplateError::new(ErrorKind::Render, message)
}

/// A Python `TemplateSyntaxError` (or any exception) from a compile function as the
/// template's syntax error.
fn syntax(py: Python<'_>, err: PyErr) -> TemplateError {
    TemplateError::new(ErrorKind::Syntax, err.value(py).to_string())
}

/// A compile function's exception: Django's `Parser.parse` lets it escape unchanged
/// (`Parser.error` only attaches the token), so anything but a `TemplateSyntaxError`
/// is kept to be raised as it is in place of the template error.
fn compile_error(py: Python<'_>, err: PyErr) -> TemplateError {
    let is_syntax = py
        .import("django.template")
        .and_then(|m| m.getattr("TemplateSyntaxError"))
        .is_ok_and(|t| err.value(py).is_instance(&t).unwrap_or(false));
    let e = syntax(py, err.clone_ref(py));
    if !is_syntax {
        crate::convert::raise_later(err);
    }
    e
}

/// Register one described library: `name` `None` makes its filters and tags always
/// available (Django's `builtins`).
///
/// The description is a dict: `filters`, a list of dicts with `name`, `func`,
/// `is_safe`, `needs_autoescape`, `expects_localtime`, `required` and `total` (the
/// argument counts Django's `args_check` allows, the input included); `tags`, a list of
/// dicts with `name`, `context` (the factory of a Django `Context` over a render's
/// context: mapping, bound names, autoescape, template name) and `kind`: `"simple"`,
/// `"inclusion"` (with `filename`) or
/// `"block"` (with `end_name`), each with `func`, `takes_context` and the signature
/// (`params` without `context`/`content`, `defaults`, `varargs`, `varkw`, `kwonly`,
/// `kwonly_required`); or `"host"` with `compile` (a callable taking the tokens from
/// the tag on, the loads so far and the template name, returning `(node, consumed)`)
/// and `render` (taking the node and a context from `context`, returning
/// `(output, writes)`).
pub(crate) fn register_library(
    registry: &mut Registry,
    name: Option<&str>,
    desc: &Bound<'_, PyDict>,
) -> PyResult<()> {
    if let Some(name) = name {
        registry.register_library(name);
    }
    if let Some(filters) = desc.get_item("filters")? {
        for f in filters.try_iter()? {
            let def = python_filter(&f?.cast_into::<PyDict>()?)?;
            match name {
                Some(lib) => registry.register_library_filter(lib, def),
                None => registry.register(def),
            }
        }
    }
    if let Some(tags) = desc.get_item("tags")? {
        for t in tags.try_iter()? {
            let t = t?.cast_into::<PyDict>()?;
            let tag_name: String = item(&t, "name")?;
            let def = python_tag(&t, name)?;
            registry.register_tag_def(name, tag_name, def);
        }
    }
    Ok(())
}

fn python_filter(d: &Bound<'_, PyDict>) -> PyResult<FilterDef> {
    let func: Py<PyAny> = item(d, "func")?;
    let needs_autoescape: bool = item(d, "needs_autoescape")?;
    let name: String = item(d, "name")?;
    let flags = FilterFlags {
        is_safe: item(d, "is_safe")?,
        needs_autoescape,
        expects_localtime: item(d, "expects_localtime")?,
    };
    let python: djust_runtime::template::library::FilterFn =
        Arc::new(move |value, arg, env| call_filter(&func, needs_autoescape, value, arg, env));
    // One of Django's own filters the engine has natively (it asks the Python function
    // only for inputs it cannot decide).
    let qualname: Option<String> = d.get_item("qualname")?.map(|q| q.extract()).transpose()?;
    let call = qualname
        .and_then(|q| djust_runtime::template::humanize::native_filter(&q, python.clone()))
        .unwrap_or(python);
    Ok(FilterDef::new(
        &name,
        Arg::Params(item(d, "required")?, item(d, "total")?),
        flags,
        call,
    ))
}

/// Django's `FilterExpression.resolve` for one Python filter: `autoescape=` passed
/// when it `needs_autoescape` (the renderer has made the input local time when it
/// `expects_localtime`).
fn call_filter(
    func: &Py<PyAny>,
    needs_autoescape: bool,
    value: &Value,
    arg: Option<&Value>,
    env: &FilterEnv,
) -> djust_runtime::template::error::Result<Value> {
    Python::attach(|py| {
        let call = || -> PyResult<Value> {
            let obj = to_py(py, value).into_bound(py);
            let args = match arg {
                Some(a) => PyTuple::new(py, [obj, to_py(py, a).into_bound(py)])?,
                None => PyTuple::new(py, [obj])?,
            };
            let kwargs = if needs_autoescape {
                let kw = PyDict::new(py);
                kw.set_item("autoescape", env.autoescape)?;
                Some(kw)
            } else {
                None
            };
            Ok(to_value(&func.bind(py).call(args, kwargs.as_ref())?))
        };
        call().map_err(|e| raised(py, e))
    })
}

fn python_tag(d: &Bound<'_, PyDict>, library: Option<&str>) -> PyResult<TagDef> {
    let kind: String = item(d, "kind")?;
    if kind == "host" {
        // One of Django's own compile functions the engine parses natively.
        let name: String = item(d, "name")?;
        let qualname: Option<String> = d.get_item("qualname")?.map(|q| q.extract()).transpose()?;
        if qualname.is_some_and(|q| djust_runtime::template::library::native_tag(&name, &q)) {
            return Ok(TagDef::Native);
        }
        return Ok(TagDef::Host(Arc::new(PyHostTag {
            compile: item(d, "compile")?,
            render: Arc::new(item(d, "render")?),
            context: Arc::new(item(d, "context")?),
        })));
    }
    let tag_kind = match kind.as_str() {
        "simple" => TagKind::Simple,
        "inclusion" => TagKind::Inclusion(to_value(&item::<Bound<'_, PyAny>>(d, "filename")?)),
        "block" => TagKind::Block(item(d, "end_name")?),
        other => {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "unknown tag kind {other:?}"
            )))
        }
    };
    let func: Py<PyAny> = item(d, "func")?;
    let factory: Py<PyAny> = item(d, "context")?;
    let takes_context: bool = item(d, "takes_context")?;
    let block = matches!(tag_kind, TagKind::Block(_));
    let inclusion = matches!(tag_kind, TagKind::Inclusion(_));
    Ok(TagDef::Custom(Arc::new(CustomTag {
        name: item(d, "name")?,
        library: library.map(str::to_string),
        kind: tag_kind,
        signature: Signature {
            params: item(d, "params")?,
            defaults: item(d, "defaults")?,
            varargs: item(d, "varargs")?,
            varkw: item(d, "varkw")?,
            kwonly: item(d, "kwonly")?,
            kwonly_required: item(d, "kwonly_required")?,
        },
        takes_context,
        func: Arc::new(move |call| call_tag(&func, &factory, block, inclusion, call)),
    })))
}

/// A Django `Context` over the render's context, made by the library's `context`
/// factory (`djust.template.library.Host.context`).
fn context_view<'py>(
    py: Python<'py>,
    factory: &Py<PyAny>,
    scope: &HostContext<'_>,
) -> PyResult<Bound<'py, PyAny>> {
    let mapping = scope
        .root
        .as_any()
        .and_then(|a| a.downcast_ref::<PyContext>())
        .and_then(PyContext::mapping)
        .map_or_else(|| py.None(), |m| m.clone_ref(py));
    let bound = PyList::empty(py);
    for (k, v) in &scope.bound {
        bound.append((&**k, to_py(py, v)))?;
    }
    factory
        .bind(py)
        .call1((mapping, bound, scope.autoescape, scope.template_name))
}

/// Django's `SimpleNode` / `SimpleBlockNode` / `InclusionNode` call: `context` first
/// for `takes_context`, then the rendered body for a block tag, then the arguments.
/// An inclusion tag's dict becomes the included template's context.
fn call_tag(
    func: &Py<PyAny>,
    factory: &Py<PyAny>,
    block: bool,
    inclusion: bool,
    call: &TagCall<'_>,
) -> djust_runtime::template::error::Result<Value> {
    Python::attach(|py| {
        let run = || -> PyResult<Value> {
            let mut args: Vec<Py<PyAny>> = Vec::with_capacity(call.args.len() + 2);
            let view = match &call.scope {
                Some(scope) => Some(context_view(py, factory, scope)?),
                None => None,
            };
            if let Some(view) = &view {
                args.push(view.clone().unbind());
            }
            if block {
                args.push(to_py(py, call.content.as_ref().unwrap_or(&Value::None)));
            }
            args.extend(call.args.iter().map(|a| to_py(py, a)));
            let kwargs = PyDict::new(py);
            for (k, v) in &call.kwargs {
                kwargs.set_item(k, to_py(py, v))?;
            }
            let result = func.bind(py).call(PyTuple::new(py, args)?, Some(&kwargs))?;
            // What the function set in its context (the view's innermost scope).
            if let Some(view) = &view {
                let scope = view.getattr("dicts")?.get_item(-1)?;
                let mut writes = call.writes.borrow_mut();
                for pair in scope.call_method0("items")?.try_iter()? {
                    let (k, v): (String, Bound<'_, PyAny>) = pair?.extract()?;
                    writes.push((k, to_value(&v)));
                }
            }
            if inclusion {
                let items = result.call_method0("items")?;
                let mut pairs = Vec::new();
                for pair in items.try_iter()? {
                    let (k, v): (Bound<'_, PyAny>, Bound<'_, PyAny>) = pair?.extract()?;
                    pairs.push((to_value(&k), to_value(&v)));
                }
                return Ok(Value::Dict(Arc::new(pairs)));
            }
            Ok(to_value(&result))
        };
        run().map_err(|e| raised(py, e))
    })
}

/// A `@register.tag` compile function, run by Django's parser on our tokens.
struct PyHostTag {
    compile: Py<PyAny>,
    render: Arc<Py<PyAny>>,
    context: Arc<Py<PyAny>>,
}

/// Django's `TokenType` value for a token kind.
fn token_type(kind: TokenKind) -> u8 {
    match kind {
        TokenKind::Text => 0,
        TokenKind::Variable => 1,
        TokenKind::Block => 2,
        TokenKind::Comment => 3,
    }
}

impl HostTag for PyHostTag {
    fn compile(&self, call: &HostCompile<'_>) -> djust_runtime::template::error::Result<HostCompiled> {
        Python::attach(|py| {
            let run = || -> PyResult<(Py<PyAny>, usize)> {
                // The template's tokens go to Python once per parse (Django's parser over
                // them is kept there for the parse's later tags): compiling is linear in
                // the template, whatever its number of host tags.
                let tokens = if SENT.with(|s| s.get()) == call.parse {
                    None
                } else {
                    let tokens = PyList::empty(py);
                    for t in call.tokens {
                        tokens.append((
                            token_type(t.kind),
                            t.content(call.source),
                            t.span.start,
                            t.span.end,
                            (call.line)(t.span.start),
                        ))?;
                    }
                    Some(tokens)
                };
                let loads = PyList::empty(py);
                for load in call.loads {
                    let names = load
                        .names
                        .as_ref()
                        .map(|n| n.iter().map(|x| x.to_string()).collect::<Vec<_>>());
                    loads.append((&*load.library, names))?;
                }
                let compiled = self
                    .compile
                    .bind(py)
                    .call1((call.parse, tokens, call.at, loads, call.template_name))?
                    .extract()?;
                SENT.with(|s| s.set(call.parse));
                Ok(compiled)
            };
            let (node, consumed) = run().map_err(|e| compile_error(py, e))?;
            Ok(HostCompiled {
                node: Arc::new(PyHostNode {
                    node,
                    render: self.render.clone(),
                    context: self.context.clone(),
                }),
                consumed,
            })
        })
    }
}

thread_local! {
    /// The parse whose tokens this thread last sent to Python (`Host.compile` keeps
    /// them, and its parser, for that parse).
    static SENT: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// A Django node returned by a compile function.
struct PyHostNode {
    node: Py<PyAny>,
    render: Arc<Py<PyAny>>,
    context: Arc<Py<PyAny>>,
}

impl std::fmt::Debug for PyHostNode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<Django node>")
    }
}

impl HostNode for PyHostNode {
    fn render(&self, context: &HostContext<'_>) -> djust_runtime::template::error::Result<HostRendered> {
        Python::attach(|py| {
            let run = || -> PyResult<HostRendered> {
                let view = context_view(py, &self.context, context)?;
                let (output, writes): (String, Vec<(String, Bound<'_, PyAny>)>) = self
                    .render
                    .bind(py)
                    .call1((self.node.bind(py), view))?
                    .extract()?;
                Ok(HostRendered {
                    output,
                    writes: writes.iter().map(|(k, v)| (k.clone(), to_value(v))).collect(),
                })
            };
            run().map_err(|e| raised(py, e))
        })
    }
}

/// A Django loader instance (a project's own class): `load(name)` returns the source
/// or `None` (`djust.template.library.load_source`).
#[derive(Debug)]
pub(crate) struct PyLoader {
    pub(crate) load: Py<PyAny>,
}

impl HostLoader for PyLoader {
    fn load(&self, name: &str) -> djust_runtime::template::error::Result<Option<String>> {
        Python::attach(|py| {
            self.load
                .bind(py)
                .call1((name,))
                .and_then(|v| v.extract::<Option<String>>())
                .map_err(|e| raised(py, e))
        })
    }
}
