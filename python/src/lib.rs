//! `djust._rust`: the runtime core for Python (PyO3).
//!
//! - [`Engine`] / [`Template`]: the Rust Django template engine. The context is a
//!   Python mapping read lazily: a name is looked up only when the template uses it,
//!   and a value is converted only as far as the template reaches into it
//!   ([`convert`]).
//! - [`LiveViewRenderer`]: one LiveView session's renders — HTML with `dj-id`s on the
//!   first render, then patches (`docs/protocol.md`) against the previous render, with
//!   unchanged loop iterations reused (`djust_runtime::vdom::build`).
//! - [`diff_html`]: patches between two HTML documents.
//! - [`dumps`]: JSON spelled as Django's `DjangoJSONEncoder` spells it ([`json`]).
//! - [`check`]: the analyzer of `djust check`, findings as `--output-format json`.
//! - [`main`]: the `djust` command line (the console script), the Rust binary's code.
//!
//! Template errors become the exception classes of `djust.exceptions`
//! (`TemplateSyntaxError` subclasses Django's when Django is installed), with the
//! template name, line and column as attributes.

// The renderer, the VDOM builder and the diff allocate many short-lived buffers per
// event; mimalloc keeps freed memory for the next event where the system allocator
// of the Python process gives the top of its heap back to the kernel after each one
// and takes page faults to get it again (docs/benchmarks.md, issue 22). It serves the
// Rust side only: every value handed to Python is copied into Python's own objects.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod convert;
mod host;
mod json;
mod library;

use convert::PyContext;
use djust_runtime::template::{
    Engine as RtEngine, EngineOptions, ErrorKind, Loader, Template as RtTemplate, TemplateError, TokenKind,
};
use djust_runtime::vdom::build::{build_document, render_document, render_document_after, Rendered};
use djust_runtime::vdom::diff::diff_trees;
use djust_runtime::vdom::{patch, IdAllocator};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

/// The exception for a template error: the class of `djust.exceptions` for its kind,
/// with `template_name`, `lineno` and `column` set (None when unknown).
fn template_error(py: Python<'_>, e: TemplateError) -> PyErr {
    let class = match e.kind {
        ErrorKind::Syntax | ErrorKind::Recursion => "TemplateSyntaxError",
        ErrorKind::NotFound | ErrorKind::SuspiciousName => "TemplateDoesNotExist",
        ErrorKind::Render => "TemplateRenderError",
        ErrorKind::Value => "TemplateValueError",
        ErrorKind::Attribute => "TemplateAttributeError",
        ErrorKind::Limit => "TemplateSizeError",
    };
    let made = (|| -> PyResult<PyErr> {
        let cls = py.import("djust.exceptions")?.getattr(class)?;
        let err = cls.call1((e.to_string(),))?;
        err.setattr("template_name", e.template.clone())?;
        err.setattr("lineno", e.line)?;
        err.setattr("column", e.column)?;
        err.setattr("message", e.message.clone())?;
        Ok(PyErr::from_value(err))
    })();
    // Without the Python package (the bare module), a plain exception still says it all.
    made.unwrap_or_else(|_| PyValueError::new_err(e.to_string()))
}

/// With debug on, give the exception for `e` Django's `template_debug` (the source
/// around the offending token, for the technical 500 page), from `source`, the text
/// of the template the error is in (`djust.template.debug.attach`).
fn attach_debug(py: Python<'_>, err: &PyErr, e: &TemplateError, source: &str) {
    let Some(span) = e.span else {
        return;
    };
    let (start, end) = enclosing_token(source, span.start, span.end);
    let chars = |at: usize| source.get(..at).map(|s| s.chars().count());
    let (Some(start), Some(end)) = (chars(start), chars(end)) else {
        return;
    };
    let attached = py.import("djust.template.debug").and_then(|m| {
        m.getattr("attach")?
            .call1((err.value(py), source, e.template.as_deref(), start, end))
    });
    // Without Django (the bare module) there is no debug page to feed.
    drop(attached);
}

/// The `{{ … }}` or `{% … %}` token (the engine's lexer's) around bytes `start..end`
/// of `source`: the error points at a filter or an argument, Django's debug page marks
/// the whole token; `start..end` itself when no token holds it.
fn enclosing_token(source: &str, start: usize, end: usize) -> (usize, usize) {
    djust_runtime::template::tokenize(source)
        .into_iter()
        .find(|t| {
            matches!(t.kind, TokenKind::Variable | TokenKind::Block)
                && t.span.start <= start
                && end <= t.span.end
        })
        .map_or((start, end), |t| (t.span.start, t.span.end))
}

/// The template engine: Django's template language with the loaders Django's
/// `filesystem` and `locmem` loaders give, compiled templates cached by name.
///
/// `Engine(dirs=None, templates=None, *, autoescape=True, string_if_invalid="",
/// django=False, max_generated_size=16 * 1024 * 1024, loaders=None, libraries=None,
/// builtins=None, debug=False, auto_reload=False)`: `dirs` are template directories
/// searched in order, `templates` a dict of in-memory templates by name (searched
/// first), `loaders` more loaders after them, each `("locmem", {name: source})`,
/// `("directories", [path, …])` or `("host", load)` (`load(name)` returns the source or
/// `None`); `django=True` answers `{% url %}`, `{% static %}`, the i18n tags and
/// `{% debug %}` with Django's own APIs (Django must be configured). `libraries` is a
/// list of `(name, description)` and `builtins` a list of descriptions of Django tag
/// libraries (`djust.template.library.Host.describe`, shape in `library.rs`).
/// `max_generated_size` is the most characters one filter or tag may generate from a
/// size in its input (`rjust:n`, `{% lorem n %}`, …): over it the render raises
/// `djust.exceptions.TemplateSizeError` (a `MemoryError`) instead of allocating.
/// `debug=True` gives template errors Django's `template_debug` (the technical 500
/// page's excerpt); `auto_reload=True` recompiles a template whose source changed when
/// it is next loaded (and a LiveView session's template at its next render).
#[pyclass(module = "djust._rust", frozen)]
struct Engine {
    inner: Arc<RtEngine>,
    debug: bool,
}

#[pymethods]
impl Engine {
    #[new]
    #[pyo3(signature = (dirs=None, templates=None, *, autoescape=true, string_if_invalid=String::new(), django=false, max_generated_size=djust_runtime::template::engine::DEFAULT_MAX_GENERATED_SIZE, loaders=None, libraries=None, builtins=None, debug=false, auto_reload=false))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        dirs: Option<Vec<PathBuf>>,
        templates: Option<HashMap<String, String>>,
        autoescape: bool,
        string_if_invalid: String,
        django: bool,
        max_generated_size: usize,
        loaders: Option<Vec<(String, Bound<'_, PyAny>)>>,
        libraries: Option<Vec<(String, Bound<'_, PyDict>)>>,
        builtins: Option<Vec<Bound<'_, PyDict>>>,
        debug: bool,
        auto_reload: bool,
    ) -> PyResult<Self> {
        let mut chain = Vec::new();
        if let Some(t) = templates {
            chain.push(Loader::Memory(t));
        }
        if let Some(d) = dirs {
            chain.push(Loader::Directories(d));
        }
        for (kind, arg) in loaders.unwrap_or_default() {
            chain.push(match kind.as_str() {
                "locmem" => Loader::Memory(arg.extract()?),
                "directories" => Loader::Directories(arg.extract()?),
                "host" => Loader::Host(Arc::new(library::PyLoader { load: arg.unbind() })),
                other => return Err(PyValueError::new_err(format!("unknown loader kind {other:?}"))),
            });
        }
        let options = EngineOptions {
            string_if_invalid,
            autoescape,
            max_generated_size,
            auto_reload,
            ..EngineOptions::default()
        };
        let mut engine = RtEngine::new(chain, options);
        if django {
            engine.set_host(Arc::new(host::DjangoHost::default()));
        }
        for (name, desc) in libraries.unwrap_or_default() {
            library::register_library(engine.registry_mut(), Some(&name), &desc)?;
        }
        for desc in builtins.unwrap_or_default() {
            library::register_library(engine.registry_mut(), None, &desc)?;
        }
        Ok(Engine {
            inner: Arc::new(engine),
            debug,
        })
    }

    /// Compile `source` (named `name` in errors). Raises `TemplateSyntaxError`.
    // Django's name for it (`Engine.from_string`).
    #[allow(clippy::wrong_self_convention)]
    #[pyo3(signature = (source, name=None))]
    fn from_string(&self, py: Python<'_>, source: &str, name: Option<&str>) -> PyResult<Template> {
        clear_raised();
        let template = self.inner.compile(source, name).map_err(|e| {
            if let Some(raised) = convert::take_raised() {
                return raised;
            }
            let err = template_error(py, e.clone());
            if self.debug {
                attach_debug(py, &err, &e, source);
            }
            err
        })?;
        Ok(Template {
            engine: self.inner.clone(),
            inner: template,
            debug: self.debug,
        })
    }

    /// The template `name` from the loaders (cached). Raises `TemplateDoesNotExist` or
    /// `TemplateSyntaxError`; a name that is not valid Unicode text (a lone surrogate,
    /// which no file name can hold) is `TemplateDoesNotExist`, as in Django.
    fn get_template(&self, py: Python<'_>, name: &Bound<'_, PyString>) -> PyResult<Template> {
        let Ok(name) = name.to_str() else {
            let shown = name.repr().map(|r| r.to_string()).unwrap_or_default();
            return Err(template_error(py, TemplateError::new(ErrorKind::NotFound, shown)));
        };
        clear_raised();
        let template = self.inner.get_template(name).map_err(|e| {
            if let Some(raised) = convert::take_raised() {
                return raised;
            }
            let err = template_error(py, e.clone());
            if self.debug && e.kind == ErrorKind::Syntax {
                if let Ok(source) = self.inner.template_source(e.template.as_deref().unwrap_or(name)) {
                    attach_debug(py, &err, &e, &source);
                }
            }
            err
        })?;
        Ok(Template {
            engine: self.inner.clone(),
            inner: template,
            debug: self.debug,
        })
    }

    /// `get_template(name).render(context)`.
    #[pyo3(signature = (name, context=None))]
    fn render_to_string(
        &self,
        py: Python<'_>,
        name: &Bound<'_, PyString>,
        context: Option<Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        self.get_template(py, name)?.render(py, context)
    }
}

/// A compiled template; `render(context=None)` returns the HTML as a `str`.
#[pyclass(module = "djust._rust", frozen)]
struct Template {
    engine: Arc<RtEngine>,
    inner: Arc<RtTemplate>,
    debug: bool,
}

#[pymethods]
impl Template {
    /// Render with `context`, a mapping (usually a dict) read lazily. Raises the
    /// exceptions of `djust.exceptions`.
    #[pyo3(signature = (context=None))]
    fn render(&self, py: Python<'_>, context: Option<Bound<'_, PyAny>>) -> PyResult<String> {
        let ctx = PyContext::writing(context)?;
        clear_raised();
        let result = self.engine.render(&self.inner, &ctx);
        let located = result.as_ref().err().cloned();
        let outcome = finish(py, result);
        if let (Err(err), Some(e), true) = (&outcome, located, self.debug) {
            // The error is in this template or in one it extends or includes.
            let source = match e.template.as_deref() {
                Some(name) if Some(name) != self.inner.name.as_deref() => {
                    self.engine.template_source(name).ok()
                }
                _ => Some(self.inner.source.to_string()),
            };
            if let Some(source) = source {
                attach_debug(py, err, &e, &source);
            }
        }
        outcome
    }

    /// The name the template was loaded by, if any.
    #[getter]
    fn name(&self) -> Option<String> {
        self.inner.name.clone()
    }

    /// The template's source text (Django's `Template.source`).
    #[getter]
    fn source(&self) -> String {
        self.inner.source.to_string()
    }

    /// The variable paths the template reads, through loop variables, `{% with %}` and
    /// the templates it includes or extends by a literal name: sorted strings such as
    /// `"products.[].category.name"` (`[]`: each item of). For query planning
    /// (`djust.query_planning`); `djust_runtime::template::paths`.
    fn variable_paths(&self) -> Vec<String> {
        djust_runtime::template::paths::variable_paths(&self.engine, &self.inner.nodes)
    }
}

/// Forget exceptions kept by an earlier render.
fn clear_raised() {
    let _ = convert::take_raised();
    let _ = convert::take_host_error();
}

/// A render's outcome for Python, as Django's would be: an exception a variable lookup
/// raised escapes first (Django does not catch it); then a template error — raised as
/// the host's original exception (`NoReverseMatch`, …) when a call into Django caused
/// it; else the value.
fn finish<T>(py: Python<'_>, result: Result<T, TemplateError>) -> PyResult<T> {
    let host = convert::take_host_error();
    if let Some(raised) = convert::take_raised() {
        return Err(raised);
    }
    result.map_err(|e| match host {
        Some(original) if e.kind == ErrorKind::Render => original,
        _ => template_error(py, e),
    })
}

/// One LiveView session's renders of one template, and the session's state.
///
/// The state is a dict (`set_state`, `update_state`, `get_state`) that serves as the
/// context when a render is given none. `render()` renders and builds the VDOM and
/// returns the HTML of the LiveView root with `dj-id`s stamped on every element;
/// `render_with_diff()` returns `(html, patches_json_or_None, version)`: no patches on
/// the first render, then the patches against the previous render, `version` counting
/// renders from 1. One session is used from one thread at a time (a second concurrent
/// call raises `RuntimeError`, PyO3's borrow check). Source: runtime spec §1.5
/// (upstream's `RustLiveView`).
#[pyclass(module = "djust._rust")]
struct LiveViewRenderer {
    engine: Arc<RtEngine>,
    template: Arc<RtTemplate>,
    ids: IdAllocator,
    last: Option<Rendered>,
    version: u64,
    state: Py<PyDict>,
    /// Microseconds of the last `render_with_diff`: (render, diff, serialise).
    timings: (u64, u64, u64),
}

fn micros(since: std::time::Instant) -> u64 {
    u64::try_from(since.elapsed().as_micros()).unwrap_or(u64::MAX)
}

#[pymethods]
impl LiveViewRenderer {
    #[new]
    fn new(py: Python<'_>, template: &Template) -> Self {
        LiveViewRenderer {
            engine: template.engine.clone(),
            template: template.inner.clone(),
            ids: IdAllocator::new(),
            last: None,
            version: 0,
            state: PyDict::new(py).unbind(),
            timings: (0, 0, 0),
        }
    }

    /// How long the last `render_with_diff` took, in microseconds (monotonic clock):
    /// `{"render": …, "diff": …, "serialize": …}`: the template render with the VDOM
    /// build, the keyed diff, and writing the patches and the root's HTML out. For
    /// `djust.profiling`.
    fn last_timings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let out = PyDict::new(py);
        out.set_item("render", self.timings.0)?;
        out.set_item("diff", self.timings.1)?;
        out.set_item("serialize", self.timings.2)?;
        Ok(out)
    }

    /// Set one state variable.
    fn set_state(&self, py: Python<'_>, key: &str, value: Bound<'_, PyAny>) -> PyResult<()> {
        self.state.bind(py).set_item(key, value)
    }

    /// Merge a mapping into the state (keys not in it are kept).
    fn update_state(&self, py: Python<'_>, values: &Bound<'_, PyAny>) -> PyResult<()> {
        self.state
            .bind(py)
            .update(values.cast::<pyo3::types::PyMapping>()?)
    }

    /// A copy of the state (a dict).
    fn get_state<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        self.state.bind(py).copy()
    }

    /// Render with `context` (default: the state) and return the LiveView root's HTML
    /// with `dj-id`s; the next `render_with_diff` diffs against this render. Raises as
    /// `render_with_diff` does.
    #[pyo3(signature = (context=None))]
    fn render(&mut self, py: Python<'_>, context: Option<Bound<'_, PyAny>>) -> PyResult<String> {
        Ok(self
            .render_with_diff(py, context, None, true)?
            .0
            .unwrap_or_default())
    }

    /// The last render's LiveView root with `dj-id`s, as `render_with_diff` returns it
    /// (the page as the browser has it after the patches); `None` before the first
    /// render or when it had no root.
    fn html(&self) -> Option<String> {
        self.last
            .as_ref()
            .and_then(|r| r.root.as_ref().ok())
            .map(|tree| tree.to_html())
    }

    /// Render with `context` (default: the state): `(html, patches_json_or_None,
    /// version)`. `html` is the LiveView root with `dj-id`s (`None` with
    /// `html=False`: an event's reply sends only patches, and writing out a
    /// 1,000-row root costs a tenth of the cycle; [`Self::html`] writes it later);
    /// `patches_json` is `None` on the first render. With `target` (an element `id`, `dj-target`), only that
    /// element's children are diffed and patched: `html` is then the page as the
    /// browser has it, and the next render without a target sends the rest
    /// (`djust_runtime::vdom::diff::diff_scoped`); a target that is not in both renders
    /// diffs the whole root. Raises the exceptions of `djust.exceptions`, or
    /// `ValueError` when the page has no LiveView root (DJE-053).
    #[pyo3(signature = (context=None, target=None, html=true))]
    fn render_with_diff(
        &mut self,
        py: Python<'_>,
        context: Option<Bound<'_, PyAny>>,
        target: Option<&str>,
        html: bool,
    ) -> PyResult<(Option<String>, Option<String>, u64)> {
        let context = context.unwrap_or_else(|| self.state.bind(py).clone().into_any());
        let ctx = PyContext::new(Some(context))?;
        // In development (`auto_reload`), an edited template is the next event's: the
        // engine recompiles it when its file changed (a syntax error in it is raised).
        if self.engine.options().auto_reload {
            if let Some(name) = self.template.name.clone() {
                self.template = self
                    .engine
                    .get_template(&name)
                    .map_err(|e| template_error(py, e))?;
            }
        }
        clear_raised();
        let started = std::time::Instant::now();
        let mut rendered = finish(
            py,
            match &self.last {
                Some(prev) => render_document_after(&self.engine, &self.template, &ctx, &mut self.ids, prev),
                None => render_document(&self.engine, &self.template, &ctx, &mut self.ids),
            },
        )?;
        let name = self.template.name.as_deref().unwrap_or("<string>");
        let tree = rendered.root.as_mut().map_err(|e| {
            PyValueError::new_err(format!(
                "DJE-053: template '{name}' rendered no LiveView root ({e}), so djust cannot \
                 patch the page. To fix it: (1) put `dj-root` on the one element that wraps \
                 everything the LiveView renders (in '{name}' or the template it extends); \
                 (2) keep `dj-view` on that same element (T005); (3) run `djust check` or \
                 `python manage.py check --tag djust`, which report a missing root (T002). \
                 See https://github.com/djust-org/djust/blob/main/docs/checks/T002.md"
            ))
        })?;
        let render = micros(started);
        let started = std::time::Instant::now();
        let diff = match self.last.as_ref().and_then(|p| p.root.as_ref().ok()) {
            Some(old) => Some(
                match target.and_then(|t| djust_runtime::vdom::diff::diff_scoped(old, tree, t, &mut self.ids))
                {
                    Some(scoped) => scoped,
                    None => diff_trees(old, tree, &mut self.ids),
                },
            ),
            None => None,
        };
        let diffed = micros(started);
        let started = std::time::Instant::now();
        let patches = diff.as_deref().map(patch::to_json);
        let html = html.then(|| tree.to_html());
        self.timings = (render, diffed, micros(started));
        self.last = Some(rendered);
        self.version += 1;
        Ok((html, patches, self.version))
    }

    /// The state attributes the last render binds with `dj-model` or `dj-model.<modifiers>`
    /// (`.lazy`, `.trim`, `.debounce-N`; sorted, unique): the allow-list for the client's model updates, so a client
    /// can only set what the page it was sent shows as a bound field. Source: runtime
    /// spec §1.3 (`dj_model_fields`), taken from the rendered VDOM rather than the
    /// template source so fields in `{% include %}`d templates count and fields in
    /// branches not shown do not.
    fn model_fields(&self) -> Vec<String> {
        let Some(tree) = self.last.as_ref().and_then(|r| r.root.as_ref().ok()) else {
            return Vec::new();
        };
        let mut fields: Vec<String> = tree
            .range(tree.root())
            .filter(|&i| matches!(tree.kind(i), djust_runtime::vdom::tree::Kind::Element(_)))
            .flat_map(|i| tree.attrs(i))
            .filter(|(name, _)| *name == "dj-model" || name.starts_with("dj-model."))
            .map(|(_, value)| value.to_owned())
            .collect();
        fields.sort_unstable();
        fields.dedup();
        fields
    }

    /// How many loop iterations the last render copied from the one before.
    #[getter]
    fn reused_fragments(&self) -> usize {
        self.last.as_ref().map_or(0, Rendered::reused_fragments)
    }
}

/// The patches (JSON, `docs/protocol.md`) that turn the LiveView root of `old_html`
/// into that of `new_html`, ids numbered from 1 in each. Both are built by the render
/// path's streaming builder, which hands a document to html5ever when it meets what it
/// does not model (`djust_runtime::vdom::build::build_document`), so the trees are a
/// browser's either way. Raises `ValueError` when a document has no root.
#[pyfunction]
fn diff_html(py: Python<'_>, old_html: &str, new_html: &str) -> PyResult<String> {
    py.detach(|| {
        let old =
            build_document(old_html, &mut IdAllocator::new()).map_err(|e| format!("old document: {e}"))?;
        let mut ids = IdAllocator::new();
        let mut new = build_document(new_html, &mut ids).map_err(|e| format!("new document: {e}"))?;
        Ok(patch::to_json(&diff_trees(&old, &mut new, &mut ids)))
    })
    .map_err(|e: String| PyValueError::new_err(e))
}

/// Apply `patches` (a JSON list, a `patch` reply's `patches`) to `root_html` (a
/// LiveView root with `dj-id`s, a `mounted` reply's `html`) as the browser client
/// would: the root's HTML after them. For clients outside a browser (the load test);
/// the reference applier the browser's is tested against
/// (`djust_runtime::vdom::apply`). Raises `ValueError` for a patch that does not apply.
#[pyfunction]
fn apply_patches(root_html: &str, patches: &str) -> PyResult<String> {
    djust_runtime::vdom::apply_to_html(root_html, patches).map_err(|e| PyValueError::new_err(e.to_string()))
}

/// Run the analyzer (`djust check`) on `paths` (default: the current directory), with
/// the configuration `djust check` finds for them (`pyproject.toml` `[tool.djust]`).
/// Returns the findings as `djust check --output-format json` prints them: a list of
/// dicts with `code`, `name`, `severity`, `message`, `help`, `filename`, `location`
/// (`{"row", "column"}`, 1-based), `end_location`, `url`, `fix`, `noqa_row`. The
/// analyzer reads files only; it never imports or runs them. Raises `FileNotFoundError`
/// for a missing path and `ValueError` for a bad configuration.
#[pyfunction]
#[pyo3(signature = (paths=None, cwd=None))]
fn check<'py>(
    py: Python<'py>,
    paths: Option<Vec<PathBuf>>,
    cwd: Option<PathBuf>,
) -> PyResult<Bound<'py, PyAny>> {
    let cwd = match cwd {
        Some(c) => c,
        None => std::env::current_dir()?,
    };
    let paths = paths.unwrap_or_default();
    let report = py
        .detach(|| djust_analyzer::check(&paths, &cwd, &djust_analyzer::Overrides::default()))
        .map_err(|e| match e {
            djust_analyzer::CheckError::PathNotFound { .. } => {
                pyo3::exceptions::PyFileNotFoundError::new_err(e.to_string())
            }
            other => PyValueError::new_err(other.to_string()),
        })?;
    let text = djust_analyzer::output::json(&report);
    py.import("json")?.call_method1("loads", (text,))
}

/// The `djust` command line (`djust check`, `djust rule`, …), the same code as the
/// Rust binary: `argv` without the program name (default: `sys.argv[1:]`). Returns the
/// exit code (0 clean, 1 findings, 2 usage or configuration error); the console
/// script `djust` exits with it.
#[pyfunction]
#[pyo3(signature = (argv=None))]
fn main(py: Python<'_>, argv: Option<Vec<String>>) -> PyResult<u8> {
    let argv = match argv {
        Some(a) => a,
        None => py
            .import("sys")?
            .getattr("argv")?
            .extract::<Vec<String>>()?
            .into_iter()
            .skip(1)
            .collect(),
    };
    let args = std::iter::once(String::from("djust")).chain(argv);
    // Flush Python's buffered output first so the two streams do not interleave.
    let _ = py.import("sys")?.getattr("stdout")?.call_method0("flush");
    Ok(py.detach(|| djust_cli::run(args)))
}

/// `json.dumps(obj, cls=DjangoJSONEncoder)`, byte for byte, in Rust: ISO datetimes
/// with `T` and milliseconds (`Z` for UTC), `Decimal`/`UUID`/lazy strings as strings,
/// tuples as lists ([`json`] has the rules). `compact=True` drops the spaces after
/// `,` and `:`; `ensure_ascii=False` keeps non-ASCII characters. Raises `TypeError`
/// for a value Django's encoder cannot encode, `ValueError` for a cycle.
#[pyfunction]
#[pyo3(signature = (obj, *, compact=false, ensure_ascii=true))]
fn dumps(obj: &Bound<'_, PyAny>, compact: bool, ensure_ascii: bool) -> PyResult<String> {
    json::dumps(
        obj,
        &json::Options {
            ensure_ascii,
            compact,
        },
    )
}

/// Render a template source with `context` in a default engine (no loaders).
#[pyfunction]
#[pyo3(signature = (source, context=None))]
fn render_template(py: Python<'_>, source: &str, context: Option<Bound<'_, PyAny>>) -> PyResult<String> {
    let engine = Engine::new(
        None,
        None,
        true,
        String::new(),
        false,
        djust_runtime::template::engine::DEFAULT_MAX_GENERATED_SIZE,
        None,
        None,
        None,
        false,
        false,
    )?;
    engine.from_string(py, source, None)?.render(py, context)
}

/// The module `djust._rust`.
#[pymodule]
fn _rust(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("PATCH_PROTOCOL_VERSION", patch::PROTOCOL_VERSION)?;
    m.add_class::<Engine>()?;
    m.add_class::<Template>()?;
    m.add_class::<LiveViewRenderer>()?;
    m.add_function(wrap_pyfunction!(diff_html, m)?)?;
    m.add_function(wrap_pyfunction!(apply_patches, m)?)?;
    m.add_function(wrap_pyfunction!(dumps, m)?)?;
    m.add_function(wrap_pyfunction!(render_template, m)?)?;
    m.add_function(wrap_pyfunction!(check, m)?)?;
    m.add_function(wrap_pyfunction!(main, m)?)?;
    Ok(())
}
