//! Template values.
//!
//! [`Value`] covers what Django templates see from Python: `None`, booleans, integers,
//! floats, `Decimal`, strings and safe strings (`SafeString` / anything with
//! `__html__`), lists, tuples and dicts. A host (the Python binding) can hand over any
//! other object as an [`Object`], which is asked for one attribute, key or index at a
//! time, only when the template touches it: the context is never converted eagerly.
//!
//! Rendering follows Python: [`Value::to_py_str`] is `str(value)` (`True`, `None`,
//! `[1, 'a']`), [`Value::truthy`] is `bool(value)`, and comparisons follow Python's
//! rules for mixed numbers.

use super::dates::{Date, DateTime, Time};
use std::cmp::Ordering;
use std::fmt::{self, Write as _};
use std::sync::Arc;

/// The answer to a lookup on an [`Object`].
pub type Lookup = Option<Value>;

/// A host object resolved lazily (a Python object behind the binding).
pub trait Object: fmt::Debug + Send + Sync {
    /// `obj[key]` for a string key (dict-style lookup), if supported.
    fn get_item(&self, key: &str) -> Lookup {
        let _ = key;
        None
    }
    /// `getattr(obj, name)`, already called if it is a callable Django would call.
    fn get_attr(&self, name: &str) -> Lookup {
        let _ = name;
        None
    }
    /// `obj[index]` (list-style lookup), if supported.
    fn get_index(&self, index: i64) -> Lookup {
        let _ = index;
        None
    }
    /// `str(obj)`.
    fn to_py_str(&self) -> String;
    /// True when the object is safe HTML (`__html__`).
    fn is_safe(&self) -> bool {
        false
    }
    /// `bool(obj)`.
    fn truthy(&self) -> bool {
        true
    }
    /// The items when the object is iterable.
    fn iterate(&self) -> Option<Vec<Value>> {
        None
    }
    /// `len(obj)` when defined.
    fn length(&self) -> Option<usize> {
        None
    }
    /// For a Django `QueryDict` (a multi-valued mapping): every key with all its
    /// values, in order (`QueryDict.lists()`).
    fn query_lists(&self) -> Option<Vec<(String, Vec<Value>)>> {
        None
    }
    /// The object as JSON text, as `json.dumps(obj, cls=DjangoJSONEncoder)` writes it,
    /// when the host can encode it (`Err` holds the host's message); `None` lets
    /// the engine encode the items of an iterable object (`json_script`).
    fn to_json(&self) -> Option<Result<String, String>> {
        None
    }
    /// A compiled template this object stands for, as its name and source: Django's
    /// `{% extends %}` takes a `Template` (or an object whose `template` is one) in
    /// place of a name. `None` (the default) for anything else.
    fn template_source(&self) -> Option<(Option<String>, String)> {
        None
    }
    /// Downcasting support for the engine's own objects (e.g. `block` in a block).
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        None
    }
    /// The engine's own objects as plain values, for a host that needs a copy it can
    /// convert (`forloop` as the dict Django's is, `{% regroup %}`'s items as
    /// tuples); `None` for host objects and by default.
    fn plain(&self) -> Option<Value> {
        None
    }
    /// `self + other` (`other + self` when `self_on_left` is false) as the host
    /// computes it: Python's `+`, the last resort of Django's `add` filter (`value +
    /// arg`, e.g. a `date` plus a `timedelta`). `None` when the host raises (Django's
    /// filter then gives `""`) and by default.
    fn add(&self, other: &Value, self_on_left: bool) -> Option<Value> {
        let _ = (other, self_on_left);
        None
    }
    /// The decimal digits (`str()`) of a host integer too large for [`Value::Int`]
    /// (a Python `int` past 64 bits; not a `bool`), which the renderer localizes as
    /// Django's `localize` does an `int`; `None` for anything else and by default.
    fn int_digits(&self) -> Option<String> {
        None
    }
}

/// A template value.
#[derive(Debug, Clone, Default)]
pub enum Value {
    /// Python `None`.
    #[default]
    None,
    /// `True` / `False`.
    Bool(bool),
    /// A Python `int` that fits in 64 bits.
    Int(i64),
    /// A Python `float`.
    Float(f64),
    /// A `decimal.Decimal`, as `str(d)` spells it (`"12.50"`, `"1E+2"`).
    Decimal(Arc<str>),
    /// A `str`.
    Str(Arc<str>),
    /// A `SafeString`: never escaped again.
    Safe(Arc<str>),
    /// A `list`.
    List(Arc<Vec<Value>>),
    /// A `tuple`.
    Tuple(Arc<Vec<Value>>),
    /// A `dict`, in insertion order.
    Dict(Arc<Vec<(Value, Value)>>),
    /// A `datetime.date`.
    Date(Date),
    /// A `datetime.datetime`.
    DateTime(DateTime),
    /// A `datetime.time`.
    Time(Time),
    /// A host object.
    Object(Arc<dyn Object>),
}

impl Value {
    /// A `str` value.
    pub fn str(s: impl Into<Arc<str>>) -> Value {
        Value::Str(s.into())
    }

    /// A safe string value.
    pub fn safe(s: impl Into<Arc<str>>) -> Value {
        Value::Safe(s.into())
    }

    /// A list value.
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Arc::new(items))
    }

    /// Django's `mark_safe(value)`: safe values unchanged, anything else becomes a
    /// `SafeString` of its `str()`.
    pub fn mark_safe(self) -> Value {
        if self.is_safe() {
            self
        } else {
            Value::Safe(self.to_py_str().into())
        }
    }

    /// A dict value from string keys.
    pub fn dict<K: Into<Arc<str>>>(items: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Dict(Arc::new(
            items
                .into_iter()
                .map(|(k, v)| (Value::Str(k.into()), v))
                .collect(),
        ))
    }

    /// True for strings (safe or not).
    pub fn is_string(&self) -> bool {
        matches!(self, Value::Str(_) | Value::Safe(_))
    }

    /// True when this value is safe HTML.
    pub fn is_safe(&self) -> bool {
        match self {
            Value::Safe(_) => true,
            Value::Object(o) => o.is_safe(),
            _ => false,
        }
    }

    /// The string content, for strings.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) | Value::Safe(s) => Some(s),
            _ => None,
        }
    }

    /// Python `bool(value)`.
    pub fn truthy(&self) -> bool {
        match self {
            Value::None => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::Decimal(d) => decimal_is_nonzero(d),
            Value::Str(s) | Value::Safe(s) => !s.is_empty(),
            Value::List(l) | Value::Tuple(l) => !l.is_empty(),
            Value::Dict(d) => !d.is_empty(),
            Value::Date(_) | Value::DateTime(_) | Value::Time(_) => true,
            Value::Object(o) => o.truthy(),
        }
    }

    /// Python `str(value)`.
    pub fn to_py_str(&self) -> String {
        match self {
            Value::Str(s) | Value::Safe(s) => s.to_string(),
            Value::Object(o) => o.to_py_str(),
            other => {
                let mut out = String::new();
                other.write_repr(&mut out, false);
                out
            }
        }
    }

    /// Python `repr(value)`.
    pub fn to_py_repr(&self) -> String {
        let mut out = String::new();
        self.write_repr(&mut out, true);
        out
    }

    fn write_repr(&self, out: &mut String, quote_strings: bool) {
        super::stack::deep(|| self.write_repr_inner(out, quote_strings))
    }

    fn write_repr_inner(&self, out: &mut String, quote_strings: bool) {
        match self {
            Value::None => out.push_str("None"),
            Value::Bool(true) => out.push_str("True"),
            Value::Bool(false) => out.push_str("False"),
            Value::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Value::Float(f) => out.push_str(&float_repr(*f)),
            Value::Decimal(d) => {
                if quote_strings {
                    let _ = write!(out, "Decimal('{d}')");
                } else {
                    out.push_str(d);
                }
            }
            Value::Str(s) | Value::Safe(s) => {
                if quote_strings {
                    out.push_str(&py_str_repr(s));
                } else {
                    out.push_str(s);
                }
            }
            Value::List(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    v.write_repr(out, true);
                }
                out.push(']');
            }
            Value::Tuple(items) => {
                out.push('(');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    v.write_repr(out, true);
                }
                if items.len() == 1 {
                    out.push(',');
                }
                out.push(')');
            }
            Value::Dict(items) => {
                out.push('{');
                for (i, (k, v)) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    k.write_repr(out, true);
                    out.push_str(": ");
                    v.write_repr(out, true);
                }
                out.push('}');
            }
            Value::Date(d) => {
                if quote_strings {
                    let _ = write!(out, "datetime.date({}, {}, {})", d.year, d.month, d.day);
                } else {
                    out.push_str(&d.iso());
                }
            }
            Value::DateTime(dt) => {
                if quote_strings {
                    let (d, t) = (dt.date, dt.time);
                    let _ = write!(
                        out,
                        "datetime.datetime({}, {}, {}, {}, {}",
                        d.year, d.month, d.day, t.hour, t.minute
                    );
                    if t.second != 0 || t.microsecond != 0 {
                        let _ = write!(out, ", {}", t.second);
                    }
                    if t.microsecond != 0 {
                        let _ = write!(out, ", {}", t.microsecond);
                    }
                    match dt.offset {
                        None => {}
                        Some(0) => out.push_str(", tzinfo=datetime.timezone.utc"),
                        Some(o) => {
                            let (days, secs) = (o.div_euclid(86_400), o.rem_euclid(86_400));
                            let delta = if days == 0 {
                                format!("seconds={secs}")
                            } else {
                                format!("days={days}, seconds={secs}")
                            };
                            let _ = write!(out, ", tzinfo=datetime.timezone(datetime.timedelta({delta}))");
                        }
                    }
                    out.push(')');
                } else {
                    out.push_str(&dt.py_str(' '));
                }
            }
            Value::Time(t) => {
                if quote_strings {
                    let _ = write!(out, "datetime.time({}, {}", t.hour, t.minute);
                    if t.second != 0 || t.microsecond != 0 {
                        let _ = write!(out, ", {}", t.second);
                    }
                    if t.microsecond != 0 {
                        let _ = write!(out, ", {}", t.microsecond);
                    }
                    out.push(')');
                } else {
                    out.push_str(&t.iso());
                }
            }
            Value::Object(o) => out.push_str(&o.to_py_str()),
        }
    }

    /// `len(value)`, when Python defines it.
    pub fn length(&self) -> Option<usize> {
        match self {
            Value::Str(s) | Value::Safe(s) => Some(s.chars().count()),
            Value::List(l) | Value::Tuple(l) => Some(l.len()),
            Value::Dict(d) => Some(d.len()),
            Value::Object(o) => o.length(),
            _ => None,
        }
    }

    /// Iterate as Python's `for x in value` would: characters of a string, items of a
    /// list or tuple, keys of a dict. `None` when not iterable.
    pub fn iterate(&self) -> Option<Vec<Value>> {
        match self {
            Value::Str(s) => Some(s.chars().map(|c| Value::str(c.to_string())).collect()),
            // Indexing or iterating a SafeString gives plain `str`.
            Value::Safe(s) => Some(s.chars().map(|c| Value::str(c.to_string())).collect()),
            Value::List(l) | Value::Tuple(l) => Some(l.to_vec()),
            Value::Dict(d) => Some(d.iter().map(|(k, _)| k.clone()).collect()),
            Value::Object(o) => o.iterate(),
            _ => None,
        }
    }

    /// As a float, for numbers.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Bool(b) => Some(f64::from(u8::from(*b))),
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            Value::Decimal(d) => d.parse().ok(),
            _ => None,
        }
    }

    /// As an integer, for `int` and `bool`.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Bool(b) => Some(i64::from(*b)),
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    fn is_number(&self) -> bool {
        matches!(
            self,
            Value::Bool(_) | Value::Int(_) | Value::Float(_) | Value::Decimal(_)
        )
    }

    /// Python `==`.
    pub fn py_eq(&self, other: &Value) -> bool {
        super::stack::deep(|| self.py_eq_inner(other))
    }

    fn py_eq_inner(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::None, Value::None) => true,
            (a, b) if a.is_number() && b.is_number() => match (a.as_i64(), b.as_i64()) {
                (Some(x), Some(y)) => x == y,
                _ => a.as_f64() == b.as_f64(),
            },
            (a, b) if a.is_string() && b.is_string() => a.as_str() == b.as_str(),
            (Value::List(a), Value::List(b)) | (Value::Tuple(a), Value::Tuple(b)) => {
                a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x.py_eq(y))
            }
            (Value::Dict(a), Value::Dict(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .all(|(k, v)| b.iter().any(|(k2, v2)| k.py_eq(k2) && v.py_eq(v2)))
            }
            (Value::Date(a), Value::Date(b)) => a == b,
            (Value::DateTime(a), Value::DateTime(b)) => match (a.offset, b.offset) {
                (None, None) => a == b,
                (Some(_), Some(_)) => {
                    a.timestamp() == b.timestamp() && a.time.microsecond == b.time.microsecond
                }
                _ => false,
            },
            (Value::Time(a), Value::Time(b)) => a == b,
            (Value::Object(a), Value::Object(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }

    /// Python's `<`/`>` ordering; `None` where Python raises `TypeError`.
    pub fn py_cmp(&self, other: &Value) -> Option<Ordering> {
        super::stack::deep(|| self.py_cmp_inner(other))
    }

    fn py_cmp_inner(&self, other: &Value) -> Option<Ordering> {
        match (self, other) {
            (a, b) if a.is_number() && b.is_number() => match (a.as_i64(), b.as_i64()) {
                (Some(x), Some(y)) => Some(x.cmp(&y)),
                _ => a.as_f64()?.partial_cmp(&b.as_f64()?),
            },
            (a, b) if a.is_string() && b.is_string() => Some(a.as_str()?.cmp(b.as_str()?)),
            (Value::List(a), Value::List(b)) | (Value::Tuple(a), Value::Tuple(b)) => {
                for (x, y) in a.iter().zip(b.iter()) {
                    if !x.py_eq(y) {
                        return x.py_cmp(y);
                    }
                }
                Some(a.len().cmp(&b.len()))
            }
            (Value::Date(a), Value::Date(b)) => Some(a.cmp(b)),
            (Value::Time(a), Value::Time(b)) => Some(a.cmp(b)),
            (Value::DateTime(a), Value::DateTime(b)) => match (a.offset, b.offset) {
                (None, None) => Some((a.date, a.time).cmp(&(b.date, b.time))),
                (Some(_), Some(_)) => {
                    Some((a.timestamp(), a.time.microsecond).cmp(&(b.timestamp(), b.time.microsecond)))
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// Python's `needle in self`; `None` where Python raises `TypeError`.
    pub fn py_contains(&self, needle: &Value) -> Option<bool> {
        match self {
            Value::Str(s) | Value::Safe(s) => needle.as_str().map(|n| s.contains(n)),
            Value::List(l) | Value::Tuple(l) => Some(l.iter().any(|v| v.py_eq(needle))),
            Value::Dict(d) => Some(d.iter().any(|(k, _)| k.py_eq(needle))),
            Value::Object(o) => o.iterate().map(|items| items.iter().any(|v| v.py_eq(needle))),
            _ => None,
        }
    }
}

fn decimal_is_nonzero(d: &str) -> bool {
    let mantissa = d.split(['e', 'E']).next().unwrap_or(d);
    mantissa.chars().any(|c| c.is_ascii_digit() && c != '0')
        || d.eq_ignore_ascii_case("nan")
        || d.to_ascii_lowercase().contains("inf")
}

/// Python's `repr(float)`: the shortest string that round-trips, in scientific
/// notation when the exponent is below -4 or at least 16.
pub fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0.0".into()
        } else {
            "0.0".into()
        };
    }
    // Rust's `{:e}` gives the shortest round-trip digits ("1.2345e3"), but where two
    // digit strings of that length are equally close it may take the upper one;
    // Python takes the correctly rounded one (ties to even), which `{:.Ne}` gives.
    let shortest = format!("{f:e}");
    let len = shortest
        .split_once('e')
        .map_or(0, |(m, _)| m.chars().filter(char::is_ascii_digit).count());
    let rounded = format!("{f:.*e}", len.saturating_sub(1));
    let sci = if rounded.parse::<f64>() == Ok(f) {
        rounded
    } else {
        shortest
    };
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let sign = if negative { "-" } else { "" };
    if !(-4..16).contains(&exp) {
        let (first, rest) = digits.split_at(1);
        let frac = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{first}{frac}e{esign}{:02}", exp.abs());
    }
    let point = exp + 1; // digits before the decimal point
    if point <= 0 {
        format!("{sign}0.{}{digits}", "0".repeat((-point) as usize))
    } else if point as usize >= digits.len() {
        format!("{sign}{digits}{}.0", "0".repeat(point as usize - digits.len()))
    } else {
        let (a, b) = digits.split_at(point as usize);
        format!("{sign}{a}.{b}")
    }
}

/// Python's `repr(str)`.
pub fn py_str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Python's `str.isspace()`, which is also `\s` in `str` patterns: Unicode
/// `White_Space` plus the information separators U+001C–U+001F.
pub fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `str.splitlines(keepends)`: lines end at `\n`, `\r`, `\r\n`, `\v`,
/// `\f`, U+001C–U+001E, U+0085, U+2028 and U+2029; no empty last line.
pub fn splitlines(text: &str, keepends: bool) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let is_break = matches!(
            c,
            '\n' | '\r'
                | '\u{b}'
                | '\u{c}'
                | '\u{1c}'
                | '\u{1d}'
                | '\u{1e}'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        );
        if is_break {
            let mut next = i + c.len_utf8();
            if c == '\r' && iter.peek().map(|&(_, n)| n) == Some('\n') {
                iter.next();
                next += 1;
            }
            out.push(&text[start..if keepends { next } else { i }]);
            start = next;
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_repr_matches_python() {
        for (f, s) in [
            (1.0, "1.0"),
            (0.1, "0.1"),
            (1e16, "1e+16"),
            (1.5e-5, "1.5e-05"),
            (123456.789, "123456.789"),
            (0.0001, "0.0001"),
            (-2.5, "-2.5"),
            (1e15, "1000000000000000.0"),
            (1.0 / 3.0, "0.3333333333333333"),
            // A tie between two 16-digit strings: Python rounds to even.
            (-965_829_760_656_228.0 - 0.25, "-965829760656228.2"),
            (9007199254740994.0, "9007199254740994.0"),
            (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
        ] {
            assert_eq!(float_repr(f), s, "{f}");
        }
    }

    #[test]
    fn str_and_repr_match_python() {
        let v = Value::list(vec![
            Value::Int(1),
            Value::str("a'b"),
            Value::None,
            Value::Bool(true),
            Value::Tuple(Arc::new(vec![Value::Float(2.0)])),
        ]);
        assert_eq!(v.to_py_str(), "[1, \"a'b\", None, True, (2.0,)]");
        assert_eq!(Value::dict([("k", Value::str("v"))]).to_py_str(), "{'k': 'v'}");
        assert!(!Value::Decimal("0.00".into()).truthy());
        assert!(Value::Decimal("0.01".into()).truthy());
        assert!(Value::Int(1).py_eq(&Value::Float(1.0)));
        assert!(Value::Bool(true).py_eq(&Value::Int(1)));
    }
}
