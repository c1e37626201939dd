//! `django.contrib.humanize`'s filters that need no Python: `intcomma`, `ordinal` and
//! `apnumber` and `intword`, written from Django 5.2's `humanize.py`. A template that loads
//! `humanize` gets these in place of the Python functions (the binding matches a
//! library's filter by its function's qualified name: [`native_filter`]); the
//! locale's number format and the active language's translations come from the host,
//! as Django's `number_format`, `gettext` and `pgettext` read them. An input whose
//! `int()` only Python can decide (an object, a number past 64 bits, non-ASCII
//! digits) goes to the Python function. `naturalday` and `naturaltime` stay in Python:
//! they read the clock and the time zone, which the engine leaves to the host.

use super::error::Result;
use super::filters::floatformat;
use super::library::{FilterEnv, FilterFn};
use super::numbers::{group, number_plain};
use super::value::{float_repr, Value};
use std::sync::Arc;

/// Django's module for these filters.
const MODULE: &str = "django.contrib.humanize.templatetags.humanize";

/// A native filter: `None` asks the Python function.
type Native = fn(&Value, Option<&Value>, &FilterEnv<'_>) -> Option<Result<Value>>;

/// The native implementation of the Python filter function `qualname`
/// (`module.qualname`), falling back to `python` for inputs it leaves to Python; `None`
/// when there is none.
pub fn native_filter(qualname: &str, python: FilterFn) -> Option<FilterFn> {
    let name = qualname.strip_prefix(MODULE)?.strip_prefix('.')?;
    let native: Native = match name {
        "intcomma" => intcomma,
        "ordinal" => ordinal,
        "apnumber" => apnumber,
        "intword" => intword,
        _ => return None,
    };
    Some(Arc::new(move |v, a, env| match native(v, a, env) {
        Some(result) => result,
        None => python(v, a, env),
    }))
}

/// Python's `int(value)`, as far as the engine can answer it.
enum IntOf {
    Int(i64),
    /// `TypeError` or `ValueError`: not a number.
    NotInt,
    /// Only Python knows (an object, a number past 64 bits, `inf`, non-ASCII digits).
    Ask,
}

fn int_of(v: &Value) -> IntOf {
    match v {
        Value::Int(i) => IntOf::Int(*i),
        Value::Bool(b) => IntOf::Int(i64::from(*b)),
        Value::Float(f) if f.is_finite() && f.abs() < 9.0e18 => IntOf::Int(f.trunc() as i64),
        Value::Decimal(d) => match number_plain(d) {
            Some(plain) if !plain.contains('e') => {
                let whole = plain.split('.').next().unwrap_or("");
                match whole.parse::<i64>() {
                    Ok(i) => IntOf::Int(i),
                    // `-0.5` is `-0`: int() gives 0.
                    Err(_) if whole == "-0" => IntOf::Int(0),
                    Err(_) => IntOf::Ask,
                }
            }
            _ => IntOf::Ask,
        },
        Value::Str(s) | Value::Safe(s) => {
            if !s.is_ascii() {
                return IntOf::Ask;
            }
            match super::filters::py_int_of(v) {
                Some(i) => IntOf::Int(i),
                None => {
                    let t = s.trim().trim_start_matches(['-', '+']);
                    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit() || b == b'_') {
                        IntOf::Ask
                    } else {
                        IntOf::NotInt
                    }
                }
            }
        }
        Value::Object(_) | Value::Float(_) => IntOf::Ask,
        _ => IntOf::NotInt,
    }
}

/// `intcomma(value, use_l10n=True)`: the locale's `number_format` with grouping forced;
/// without `use_l10n` (or for a value `int()` refuses), commas every three digits of
/// the leading integer of `str(value)`.
fn intcomma(v: &Value, a: Option<&Value>, env: &FilterEnv<'_>) -> Option<Result<Value>> {
    let use_l10n = a.is_none_or(Value::truthy);
    if use_l10n {
        let plain = match v {
            Value::Float(f) => {
                let r = float_repr(*f);
                if r.contains('e') {
                    number_plain(&r)?
                } else {
                    r
                }
            }
            Value::Decimal(d) => number_plain(d)?,
            other => match int_of(other) {
                IntOf::Int(i) => i.to_string(),
                IntOf::Ask => return None,
                IntOf::NotInt => return Some(Ok(Value::str(commas(&other.to_py_str())?))),
            },
        };
        let number = &env.locale().number;
        let text = match plain.split_once('.') {
            Some((int_part, frac)) => group(int_part, frac, true, number),
            None => group(&plain, "", true, number),
        };
        return Some(Ok(Value::str(text)));
    }
    if matches!(v, Value::Object(_)) {
        return None;
    }
    Some(Ok(Value::str(commas(&v.to_py_str())?)))
}

/// The regex path of `intcomma`: `-?\d+` at the start, a comma every three digits
/// from the right. `None` (ask Python) for text whose digits may not be ASCII.
fn commas(text: &str) -> Option<String> {
    if !text.is_ascii() {
        return None;
    }
    let negative = text.starts_with('-');
    let digits_from = usize::from(negative);
    let digits = text[digits_from..].bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return Some(text.to_string());
    }
    let prefix = &text[digits_from..digits_from + digits];
    let mut out = String::with_capacity(text.len() + digits / 3);
    if negative {
        out.push('-');
    }
    for (i, c) in prefix.chars().enumerate() {
        if i > 0 && (digits - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out.push_str(&text[digits_from + digits..]);
    Some(out)
}

/// `ordinal`: `3` → `3rd` through the active language's `pgettext("ordinal 3", "{}rd")`
/// (marked safe: translations may hold markup); a negative number as itself, a value
/// `int()` refuses unchanged.
fn ordinal(v: &Value, _: Option<&Value>, env: &FilterEnv<'_>) -> Option<Result<Value>> {
    let i = match int_of(v) {
        IntOf::Int(i) => i,
        IntOf::NotInt => return Some(Ok(v.clone())),
        IntOf::Ask => return None,
    };
    if i < 0 {
        return Some(Ok(Value::str(i.to_string())));
    }
    const SUFFIXES: [&str; 10] = [
        "{}th", "{}st", "{}nd", "{}rd", "{}th", "{}th", "{}th", "{}th", "{}th", "{}th",
    ];
    let (context, message) = if matches!(i % 100, 11..=13) {
        ("ordinal 11, 12, 13".to_string(), "{}th")
    } else {
        let last = (i % 10) as usize;
        (format!("ordinal {last}"), SUFFIXES[last])
    };
    let template = translate(env, message, Some(&context));
    // `str.format` with one argument: anything but a single `{}` goes to Python.
    let (before, after) = template.split_once("{}")?;
    if before.contains(['{', '}']) || after.contains(['{', '}']) {
        return None;
    }
    Some(Ok(Value::safe(format!("{before}{i}{after}"))))
}

/// `apnumber`: 1–9 as words in the active language (`gettext("one")`…), other
/// integers as themselves, a value `int()` refuses unchanged.
fn apnumber(v: &Value, _: Option<&Value>, env: &FilterEnv<'_>) -> Option<Result<Value>> {
    const WORDS: [&str; 9] = [
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    ];
    match int_of(v) {
        IntOf::Int(i) if (1..10).contains(&i) => {
            Some(Ok(Value::str(translate(env, WORDS[(i - 1) as usize], None))))
        }
        IntOf::Int(i) => Some(Ok(Value::Int(i))),
        IntOf::NotInt => Some(Ok(v.clone())),
        IntOf::Ask => None,
    }
}

/// `intword`'s units: the power of ten and the `ngettext` message (singular and plural
/// are the same English text), up to what an `i64` reaches.
const INTWORD_UNITS: [(u32, &str); 5] = [
    (6, "%(value)s million"),
    (9, "%(value)s billion"),
    (12, "%(value)s trillion"),
    (15, "%(value)s quadrillion"),
    (18, "%(value)s quintillion"),
];

/// `intword`: 1,200,000 → `1.2 million` in the active language. The number divided by
/// its unit is written by `floatformat:1`; the unit's plural form is chosen by
/// `ngettext` for the quotient rounded away from one (Django's `round_away_from_one`).
/// Below a million the integer itself; a value `int()` refuses unchanged. A number
/// past 2⁵³ goes to Python, whose `int / int` rounds once where `f64` would round twice.
fn intword(v: &Value, _: Option<&Value>, env: &FilterEnv<'_>) -> Option<Result<Value>> {
    let i = match int_of(v) {
        IntOf::Int(i) => i,
        IntOf::NotInt => return Some(Ok(v.clone())),
        IntOf::Ask => return None,
    };
    let magnitude = i.unsigned_abs();
    if magnitude < 1_000_000 {
        return Some(Ok(Value::Int(i)));
    }
    if magnitude > 1 << 53 {
        return None;
    }
    let (exponent, message) = INTWORD_UNITS
        .into_iter()
        .find(|(e, _)| magnitude < 10u64.pow(e + 3))?;
    // Both exact in an f64 (the number is at most 2⁵³, the unit is 2ᵉ·5ᵉ with 5ᵉ < 2⁵³),
    // so the division rounds once, as Python's does.
    let quotient = i as f64 / 10u64.pow(exponent) as f64;
    let toward = quotient - 1.0;
    let rounded = if toward >= 0.0 {
        toward.ceil()
    } else {
        toward.floor()
    } + 1.0;
    let count = Value::Int(rounded.abs() as i64);
    let number = &env.locale().number;
    let written = match floatformat(
        &Value::Float(quotient),
        Some(&Value::Int(1)),
        env.max_size,
        number,
    ) {
        Ok(w) => w.to_py_str(),
        Err(e) => return Some(Err(e)),
    };
    let template = env
        .host
        .and_then(|h| h.translate_plural(message, message, &count, None, None))
        .unwrap_or_else(|| message.to_string());
    percent_value(&template, &written).map(|text| Ok(Value::str(text)))
}

/// Python's `template % {"value": value}` for a template whose only conversions are
/// `%(value)s` and `%%`; `None` (ask Python) for any other.
fn percent_value(template: &str, value: &str) -> Option<String> {
    let mut out = String::with_capacity(template.len() + value.len());
    let mut rest = template;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix('%') {
            out.push('%');
            rest = tail;
        } else if let Some(tail) = after.strip_prefix("(value)s") {
            out.push_str(value);
            rest = tail;
        } else {
            return None;
        }
    }
    out.push_str(rest);
    Some(out)
}

/// `gettext` / `pgettext` in the active language; the message itself without a host.
fn translate(env: &FilterEnv<'_>, message: &str, context: Option<&str>) -> String {
    env.host
        .and_then(|h| h.translate(message, context, None))
        .unwrap_or_else(|| message.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::host::Locale;
    use crate::template::host::NumberFormat;

    #[derive(Debug)]
    struct Opaque;

    impl crate::template::value::Object for Opaque {
        fn to_py_str(&self) -> String {
            "opaque".into()
        }
    }

    fn env_with(locale: &std::cell::OnceCell<Locale>) -> FilterEnv<'_> {
        FilterEnv {
            autoescape: true,
            max_size: 1 << 20,
            locale,
            host: None,
        }
    }

    fn run(f: Native, v: Value, a: Option<Value>) -> Option<String> {
        let locale = std::cell::OnceCell::new();
        let _ = locale.set(Locale {
            number: NumberFormat {
                decimal_separator: ".".into(),
                thousand_separator: ",".into(),
                grouping: vec![3, 0],
                use_thousand_separator: false,
            },
            dates_by_host: false,
        });
        f(&v, a.as_ref(), &env_with(&locale)).map(|r| r.map(|v| v.to_py_str()).unwrap_or_default())
    }

    #[test]
    fn intcomma_groups_as_djangos() {
        let cases: [(Value, &str); 8] = [
            (Value::Int(1234567), "1,234,567"),
            (Value::Int(-1000), "-1,000"),
            (Value::Float(1234.5), "1,234.5"),
            (Value::Float(1e20), "100,000,000,000,000,000,000"),
            (Value::Decimal("1234.50".into()), "1,234.50"),
            (Value::str("12345"), "12,345"),
            (Value::str("12345abc"), "12,345abc"),
            (Value::None, "None"),
        ];
        for (v, want) in cases {
            assert_eq!(run(intcomma, v.clone(), None).as_deref(), Some(want), "{v:?}");
        }
        assert_eq!(
            run(intcomma, Value::Int(1234567), Some(Value::Bool(false))).as_deref(),
            Some("1,234,567")
        );
        assert_eq!(run(intcomma, Value::str("١٢٣٤"), None), None);
    }

    #[test]
    fn ordinal_and_apnumber_as_djangos() {
        let ords = [
            (1, "1st"),
            (2, "2nd"),
            (3, "3rd"),
            (4, "4th"),
            (11, "11th"),
            (12, "12th"),
            (13, "13th"),
            (101, "101st"),
            (111, "111th"),
        ];
        for (i, want) in ords {
            assert_eq!(run(ordinal, Value::Int(i), None).as_deref(), Some(want));
        }
        assert_eq!(run(ordinal, Value::Int(-3), None).as_deref(), Some("-3"));
        assert_eq!(run(ordinal, Value::str("x"), None).as_deref(), Some("x"));
        assert_eq!(run(apnumber, Value::Int(5), None).as_deref(), Some("five"));
        assert_eq!(run(apnumber, Value::Int(10), None).as_deref(), Some("10"));
        assert_eq!(run(apnumber, Value::str("3"), None).as_deref(), Some("three"));
        assert_eq!(run(apnumber, Value::Object(Arc::new(Opaque)), None), None);
    }

    #[test]
    fn intword_as_djangos() {
        let cases: [(Value, &str); 11] = [
            (Value::Int(999_999), "999999"),
            (Value::Int(1_000_000), "1.0 million"),
            (Value::Int(1_200_000), "1.2 million"),
            (Value::Int(-1_250_000), "-1.3 million"),
            (Value::Int(999_950_000), "1000.0 million"),
            (Value::Int(1_200_000_000), "1.2 billion"),
            (Value::Int(4_500_000_000_000_000), "4.5 quadrillion"),
            (Value::Float(1.5e9), "1.5 billion"),
            (Value::str("2000000"), "2.0 million"),
            (Value::Bool(true), "1"),
            (Value::str("x"), "x"),
        ];
        for (v, want) in cases {
            assert_eq!(run(intword, v.clone(), None).as_deref(), Some(want), "{v:?}");
        }
        // Past 2⁵³, and an object: Python's.
        assert_eq!(run(intword, Value::Int((1 << 53) + 1), None), None);
        assert_eq!(run(intword, Value::Object(Arc::new(Opaque)), None), None);
        assert_eq!(percent_value("%(value)s %% Mio", "2"), Some("2 % Mio".into()));
        assert_eq!(percent_value("%(value)d Mio", "2"), None);
    }
}
