//! `djust._rust.dumps`: JSON text for Python values, spelled as Django's
//! `json.dumps(obj, cls=DjangoJSONEncoder)` spells it, byte for byte.
//!
//! The rules are those of the standard library's encoder with Django's `default`:
//! `str` (and subclasses such as `SafeString`), `None`, `bool`, `int` and `float`
//! (`repr`, `NaN`/`Infinity`), `list`/`tuple` as arrays, `dict` with `str`/`int`/
//! `float`/`bool`/`None` keys; then `datetime` (ISO 8601 with `T`, milliseconds,
//! `Z` for UTC), `date`, naive `time`, `timedelta` (ISO 8601 duration), and
//! `Decimal`, `UUID` and lazy translation strings as `str()`. Anything else raises
//! `TypeError` as Django's encoder does, a container that contains itself raises
//! `ValueError`. One deliberate difference: with `ensure_ascii=False`, a string holding
//! a lone surrogate (which UTF-8 cannot carry) is written with `\uXXXX` escapes. Source: runtime spec §1.6/§4 (state is persisted with Django's
//! encoder spelling, unlike upstream's `fast_json_dumps`).

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyDate, PyDateTime, PyDelta, PyDict, PyFloat, PyInt, PyList, PyString, PyTime, PyTuple,
};

/// Nesting deeper than this raises `ValueError` (the standard encoder raises
/// `RecursionError` near Python's recursion limit).
const MAX_DEPTH: usize = 512;

/// Output options: `ensure_ascii` and the separators of `json.dumps`.
pub(crate) struct Options {
    pub ensure_ascii: bool,
    /// `(", ", ": ")` (the default) or `(",", ":")` (compact).
    pub compact: bool,
}

/// Encode `obj`; see the module documentation for the rules and errors.
pub(crate) fn dumps(obj: &Bound<'_, PyAny>, options: &Options) -> PyResult<String> {
    let mut enc = Encoder {
        out: String::with_capacity(128),
        options,
        stack: Vec::new(),
    };
    enc.value(obj)?;
    Ok(enc.out)
}

struct Encoder<'o> {
    out: String,
    options: &'o Options,
    /// Addresses of the containers being encoded (cycle detection).
    stack: Vec<usize>,
}

impl Encoder<'_> {
    fn value(&mut self, v: &Bound<'_, PyAny>) -> PyResult<()> {
        if let Ok(s) = v.cast::<PyString>() {
            return self.string(s);
        }
        if v.is_none() {
            self.out.push_str("null");
            return Ok(());
        }
        if let Ok(b) = v.cast::<PyBool>() {
            self.out.push_str(if b.is_true() { "true" } else { "false" });
            return Ok(());
        }
        if v.is_instance_of::<PyInt>() {
            match v.extract::<i64>() {
                Ok(i) => self.out.push_str(itoa::Buffer::new().format(i)),
                // Big integers, and int subclasses print as plain ints (`int.__repr__`).
                Err(_) => self.out.push_str(&py_int_repr(v)?),
            }
            return Ok(());
        }
        if let Ok(f) = v.cast::<PyFloat>() {
            return self.float(f);
        }
        if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
            return self.nested(v, |enc| {
                enc.out.push('[');
                for (n, item) in v.try_iter()?.enumerate() {
                    if n > 0 {
                        enc.item_separator();
                    }
                    enc.value(&item?)?;
                }
                enc.out.push(']');
                Ok(())
            });
        }
        if let Ok(d) = v.cast::<PyDict>() {
            return self.nested(v, |enc| {
                enc.out.push('{');
                for (n, (key, item)) in d.iter().enumerate() {
                    if n > 0 {
                        enc.item_separator();
                    }
                    enc.key(&key)?;
                    enc.out.push_str(if enc.options.compact { ":" } else { ": " });
                    enc.value(&item)?;
                }
                enc.out.push('}');
                Ok(())
            });
        }
        self.django_default(v)
    }

    /// `DjangoJSONEncoder.default`.
    fn django_default(&mut self, v: &Bound<'_, PyAny>) -> PyResult<()> {
        if v.is_instance_of::<PyDateTime>() {
            let mut r = v.call_method0("isoformat")?.extract::<String>()?;
            if v.getattr("microsecond")?.extract::<u32>()? != 0 && r.len() >= 26 {
                r.replace_range(23..26, "");
            }
            if let Some(stripped) = r.strip_suffix("+00:00") {
                r = format!("{stripped}Z");
            }
            return self.text(&r);
        }
        if v.is_instance_of::<PyDate>() {
            return self.text(&v.call_method0("isoformat")?.extract::<String>()?);
        }
        if v.is_instance_of::<PyTime>() {
            if !v.call_method0("utcoffset")?.is_none() {
                return Err(PyValueError::new_err(
                    "JSON can't represent timezone-aware times.",
                ));
            }
            let mut r = v.call_method0("isoformat")?.extract::<String>()?;
            if v.getattr("microsecond")?.extract::<u32>()? != 0 {
                r.truncate(12);
            }
            return self.text(&r);
        }
        if v.is_instance_of::<PyDelta>() {
            return self.text(&duration_iso_string(v)?);
        }
        if is_str_like(v) {
            return self.text(&v.str()?.to_string());
        }
        Err(PyTypeError::new_err(format!(
            "Object of type {} is not JSON serializable",
            v.get_type().name()?
        )))
    }

    fn nested(&mut self, v: &Bound<'_, PyAny>, body: impl FnOnce(&mut Self) -> PyResult<()>) -> PyResult<()> {
        let id = v.as_ptr() as usize;
        if self.stack.contains(&id) {
            return Err(PyValueError::new_err("Circular reference detected"));
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(PyValueError::new_err(format!(
                "JSON nesting deeper than {MAX_DEPTH} levels"
            )));
        }
        self.stack.push(id);
        let result = body(self);
        self.stack.pop();
        result
    }

    fn item_separator(&mut self) {
        self.out.push_str(if self.options.compact { "," } else { ", " });
    }

    /// A dict key: strings as they are; `float`, `bool`, `None` and `int` keys as
    /// `json.dumps` spells them.
    fn key(&mut self, k: &Bound<'_, PyAny>) -> PyResult<()> {
        if let Ok(s) = k.cast::<PyString>() {
            return self.string(s);
        }
        let text = if let Ok(f) = k.cast::<PyFloat>() {
            float_text(f)?
        } else if let Ok(b) = k.cast::<PyBool>() {
            String::from(if b.is_true() { "true" } else { "false" })
        } else if k.is_none() {
            String::from("null")
        } else if k.is_instance_of::<PyInt>() {
            py_int_repr(k)?
        } else {
            return Err(PyTypeError::new_err(format!(
                "keys must be str, int, float, bool or None, not {}",
                k.get_type().name()?
            )));
        };
        self.text(&text)
    }

    fn float(&mut self, f: &Bound<'_, PyFloat>) -> PyResult<()> {
        let text = float_text(f)?;
        self.out.push_str(&text);
        Ok(())
    }

    fn string(&mut self, s: &Bound<'_, PyString>) -> PyResult<()> {
        match s.to_str() {
            Ok(text) => self.text(text),
            // A lone surrogate, which UTF-8 cannot carry: the standard library's ASCII
            // spelling (`\udXXX`). With `ensure_ascii=True` that is Django's text; with
            // `False` Django's text would not encode to UTF-8, ours decodes to the same str.
            Err(_) => {
                let encoded = s
                    .py()
                    .import("json.encoder")?
                    .getattr("encode_basestring_ascii")?
                    .call1((s,))?;
                self.out.push_str(&encoded.extract::<String>()?);
                Ok(())
            }
        }
    }

    /// A JSON string literal, escaped as `json.dumps` escapes it (the runtime's writer).
    fn text(&mut self, text: &str) -> PyResult<()> {
        djust_runtime::json::write_string(text, self.options.ensure_ascii, &mut self.out);
        Ok(())
    }
}

/// `float.__repr__` (for subclasses too), with `json`'s spellings of the non-finite
/// values: the runtime's float writer.
fn float_text(f: &Bound<'_, PyFloat>) -> PyResult<String> {
    Ok(djust_runtime::json::float(f.value()))
}

fn py_int_repr(v: &Bound<'_, PyAny>) -> PyResult<String> {
    v.py()
        .get_type::<PyInt>()
        .getattr("__repr__")?
        .call1((v,))?
        .extract::<String>()
}

/// `Decimal`, `UUID` and Django's lazy strings (`Promise`): encoded as `str()`.
fn is_str_like(v: &Bound<'_, PyAny>) -> bool {
    use crate::convert::{DECIMAL, PROMISE, UUID};
    DECIMAL.holds(v) || UUID.holds(v) || PROMISE.holds(v)
}

/// Django's `duration_iso_string`: `[-]P{days}DT{HH}H{MM}M{SS}[.ffffff]S`.
fn duration_iso_string(v: &Bound<'_, PyAny>) -> PyResult<String> {
    let negative = v.lt(v.py().get_type::<PyDelta>().call0()?)?;
    let d = if negative { v.neg()? } else { v.clone() };
    let days = d.getattr("days")?.extract::<i64>()?;
    let secs = d.getattr("seconds")?.extract::<i64>()?;
    let micros = d.getattr("microseconds")?.extract::<i64>()?;
    let (hours, minutes, seconds) = (secs / 3600, (secs / 60) % 60, secs % 60);
    let fraction = if micros != 0 {
        format!(".{micros:06}")
    } else {
        String::new()
    };
    let sign = if negative { "-" } else { "" };
    Ok(format!(
        "{sign}P{days}DT{hours:02}H{minutes:02}M{seconds:02}{fraction}S"
    ))
}
