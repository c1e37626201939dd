//! Python's `"%<spec>" % value` for the `stringformat` filter: flags `-+ #0`, width,
//! precision, and the conversions `s r a d i u f F e E g G x X o c %`.

use super::value::{float_repr, Value};

/// The size the spec asks for: its width, or its precision for a numeric conversion
/// (`%.1000000000f` writes that many digits; `%.5s` only truncates), saturating, so
/// that `stringformat` can refuse a spec over the engine's limit before
/// allocating.
pub fn requested_size(spec: &str) -> u128 {
    let digits = |s: &str| -> u128 {
        s.bytes().take_while(u8::is_ascii_digit).fold(0u128, |n, d| {
            n.saturating_mul(10).saturating_add(u128::from(d - b'0'))
        })
    };
    let rest = spec.trim_start_matches(['-', '+', ' ', '#', '0']);
    let width = digits(rest);
    let after_width = rest.trim_start_matches(|c: char| c.is_ascii_digit());
    let Some(p) = after_width.strip_prefix('.') else {
        return width;
    };
    let precision = digits(p);
    let conv = p
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .trim_start_matches(['h', 'l', 'L'])
        .chars()
        .next();
    match conv {
        Some('s' | 'r' | 'a') => width,
        _ => width.max(precision),
    }
}

/// Format `value` with the conversion spec (without the leading `%`), e.g. `"05.2f"`.
/// `None` where Python raises (`ValueError` / `TypeError`), which `stringformat` turns
/// into an empty string.
pub fn format(spec: &str, value: &Value) -> Option<String> {
    let bytes = spec.as_bytes();
    let mut i = 0;
    let (mut left, mut plus, mut space, mut alt, mut zero) = (false, false, false, false, false);
    while i < bytes.len() {
        match bytes[i] {
            b'-' => left = true,
            b'+' => plus = true,
            b' ' => space = true,
            b'#' => alt = true,
            b'0' => zero = true,
            _ => break,
        }
        i += 1;
    }
    let start = i;
    while i < bytes.len() && bytes[i].is_ascii_digit() {
        i += 1;
    }
    let width: usize = spec[start..i].parse().unwrap_or(0);
    let mut precision: Option<usize> = None;
    if i < bytes.len() && bytes[i] == b'.' {
        i += 1;
        let s = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        precision = Some(spec[s..i].parse().unwrap_or(0));
    }
    // Length modifiers are accepted and ignored by Python.
    while i < bytes.len() && matches!(bytes[i], b'h' | b'l' | b'L') {
        i += 1;
    }
    let conv = *bytes.get(i)? as char;
    // Text after the conversion is literal; `%%` is a percent sign and any other
    // conversion would need a second value (TypeError).
    let tail = &spec[i + 1..];
    let mut literal = String::new();
    let mut chars = tail.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '%' && chars.next() != Some('%') {
            return None;
        }
        literal.push(c);
    }
    let sign_of = |neg: bool| -> &'static str {
        if neg {
            "-"
        } else if plus {
            "+"
        } else if space {
            " "
        } else {
            ""
        }
    };
    let (sign, body, numeric) = match conv {
        's' => {
            let s = value.to_py_str();
            let s = match precision {
                Some(p) => s.chars().take(p).collect(),
                None => s,
            };
            ("", s, false)
        }
        'r' | 'a' => {
            let s = value.to_py_repr();
            let s = match precision {
                Some(p) => s.chars().take(p).collect(),
                None => s,
            };
            ("", s, false)
        }
        'd' | 'i' | 'u' => {
            let n = int_of(value)?;
            let mut digits = n.unsigned_abs().to_string();
            if let Some(p) = precision {
                while digits.len() < p {
                    digits.insert(0, '0');
                }
            }
            (sign_of(n < 0), digits, true)
        }
        'x' | 'X' | 'o' => {
            // `%x` needs an integer: floats and Decimals are a TypeError.
            let n = match value {
                Value::Bool(_) | Value::Int(_) => int_of(value)?,
                _ => return None,
            };
            let mag = n.unsigned_abs();
            let mut digits = match conv {
                'x' => format!("{mag:x}"),
                'X' => format!("{mag:X}"),
                _ => format!("{mag:o}"),
            };
            if let Some(p) = precision {
                while digits.len() < p {
                    digits.insert(0, '0');
                }
            }
            if alt {
                digits.insert_str(
                    0,
                    match conv {
                        'x' => "0x",
                        'X' => "0X",
                        _ => "0o",
                    },
                );
            }
            (sign_of(n < 0), digits, true)
        }
        'f' | 'F' | 'e' | 'E' | 'g' | 'G' => {
            let f = float_of(value)?;
            let p = precision.unwrap_or(6);
            let body = if !f.is_finite() {
                let s = if f.is_nan() { "nan" } else { "inf" };
                if conv.is_ascii_uppercase() {
                    s.to_uppercase()
                } else {
                    s.to_string()
                }
            } else {
                match conv {
                    'f' | 'F' => fixed(f.abs(), p),
                    'e' | 'E' => exp_format(f.abs(), p, conv == 'E'),
                    _ => general_format(f.abs(), p, conv == 'G', alt),
                }
            };
            (sign_of(f.is_sign_negative()), body, true)
        }
        'c' => {
            let c = match value {
                Value::Int(n) => char::from_u32(u32::try_from(*n).ok()?)?,
                Value::Str(s) | Value::Safe(s) if s.chars().count() == 1 => s.chars().next()?,
                _ => return None,
            };
            ("", c.to_string(), false)
        }
        _ => return None,
    };
    let len = sign.chars().count() + body.chars().count();
    if len >= width {
        return Some(format!("{sign}{body}{literal}"));
    }
    let fill = width - len;
    Some(if left {
        format!("{sign}{body}{}{literal}", " ".repeat(fill))
    } else if zero && numeric {
        format!("{sign}{}{body}{literal}", "0".repeat(fill))
    } else {
        format!("{}{sign}{body}{literal}", " ".repeat(fill))
    })
}

fn int_of(v: &Value) -> Option<i64> {
    match v {
        Value::Bool(b) => Some(i64::from(*b)),
        Value::Int(i) => Some(*i),
        Value::Float(f) if f.is_finite() => Some(f.trunc() as i64),
        Value::Decimal(d) => d.parse::<f64>().ok().map(|f| f.trunc() as i64),
        _ => None,
    }
}

fn float_of(v: &Value) -> Option<f64> {
    match v {
        Value::Bool(_) | Value::Int(_) | Value::Float(_) | Value::Decimal(_) => v.as_f64(),
        _ => None,
    }
}

/// Past this many decimals an `f64`'s exact expansion has only zeros (the smallest
/// subnormal has 1,074 decimals; no mantissa has more than 767 significant digits).
/// Rust's formatter takes at most 65,535 decimals, Python's any number.
const EXACT_DECIMALS: usize = 1100;

/// `f` with `p` decimals, exactly as Python's `%.{p}f` (any `p`).
fn fixed(f: f64, p: usize) -> String {
    if p <= EXACT_DECIMALS {
        return format!("{:.*}", p, f);
    }
    let mut s = format!("{:.*}", EXACT_DECIMALS, f);
    if f.is_finite() {
        s.extend(std::iter::repeat_n('0', p - EXACT_DECIMALS));
    }
    s
}

/// Rust's `{:.p$e}` for any `p`: the mantissa's extra decimals are zeros.
fn sci(f: f64, p: usize) -> String {
    if p <= EXACT_DECIMALS {
        return format!("{:.*e}", p, f);
    }
    let s = format!("{:.*e}", EXACT_DECIMALS, f);
    match s.split_once('e') {
        Some((m, e)) if f.is_finite() => format!("{m}{}e{e}", "0".repeat(p - EXACT_DECIMALS)),
        _ => s,
    }
}

/// `%e`: mantissa with `p` decimals, exponent with sign and at least two digits.
fn exp_format(f: f64, p: usize, upper: bool) -> String {
    let s = sci(f, p);
    let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
    let e: i32 = e.parse().unwrap_or(0);
    let out = format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs());
    if upper {
        out.to_uppercase()
    } else {
        out
    }
}

/// `%g`: `%e` or `%f` by exponent, trailing zeros removed unless `#`.
fn general_format(f: f64, p: usize, upper: bool, alt: bool) -> String {
    let p = p.max(1);
    if f == 0.0 {
        return if alt { fixed(0.0, p - 1) } else { "0".to_string() };
    }
    let exp = {
        let s = sci(f, p - 1);
        s.split_once('e')
            .and_then(|(_, e)| e.parse::<i32>().ok())
            .unwrap_or(0)
    };
    let mut out = if exp < -4 || exp >= p as i32 {
        exp_format(f, p - 1, upper)
    } else {
        fixed(f, (p as i64 - 1 - i64::from(exp)).max(0) as usize)
    };
    if !alt {
        if let Some(epos) = out.find(['e', 'E']) {
            let (m, e) = out.split_at(epos);
            let m = if m.contains('.') {
                m.trim_end_matches('0').trim_end_matches('.')
            } else {
                m
            };
            out = format!("{m}{e}");
        } else if out.contains('.') {
            out = out.trim_end_matches('0').trim_end_matches('.').to_string();
        }
    }
    let _ = float_repr;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_percent_formatting() {
        let cases: &[(&str, Value, &str)] = &[
            ("s", Value::Int(5), "5"),
            ("05d", Value::Int(42), "00042"),
            ("+d", Value::Int(3), "+3"),
            (".2f", Value::Float(1.23456), "1.23"),
            ("10.3f", Value::Float(-2.5), "    -2.500"),
            ("-6s|", Value::str("ab"), "ab    |"),
            ("d%%", Value::Int(5), "5%"),
            ("x", Value::Int(255), "ff"),
            ("#X", Value::Int(255), "0XFF"),
            ("e", Value::Float(12345.678), "1.234568e+04"),
            ("g", Value::Float(0.0001), "0.0001"),
            ("g", Value::Float(1234567.0), "1.23457e+06"),
            ("r", Value::str("a"), "'a'"),
        ];
        for (spec, v, want) in cases {
            let got = format(spec, v).unwrap_or_default();
            assert_eq!(&got, want, "%{spec}");
        }
        assert!(format("d", &Value::str("x")).is_none());
    }
}
