//! Python values for the template engine, converted lazily.
//!
//! The context is never converted as a whole: [`PyContext`] looks a name up in the
//! Python mapping when the template asks for it, and [`to_value`] converts one value
//! one level deep — scalars (`None`, `bool`, `int`, `float`, `str`, `Decimal`,
//! `date`/`datetime`/`time`) become template values, lists and tuples become lists of
//! lazily converted items, and anything else (dicts, model instances, querysets,
//! lazy translation strings) stays a Python object ([`PyObj`]) asked for one key,
//! attribute or index at a time, as Django's `Variable._resolve_lookup` does:
//! `obj[key]`, then `getattr(obj, key)`, then `obj[int(key)]`, calling a callable
//! result unless it has `do_not_call_in_templates` (an `alters_data` callable
//! resolves to nothing). Objects with `__html__` (`SafeString`, `SafeData`) render
//! unescaped. (Source: `../shared/spec/runtime.md` §4.)
//!
//! Every call into Python happens with the GIL held: rendering runs on the calling
//! Python thread.

use djust_runtime::template::dates::{Date, DateTime, Time, TzName};
use djust_runtime::template::value::Lookup;
use djust_runtime::template::{ContextSource, Object, Value};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDate, PyDateTime, PyFloat, PyInt, PyList, PyString, PyTime, PyTuple, PyType};
use std::cell::RefCell;
use std::sync::Arc;

thread_local! {
    /// A Python exception a lookup raised that Django would let escape the render
    /// (see [`lookup_failed`]); raised when the render ends ([`take_raised`]).
    static RAISED: RefCell<Option<PyErr>> = const { RefCell::new(None) };
    /// The exception behind a host call's error (`reverse`, …): raised in place of
    /// the template error when that error ends the render ([`take_host_error`]).
    static HOST_ERROR: RefCell<Option<PyErr>> = const { RefCell::new(None) };
    /// Interned Python strings for the keys and attribute names templates look up,
    /// by text: a lookup then neither allocates a Python string nor hashes it again
    /// (an interned string keeps its hash). At most [`MAX_NAMES`] per thread; names
    /// past that are made for each lookup. Kept for the thread's life (interned
    /// strings live as long as the interpreter anyway).
    static NAMES: RefCell<rustc_hash::FxHashMap<Box<str>, std::mem::ManuallyDrop<Py<PyString>>>> =
        RefCell::new(rustc_hash::FxHashMap::default());
}

/// How many lookup names a thread keeps interned ([`name`]).
const MAX_NAMES: usize = 4096;

/// `text` as a Python string for a lookup: the interned one kept for this thread, or
/// (once [`MAX_NAMES`] are kept) a new one.
fn name<'py>(py: Python<'py>, text: &str) -> Bound<'py, PyString> {
    NAMES.with(|names| {
        if let Ok(mut names) = names.try_borrow_mut() {
            if let Some(s) = names.get(text) {
                return s.bind(py).clone();
            }
            let s = PyString::intern(py, text);
            if names.len() < MAX_NAMES {
                names.insert(text.into(), std::mem::ManuallyDrop::new(s.clone().unbind()));
            }
            return s;
        }
        PyString::new(py, text)
    })
}

/// Django's `Variable._resolve_lookup` rule for an exception from one lookup step: the
/// exception types that mean "no such key/attribute/index" (`missing`) and an
/// exception with a true `silent_variable_failure` make the variable invalid (the
/// lookup returns `None`); any other exception propagates out of the render — it is
/// kept and raised when the render ends (the first one wins).
fn lookup_failed(py: Python<'_>, err: PyErr, missing: &[&Bound<'_, pyo3::types::PyType>]) -> Option<Value> {
    let value = err.value(py);
    if missing.iter().any(|t| value.is_instance(t).unwrap_or(false)) {
        return None;
    }
    let silent = value
        .getattr("silent_variable_failure")
        .is_ok_and(|f| f.is_truthy().unwrap_or(false));
    if !silent {
        RAISED.with(|r| {
            let mut slot = r.borrow_mut();
            if slot.is_none() {
                *slot = Some(err);
            }
        });
    }
    None
}

/// Keep an exception Django would let escape the render (`str(value)` or `bool(value)`
/// raising), or a tag's compile function raised (not a `TemplateSyntaxError`): raised
/// when the render or the compile ends, the first one winning.
pub(crate) fn raise_later(err: PyErr) {
    RAISED.with(|r| {
        let mut slot = r.borrow_mut();
        if slot.is_none() {
            *slot = Some(err);
        }
    });
}

/// The exception a lookup raised during the last render, if any (clears it).
pub(crate) fn take_raised() -> Option<PyErr> {
    RAISED.with(|r| r.borrow_mut().take())
}

/// Keep the exception behind a host call's error (the first one of a render).
pub(crate) fn keep_host_error(err: PyErr) {
    HOST_ERROR.with(|r| {
        let mut slot = r.borrow_mut();
        if slot.is_none() {
            *slot = Some(err);
        }
    });
}

/// The exception behind the last host error, if any (clears it).
pub(crate) fn take_host_error() -> Option<PyErr> {
    HOST_ERROR.with(|r| r.borrow_mut().take())
}

macro_rules! exc {
    ($py:expr, $($name:ident),+) => {
        [$(&$py.get_type::<pyo3::exceptions::$name>()),+]
    };
}

/// A template context backed by a Python mapping (usually a `dict`).
pub(crate) struct PyContext {
    mapping: Option<Py<PyAny>>,
    /// Bindings made outside any scope (`{% firstof … as v %}`) go into the mapping,
    /// as Django's `Context` writes into the dict it wraps ([`PyContext::writing`]).
    writes: bool,
}

impl PyContext {
    /// `context`: a mapping or `None` (an empty context). Raises `TypeError` for a
    /// value that is not a mapping.
    pub(crate) fn new(context: Option<Bound<'_, PyAny>>) -> PyResult<Self> {
        let mapping = match context {
            None => None,
            Some(c) if c.is_none() => None,
            Some(c) => {
                if !c.hasattr("__getitem__")? {
                    return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                        "context must be a dict or another mapping, not {}",
                        c.get_type().name()?
                    )));
                }
                Some(c.unbind())
            }
        };
        Ok(PyContext {
            mapping,
            writes: false,
        })
    }

    /// [`PyContext::new`] whose top-level bindings are written into `context`, as
    /// Django's `Context(dict)` does (`Template.render`, `Engine.render_to_string`); a
    /// LiveView session's state is not written to.
    pub(crate) fn writing(context: Option<Bound<'_, PyAny>>) -> PyResult<Self> {
        Ok(PyContext {
            writes: true,
            ..Self::new(context)?
        })
    }
}

impl PyContext {
    /// The Python mapping, if any (for a Django `Context` view of it).
    pub(crate) fn mapping(&self) -> Option<&Py<PyAny>> {
        self.mapping.as_ref()
    }
}

impl ContextSource for PyContext {
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }

    fn get(&self, name: &str) -> Option<Value> {
        let mapping = self.mapping.as_ref()?;
        Python::attach(|py| {
            let m = mapping.bind(py);
            match m.get_item(self::name(py, name)) {
                Ok(v) => resolved(&v),
                Err(e) => lookup_failed(py, e, &exc!(py, PyKeyError)),
            }
        })
    }

    fn request(&self) -> Option<Value> {
        self.get("request")
    }

    fn set(&self, name: &str, value: &Value) {
        let (true, Some(mapping)) = (self.writes, self.mapping.as_ref()) else {
            return;
        };
        Python::attach(|py| {
            // A mapping that refuses items (not a dict) keeps the engine's copy only.
            let _ = mapping.bind(py).set_item(self::name(py, name), to_py(py, value));
        });
    }

    /// `pprint.pformat(dict(mapping))`: Django's `{% debug %}` line for this dict.
    fn debug_repr(&self) -> Option<String> {
        Python::attach(|py| {
            let dict = match &self.mapping {
                Some(m) => py.import("builtins")?.getattr("dict")?.call1((m.bind(py),))?,
                None => pyo3::types::PyDict::new(py).into_any(),
            };
            py.import("pprint")?
                .getattr("pformat")?
                .call1((dict,))?
                .extract::<String>()
        })
        .ok()
    }
}

/// A Python object the template reaches into lazily.
#[derive(Debug)]
pub(crate) struct PyObj {
    obj: Py<PyAny>,
}

impl PyObj {
    fn with<T>(&self, f: impl FnOnce(&Bound<'_, PyAny>) -> T) -> T {
        Python::attach(|py| f(self.obj.bind(py)))
    }
}

impl Object for PyObj {
    fn get_item(&self, key: &str) -> Lookup {
        self.with(|o| {
            // Strings index by position only; `"abc"["x"]` is a TypeError in Python.
            let py = o.py();
            let key = name(py, key);
            // A dict (the usual row) answers without an exception when the key is
            // missing; any other mapping goes through `__getitem__`.
            if let Ok(d) = o.cast_exact::<pyo3::types::PyDict>() {
                match d.get_item(&key) {
                    Ok(Some(v)) => return resolved(&v),
                    Ok(None) => return None,
                    Err(e) => {
                        return lookup_failed(py, e, &exc!(py, PyTypeError, PyAttributeError, PyKeyError))
                    }
                }
            }
            // Django subscripts only what its type can subscript (not a class through
            // `__class_getitem__`: `list["x"]` is a type hint, not an item).
            if !o
                .get_type()
                .hasattr(pyo3::intern!(py, "__getitem__"))
                .unwrap_or(false)
            {
                return None;
            }
            match o.get_item(key) {
                Ok(v) => resolved(&v),
                Err(e) => lookup_failed(
                    py,
                    e,
                    &exc!(
                        py,
                        PyTypeError,
                        PyAttributeError,
                        PyKeyError,
                        PyValueError,
                        PyIndexError
                    ),
                ),
            }
        })
    }

    fn get_attr(&self, name: &str) -> Lookup {
        /// Django's `bit in dir(current)` after a failed `getattr`. A `dict`, `list`,
        /// `tuple` or `str` (exactly: no instance attributes, no `__dir__` of its own,
        /// no attribute whose access raises) lists only its type's attributes, which
        /// `getattr` would have found: `False` without building `dir()` (a sorted list
        /// of every name, which cost a row of dicts a fifth of its render).
        fn lists_attribute(o: &Bound<'_, PyAny>, attr: &Bound<'_, pyo3::types::PyString>) -> bool {
            if o.is_exact_instance_of::<pyo3::types::PyDict>()
                || o.is_exact_instance_of::<pyo3::types::PyList>()
                || o.is_exact_instance_of::<pyo3::types::PyTuple>()
                || o.is_exact_instance_of::<pyo3::types::PyString>()
            {
                return false;
            }
            o.dir().is_ok_and(|names| names.contains(attr).unwrap_or(false))
        }
        self.with(|o| {
            if name.starts_with('_') {
                // Django refuses variables and attributes that start with an underscore.
                return None;
            }
            let py = o.py();
            let attr = self::name(py, name);
            match o.getattr(&attr) {
                Ok(v) => resolved(&v),
                // Django re-raises an AttributeError or TypeError from an attribute the
                // object has (a `@property` that raised it), instead of taking it for a
                // missing attribute.
                Err(e)
                    if (e.is_instance_of::<pyo3::exceptions::PyAttributeError>(py)
                        || e.is_instance_of::<pyo3::exceptions::PyTypeError>(py))
                        && lists_attribute(o, &attr) =>
                {
                    raise_later(e);
                    None
                }
                Err(e) => lookup_failed(py, e, &exc!(py, PyTypeError, PyAttributeError)),
            }
        })
    }

    fn get_index(&self, index: i64) -> Lookup {
        self.with(|o| {
            let py = o.py();
            match o.get_item(index) {
                Ok(v) => resolved(&v),
                Err(e) => lookup_failed(
                    py,
                    e,
                    &exc!(py, PyIndexError, PyValueError, PyKeyError, PyTypeError),
                ),
            }
        })
    }

    fn int_digits(&self) -> Option<String> {
        self.with(|o| {
            if !o.is_instance_of::<PyInt>() || o.is_instance_of::<PyBool>() {
                return None;
            }
            let s = o.str().ok()?;
            let digits = s.to_str().ok()?;
            digits
                .strip_prefix('-')
                .unwrap_or(digits)
                .bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| digits.to_owned())
        })
    }

    fn add(&self, other: &Value, self_on_left: bool) -> Option<Value> {
        self.with(|o| {
            let py = o.py();
            let other = to_py(py, other).into_bound(py);
            let sum = if self_on_left { o.add(&other) } else { other.add(o) };
            sum.ok().map(|v| to_value(&v))
        })
    }

    fn to_py_str(&self) -> String {
        // Django renders `str(value)`: an exception from `__str__` (or a
        // `RecursionError` from a structure nested too deep to print) escapes the render.
        self.with(|o| match o.str() {
            Ok(s) => s
                .to_str()
                .map_or_else(|_| s.to_string_lossy().into_owned(), str::to_owned),
            Err(e) => {
                raise_later(e);
                String::new()
            }
        })
    }

    fn is_safe(&self) -> bool {
        // Asked when the value is output, as Django's `conditional_escape` does: the
        // object has `__html__`, or its `str()` is a `SafeString` (Django renders
        // `str(value)` and escapes that).
        self.with(|o| {
            o.hasattr("__html__").unwrap_or(false)
                || o.str().is_ok_and(|s| {
                    !s.is_exact_instance_of::<PyString>() && s.hasattr("__html__").unwrap_or(false)
                })
        })
    }

    fn truthy(&self) -> bool {
        self.with(|o| match o.is_truthy() {
            Ok(b) => b,
            Err(e) => {
                raise_later(e);
                false
            }
        })
    }

    fn iterate(&self) -> Option<Vec<Value>> {
        self.with(|o| {
            if o.is_instance_of::<PyString>() {
                return None;
            }
            let it = o.try_iter().ok()?;
            let mut out = Vec::new();
            for item in it {
                out.push(to_value(&item.ok()?));
            }
            Some(out)
        })
    }

    fn length(&self) -> Option<usize> {
        self.with(|o| o.len().ok())
    }

    /// A `djust._rust.Template` or a Django `Template`, or an object whose `template`
    /// is one (Django's backend template; two levels, for a wrapper of the backend's).
    fn template_source(&self) -> Option<(Option<String>, String)> {
        self.with(|o| {
            let py = o.py();
            let django = py
                .import("django.template.base")
                .and_then(|m| m.getattr("Template"))
                .ok();
            let ours = py.import("djust._rust").and_then(|m| m.getattr("Template")).ok();
            let mut cur = o.clone();
            for _ in 0..3 {
                let is = |t: &Option<Bound<'_, PyAny>>| {
                    t.as_ref().is_some_and(|t| cur.is_instance(t).unwrap_or(false))
                };
                if is(&django) || is(&ours) {
                    let source = cur.getattr("source").ok()?.extract::<String>().ok()?;
                    let name = cur
                        .getattr("name")
                        .ok()
                        .and_then(|n| n.extract::<Option<String>>().ok())
                        .flatten();
                    return Some((name, source));
                }
                cur = cur.getattr("template").ok()?;
            }
            None
        })
    }

    /// `json.dumps(obj, cls=DjangoJSONEncoder)` for `json_script` ([`crate::json`]).
    fn to_json(&self) -> Option<Result<String, String>> {
        let options = crate::json::Options {
            ensure_ascii: true,
            compact: false,
        };
        Some(self.with(|o| crate::json::dumps(o, &options).map_err(|e| e.to_string())))
    }

    /// A Django `QueryDict` or `MultiValueDict` (anything with `lists()` and
    /// `getlist()`): `lists()` as key → values, for `{% querystring %}`.
    fn query_lists(&self) -> Option<Vec<(String, Vec<Value>)>> {
        self.with(|o| {
            if !o.hasattr("getlist").unwrap_or(false) {
                return None;
            }
            let mut out = Vec::new();
            for pair in o.call_method0("lists").ok()?.try_iter().ok()? {
                let pair = pair.ok()?;
                let key = pair.get_item(0).ok()?.str().ok()?.to_string();
                let values = pair
                    .get_item(1)
                    .ok()?
                    .try_iter()
                    .ok()?
                    .map(|v| v.map(|v| to_value(&v)))
                    .collect::<PyResult<Vec<_>>>()
                    .ok()?;
                out.push((key, values));
            }
            Some(out)
        })
    }

    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
}

/// A template value back as a Python object (for Django's APIs: `reverse` arguments,
/// plural counts): host objects are the original objects.
pub(crate) fn to_py(py: Python<'_>, v: &Value) -> Py<PyAny> {
    let made: PyResult<Py<PyAny>> = (|| {
        Ok(match v {
            Value::None => py.None(),
            Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any().unbind(),
            Value::Int(i) => i.into_pyobject(py)?.into_any().unbind(),
            Value::Float(f) => f.into_pyobject(py)?.into_any().unbind(),
            Value::Str(s) => PyString::new(py, s).into_any().unbind(),
            Value::Safe(s) => py
                .import("django.utils.safestring")
                .and_then(|m| m.getattr("mark_safe")?.call1((&**s,)))
                .map_or_else(|_| PyString::new(py, s).into_any().unbind(), Bound::unbind),
            Value::Decimal(d) => py.import("decimal")?.getattr("Decimal")?.call1((&**d,))?.unbind(),
            Value::List(items) => PyList::new(py, items.iter().map(|x| to_py(py, x)))?
                .into_any()
                .unbind(),
            Value::Tuple(items) => PyTuple::new(py, items.iter().map(|x| to_py(py, x)))?
                .into_any()
                .unbind(),
            Value::Dict(items) => {
                let d = pyo3::types::PyDict::new(py);
                for (k, x) in items.iter() {
                    d.set_item(to_py(py, k), to_py(py, x))?;
                }
                d.into_any().unbind()
            }
            Value::Date(d) => py
                .import("datetime")?
                .getattr("date")?
                .call1((d.year, d.month, d.day))?
                .unbind(),
            Value::Time(t) => py
                .import("datetime")?
                .getattr("time")?
                .call1((t.hour, t.minute, t.second, t.microsecond))?
                .unbind(),
            Value::DateTime(dt) => {
                let datetime = py.import("datetime")?;
                let tz = match dt.offset {
                    // The zone's name goes back with it (`timezone(delta, name)`): a
                    // value handed to Django (`template_localtime`, a filter) and back
                    // keeps what `tzname()` said (`get_fixed_timezone(30)` is `+0030`).
                    Some(seconds) => {
                        let delta = datetime.getattr("timedelta")?.call1((0, seconds))?;
                        match dt.zone.map(|z| z.as_str()).filter(|z| !z.is_empty()) {
                            Some(name) => datetime.getattr("timezone")?.call1((delta, name))?,
                            None => datetime.getattr("timezone")?.call1((delta,))?,
                        }
                    }
                    None => py.None().into_bound(py),
                };
                let (d, t) = (dt.date, dt.time);
                datetime
                    .getattr("datetime")?
                    .call1((
                        d.year,
                        d.month,
                        d.day,
                        t.hour,
                        t.minute,
                        t.second,
                        t.microsecond,
                        tz,
                    ))?
                    .unbind()
            }
            Value::Object(o) => match o.as_any().and_then(|a| a.downcast_ref::<PyObj>()) {
                Some(p) => p.obj.clone_ref(py),
                None => match o.plain() {
                    Some(plain) => to_py(py, &plain),
                    None => PyString::new(py, &o.to_py_str()).into_any().unbind(),
                },
            },
        })
    })();
    made.unwrap_or_else(|_| py.None())
}

/// A value after one lookup step: a callable is called as Django does, unless it has
/// `do_not_call_in_templates`; an `alters_data` callable, or one that cannot be
/// called without arguments, resolves to nothing (the invalid-variable path).
fn resolved(v: &Bound<'_, PyAny>) -> Option<Value> {
    if v.is_callable() {
        let flag = |name: &str| {
            v.getattr(name)
                .ok()
                .is_some_and(|a| a.is_truthy().unwrap_or(false))
        };
        if flag("do_not_call_in_templates") {
            return Some(to_value(v));
        }
        if flag("alters_data") {
            return None;
        }
        return match v.call0() {
            Ok(r) => Some(to_value(&r)),
            Err(e) => {
                let py = v.py();
                // Django: a TypeError because the callable needs arguments makes the
                // variable invalid; a TypeError from inside the call propagates.
                if e.is_instance_of::<pyo3::exceptions::PyTypeError>(py) && needs_arguments(v) {
                    return None;
                }
                lookup_failed(py, e, &[])
            }
        };
    }
    Some(to_value(v))
}

/// Whether calling `v` with no arguments fails for want of arguments (Django asks
/// `inspect.getcallargs`; a callable without a signature counts as needing them).
fn needs_arguments(v: &Bound<'_, PyAny>) -> bool {
    let Ok(inspect) = v.py().import("inspect") else {
        return true;
    };
    match inspect.getattr("signature").and_then(|s| s.call1((v,))) {
        Ok(sig) => sig.call_method0("bind").is_err(),
        Err(_) => true,
    }
}

/// How many levels of nested lists and tuples are converted at once; deeper ones stay
/// Python objects (read lazily, printed by Python's own `str()`), so no nesting depth
/// can overflow the stack and a structure too deep to print raises Python's
/// `RecursionError`, as in Django.
const EAGER_DEPTH: usize = 32;

/// One Python value as a template value, one level deep (see the module documentation).
/// `datetime.datetime`, `date` and `time` values (for the host's time zone conversion).
pub(crate) fn temporal_value(v: &Bound<'_, PyAny>) -> Option<Value> {
    temporal(v)
}

pub(crate) fn to_value(v: &Bound<'_, PyAny>) -> Value {
    to_value_at(v, 0)
}

fn to_value_at(v: &Bound<'_, PyAny>, depth: usize) -> Value {
    if v.is_none() {
        return Value::None;
    }
    if let Ok(b) = v.cast::<PyBool>() {
        return Value::Bool(b.is_true());
    }
    if v.is_instance_of::<PyInt>() {
        if let Ok(i) = v.extract::<i64>() {
            return Value::Int(i);
        }
    }
    if let Ok(f) = v.cast::<PyFloat>() {
        return Value::Float(f.value());
    }
    if let Ok(s) = v.cast::<PyString>() {
        let text = text_of(s);
        // `SafeString` is a `str` subclass with `__html__`.
        let safe = !v.is_exact_instance_of::<PyString>() && v.hasattr("__html__").unwrap_or(false);
        return if safe { Value::Safe(text) } else { Value::Str(text) };
    }
    if let Some(t) = temporal(v) {
        return t;
    }
    if is_decimal(v) {
        if let Ok(s) = v.str() {
            return Value::Decimal(text_of(&s));
        }
    }
    // A lazy translation string is a string in templates (Django renders `str(value)`
    // and its filters see a `str`), translated now, in the active language.
    if PROMISE.holds(v) {
        if let Ok(text) = v.str() {
            return to_value_at(text.as_any(), depth);
        }
    }
    if depth < EAGER_DEPTH {
        if let Ok(l) = v.cast::<PyList>() {
            return Value::list(l.iter().map(|x| to_value_at(&x, depth + 1)).collect());
        }
        if let Ok(t) = v.cast::<PyTuple>() {
            return Value::Tuple(Arc::new(t.iter().map(|x| to_value_at(&x, depth + 1)).collect()));
        }
    }
    Value::Object(Arc::new(PyObj {
        obj: v.clone().unbind(),
    }))
}

/// A Python string's text, copied once from its UTF-8 form (a string with lone
/// surrogates, which has none, is copied with them replaced, as `str()` and Django's
/// `force_str` would print them).
fn text_of(s: &Bound<'_, PyString>) -> Arc<str> {
    match s.to_str() {
        Ok(t) => Arc::from(t),
        Err(_) => Arc::from(s.to_string_lossy().as_ref()),
    }
}

/// A class imported once, on first use (`None` when its module cannot be imported,
/// e.g. Django in a process without it).
pub(crate) struct LazyClass {
    module: &'static str,
    name: &'static str,
    cell: PyOnceLock<Option<Py<PyType>>>,
}

impl LazyClass {
    const fn new(module: &'static str, name: &'static str) -> Self {
        LazyClass {
            module,
            name,
            cell: PyOnceLock::new(),
        }
    }

    /// Whether `v` is an instance of the class (or of a subclass).
    pub(crate) fn holds(&self, v: &Bound<'_, PyAny>) -> bool {
        let py = v.py();
        let class = self.cell.get_or_init(py, || {
            py.import(self.module)
                .and_then(|m| m.getattr(self.name))
                .and_then(|c| c.cast_into::<PyType>().map_err(PyErr::from))
                .ok()
                .map(Bound::unbind)
        });
        class
            .as_ref()
            .is_some_and(|c| v.is_instance(c.bind(py)).unwrap_or(false))
    }
}

/// `decimal.Decimal`.
pub(crate) static DECIMAL: LazyClass = LazyClass::new("decimal", "Decimal");
/// `uuid.UUID`.
pub(crate) static UUID: LazyClass = LazyClass::new("uuid", "UUID");
/// Django's lazy objects (`gettext_lazy` strings), `django.utils.functional.Promise`.
pub(crate) static PROMISE: LazyClass = LazyClass::new("django.utils.functional", "Promise");

fn is_decimal(v: &Bound<'_, PyAny>) -> bool {
    DECIMAL.holds(v)
}

/// `datetime.datetime`, `datetime.date` and `datetime.time` (aware datetimes keep their
/// UTC offset).
fn temporal(v: &Bound<'_, PyAny>) -> Option<Value> {
    use pyo3::types::{PyDateAccess, PyTimeAccess, PyTzInfoAccess};
    // The fields are read from the object's C struct (`PyDateTime_GET_YEAR`, …): no
    // attribute lookups.
    fn date_of(d: &impl PyDateAccess) -> Option<Date> {
        Some(Date {
            year: d.get_year(),
            month: u32::from(d.get_month()),
            day: u32::from(d.get_day()),
        })
    }
    fn time_of(t: &impl PyTimeAccess) -> Option<Time> {
        Some(Time {
            hour: u32::from(t.get_hour()),
            minute: u32::from(t.get_minute()),
            second: u32::from(t.get_second()),
            microsecond: t.get_microsecond(),
        })
    }
    if let Ok(dt) = v.cast::<PyDateTime>() {
        // A naive value (no `tzinfo`) has no offset; `utcoffset()` is asked only of
        // an aware one (its zone may still answer `None`).
        let offset = dt
            .get_tzinfo()
            .and_then(|_| v.call_method0("utcoffset").ok())
            .filter(|o| !o.is_none())
            .and_then(|o| o.call_method0("total_seconds").ok()?.extract::<f64>().ok())
            .map(|s| s as i32);
        // The zone's name and DST flag for the `e`, `T` and `I` formats.
        let (zone, dst) = if offset.is_some() {
            let zone = v
                .call_method0("tzname")
                .ok()
                .and_then(|n| n.extract::<String>().ok())
                .and_then(|n| TzName::new(&n));
            let dst = v
                .call_method0("dst")
                .ok()
                .filter(|d| !d.is_none())
                .and_then(|d| d.is_truthy().ok());
            (zone, dst)
        } else {
            (None, None)
        };
        // Only an aware value is ever converted to local time.
        let keep_zone = offset.is_some()
            && v.getattr("convert_to_local_time")
                .is_ok_and(|c| !c.is_truthy().unwrap_or(true));
        // Django's `_datetime_ambiguous_or_imaginary` (its `DateFormat` drops the zone).
        let ambiguous = offset.is_some()
            && v.py()
                .import("django.utils.timezone")
                .and_then(|tz| tz.getattr("_datetime_ambiguous_or_imaginary"))
                .and_then(|f| f.call1((v, v.getattr("tzinfo")?)))
                .is_ok_and(|r| r.is_truthy().unwrap_or(false));
        return Some(Value::DateTime(DateTime {
            date: date_of(dt)?,
            time: time_of(dt)?,
            offset,
            zone,
            dst,
            keep_zone,
            ambiguous,
        }));
    }
    if let Ok(d) = v.cast::<PyDate>() {
        return Some(Value::Date(date_of(d)?));
    }
    if let Ok(t) = v.cast::<PyTime>() {
        return Some(Value::Time(time_of(t)?));
    }
    None
}
