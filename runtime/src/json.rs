//! JSON exactly as Python's `json.dumps(value, cls=DjangoJSONEncoder)` writes it.
//!
//! Used by the `json_script` filter and, later, for LiveView state and patches sent to
//! the browser. Spelling follows CPython's encoder with default options
//! (`ensure_ascii=True`, separators `", "` and `": "`, `allow_nan=True`) and Django's
//! `DjangoJSONEncoder` for the types JSON lacks: Decimal → string, datetime → ISO 8601
//! with milliseconds and `Z` for UTC, date and time → ISO 8601, tuples → arrays.

use crate::template::dates::{DateTime, Time};
use crate::template::value::{float_repr, Value};
use std::fmt::Write as _;

/// Why a value cannot be encoded (Python raises `TypeError` / `ValueError`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsonError {
    /// A dict key of a type JSON keys cannot be.
    #[error("keys must be str, int, float, bool or None, not {0}")]
    Key(&'static str),
    /// A value with no JSON form (a host object).
    #[error("Object of type {0} is not JSON serializable")]
    Unsupported(String),
    /// The host's encoder refused the object (its message).
    #[error("{0}")]
    Host(String),
    /// An aware `time` (Django refuses it).
    #[error("JSON can't represent timezone-aware times.")]
    AwareTime,
}

/// Encode `value` as `json.dumps(value, cls=DjangoJSONEncoder)` does.
pub fn dumps(value: &Value) -> Result<String, JsonError> {
    let mut out = String::new();
    write_value(value, &mut out)?;
    Ok(out)
}

/// Write a string literal with `ensure_ascii=True` escaping.
pub fn write_str(s: &str, out: &mut String) {
    write_string(s, true, out);
}

/// Write a string literal as `json.dumps` escapes it: `"`, `\\` and the control
/// characters always; with `ensure_ascii`, everything outside printable ASCII as
/// `\uXXXX` (UTF-16 surrogate pairs above U+FFFF).
pub fn write_string(s: &str, ensure_ascii: bool, out: &mut String) {
    out.reserve(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (ensure_ascii && (c as u32) > 0x7e) => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A float as `json.dumps` writes it: Python's `repr`, or `NaN`/`Infinity`/`-Infinity`.
pub fn float(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f.is_infinite() {
        if f > 0.0 { "Infinity" } else { "-Infinity" }.into()
    } else {
        float_repr(f)
    }
}

/// DjangoJSONEncoder's datetime: isoformat, microseconds cut to milliseconds, `Z` for UTC.
pub fn datetime_iso(dt: &DateTime) -> String {
    let mut r = dt.py_str('T');
    if dt.time.microsecond != 0 {
        // r[:23] + r[26:]: keep milliseconds, drop the other three digits.
        let cut = 19 + 4;
        r = format!("{}{}", &r[..cut], &r[cut + 3..]);
    }
    if let Some(stripped) = r.strip_suffix("+00:00") {
        r = format!("{stripped}Z");
    }
    r
}

/// DjangoJSONEncoder's time: isoformat, microseconds cut to milliseconds.
pub fn time_iso(t: &Time) -> String {
    let r = t.iso();
    if t.microsecond != 0 {
        r[..12].to_string()
    } else {
        r
    }
}

fn write_value(v: &Value, out: &mut String) -> Result<(), JsonError> {
    crate::template::stack::deep(|| write_value_inner(v, out))
}

fn write_value_inner(v: &Value, out: &mut String) -> Result<(), JsonError> {
    match v {
        Value::None => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) => out.push_str(&float(*f)),
        Value::Decimal(d) => write_str(d, out),
        Value::Str(s) | Value::Safe(s) => write_str(s, out),
        Value::List(items) | Value::Tuple(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(item, out)?;
            }
            out.push(']');
        }
        Value::Dict(items) => {
            out.push('{');
            for (i, (k, val)) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                let key = match k {
                    Value::Str(s) | Value::Safe(s) => s.to_string(),
                    Value::Int(n) => n.to_string(),
                    Value::Float(f) => float(*f),
                    Value::Bool(b) => if *b { "true" } else { "false" }.to_string(),
                    Value::None => "null".to_string(),
                    Value::Decimal(_) => return Err(JsonError::Key("Decimal")),
                    Value::Tuple(_) => return Err(JsonError::Key("tuple")),
                    _ => return Err(JsonError::Key("object")),
                };
                write_str(&key, out);
                out.push_str(": ");
                write_value(val, out)?;
            }
            out.push('}');
        }
        Value::DateTime(dt) => write_str(&datetime_iso(dt), out),
        Value::Date(d) => write_str(&d.iso(), out),
        Value::Time(t) => write_str(&time_iso(t), out),
        Value::Object(o) => match o.to_json() {
            Some(Ok(text)) => out.push_str(&text),
            Some(Err(message)) => return Err(JsonError::Host(message)),
            None => match o.iterate() {
                Some(items) => write_value(&Value::list(items), out)?,
                None => return Err(JsonError::Unsupported(o.to_py_str())),
            },
        },
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn matches_python_spelling() {
        let v = Value::dict([
            (
                "a",
                Value::list(vec![
                    Value::Int(1),
                    Value::Float(2.0),
                    Value::None,
                    Value::Bool(true),
                ]),
            ),
            ("é", Value::str("café \"q\" </script> 😀\n")),
            ("t", Value::Tuple(Arc::new(vec![Value::Decimal("1.50".into())]))),
        ]);
        assert_eq!(
            dumps(&v).ok().as_deref(),
            Some(
                r#"{"a": [1, 2.0, null, true], "\u00e9": "caf\u00e9 \"q\" </script> \ud83d\ude00\n", "t": ["1.50"]}"#
            )
        );
        let dt = DateTime::parse("2024-03-05T14:07:09.123456+00:00").unwrap_or_else(|| panic!("dt"));
        assert_eq!(datetime_iso(&dt), "2024-03-05T14:07:09.123Z");
        assert_eq!(dumps(&Value::Float(f64::NAN)).ok().as_deref(), Some("NaN"));
    }
}
