//! Variables and filter expressions: `{{ item.price|floatformat:2|default:"-" }}`.
//!
//! Parsing follows Django 5.2's `filter_re` / `FilterExpression` / `Variable`
//! (`django/template/base.py`) exactly, including what is a number literal (Python's
//! `int()` / `float()` rules), that quoted literals are safe strings, that names may
//! not start with `_`, and the wording of every error.

use super::error::{Result, TemplateError};
use super::library::{FilterDef, Registry};
use super::value::Value;
use crate::span::Span;
use std::sync::Arc as FilterArc;
use std::sync::Arc;

/// A variable or a literal.
#[derive(Debug, Clone)]
pub enum Operand {
    /// A literal: number or (safe) string.
    Literal(Value),
    /// A dotted lookup: `item.price`, `rows.0`.
    Lookup(Arc<[Arc<str>]>),
    /// A string inside `_( )`: its message id (`%` doubled, as Django's
    /// `Variable.resolve` does), translated in the active language at each render
    /// (Django's `gettext_lazy`). The result is safe, as the literal is.
    Translated(Arc<str>),
}

impl Operand {
    /// The lookup path as written (`a.b.c`), or the literal's `str()`.
    pub fn display(&self) -> String {
        match self {
            Operand::Literal(v) => v.to_py_str(),
            Operand::Lookup(parts) => parts.join("."),
            Operand::Translated(msgid) => msgid.to_string(),
        }
    }
}

/// One filter application in a chain.
#[derive(Debug, Clone)]
pub struct FilterCall {
    /// The filter.
    pub def: FilterArc<FilterDef>,
    /// Its argument, if given.
    pub arg: Option<Operand>,
    /// Bytes of `|name:arg`.
    pub span: Span,
}

/// `operand|filter|filter:arg`.
#[derive(Debug, Clone)]
pub struct FilterExpr {
    /// What the chain starts from.
    pub operand: Operand,
    /// Filters, applied left to right.
    pub filters: Vec<FilterCall>,
    /// Bytes of the whole expression.
    pub span: Span,
}

/// Python `int(s)` for a base-10 literal (underscores between digits allowed).
fn py_int(s: &str) -> Option<i64> {
    let t = s.trim();
    let (sign, digits) = match t.as_bytes().first() {
        Some(b'-') => (-1, &t[1..]),
        Some(b'+') => (1, &t[1..]),
        _ => (1, t),
    };
    if digits.is_empty() || digits.starts_with('_') || digits.ends_with('_') || digits.contains("__") {
        return None;
    }
    if !digits.chars().all(|c| c.is_ascii_digit() || c == '_') {
        return None;
    }
    let clean: String = digits.chars().filter(|c| *c != '_').collect();
    clean.parse::<i64>().ok().map(|v| v * sign)
}

/// Python `float(s)`.
fn py_float(s: &str) -> Option<f64> {
    let t = s.trim();
    let lower = t.to_ascii_lowercase();
    let unsigned = lower.trim_start_matches(['+', '-']);
    if matches!(unsigned, "inf" | "infinity" | "nan") {
        let v = if unsigned == "nan" {
            f64::NAN
        } else {
            f64::INFINITY
        };
        return Some(if lower.starts_with('-') { -v } else { v });
    }
    // Digits, at most one '.', optional exponent; '_' only between digits.
    let bytes = t.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'_' {
            let ok = i > 0
                && i + 1 < bytes.len()
                && bytes[i - 1].is_ascii_digit()
                && bytes[i + 1].is_ascii_digit();
            if !ok {
                return None;
            }
        } else if !(b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-')) {
            return None;
        }
    }
    let clean: String = t.chars().filter(|c| *c != '_').collect();
    clean.parse::<f64>().ok()
}

/// Django's `unescape_string_literal`: `"a \"b\""` → `a "b"`.
pub fn unescape_string_literal(s: &str) -> Option<String> {
    let first = s.chars().next()?;
    if !(first == '"' || first == '\'') || s.len() < 2 || !s.ends_with(first) {
        return None;
    }
    let inner = &s[1..s.len() - 1];
    Some(
        inner
            .replace(&format!("\\{first}"), &first.to_string())
            .replace("\\\\", "\\"),
    )
}

/// Parse a Django `Variable` (what `Variable(var)` accepts): a number, a quoted string
/// (optionally `_("…")`), or a dotted lookup.
pub fn parse_variable(var: &str, span: Span) -> Result<Operand> {
    if var.contains('.') || var.to_ascii_lowercase().contains('e') {
        if let Some(f) = py_float(var) {
            if !var.ends_with('.') {
                return Ok(Operand::Literal(Value::Float(f)));
            }
        }
    } else if let Some(i) = py_int(var) {
        return Ok(Operand::Literal(Value::Int(i)));
    }
    if var.starts_with("_(") && var.ends_with(')') && var.len() >= 3 {
        if let Some(s) = unescape_string_literal(&var[2..var.len() - 1]) {
            return Ok(Operand::Translated(Arc::from(s.replace('%', "%%"))));
        }
    }
    if let Some(s) = unescape_string_literal(var) {
        return Ok(Operand::Literal(Value::safe(s)));
    }
    if var.contains("._") || var.starts_with('_') {
        return Err(TemplateError::syntax(
            format!("Variables and attributes may not begin with underscores: '{var}'"),
            span,
        ));
    }
    Ok(Operand::Lookup(var.split('.').map(Arc::from).collect()))
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Length of a quoted string (`"…"` / `'…'` with backslash escapes) at the start of `s`.
fn quoted_len(s: &str) -> Option<usize> {
    let q = s.chars().next()?;
    if q != '"' && q != '\'' {
        return None;
    }
    let bytes = s.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b if b == q as u8 => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// `constant` in Django's `filter_re`: a quoted string, optionally inside `_( )`.
fn constant_len(s: &str) -> Option<usize> {
    if let Some(rest) = s.strip_prefix("_(") {
        if let Some(n) = quoted_len(rest) {
            if rest[n..].starts_with(')') {
                return Some(n + 3);
            }
        }
    }
    quoted_len(s)
}

/// `[\w.]+|[-+.]?\d[\d.e]*` at the start of `s`.
fn var_len(s: &str) -> Option<usize> {
    let n: usize = s
        .char_indices()
        .take_while(|&(_, c)| is_word(c) || c == '.')
        .map(|(_, c)| c.len_utf8())
        .sum();
    if n > 0 {
        return Some(n);
    }
    let bytes = s.as_bytes();
    let mut i = 0;
    if matches!(bytes.first(), Some(b'-' | b'+' | b'.')) {
        i = 1;
    }
    if !bytes.get(i).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    i += 1;
    while bytes
        .get(i)
        .is_some_and(|b| b.is_ascii_digit() || *b == b'.' || *b == b'e')
    {
        i += 1;
    }
    Some(i)
}

struct FilterMatch {
    end: usize,
    name: (usize, usize),
    arg: Option<(usize, usize, bool)>, // start, end, is_constant
}

/// The filter alternative of `filter_re` at `pos`: `\s*\|\s*(\w+)(?::(constant|var))?`.
fn match_filter(token: &str, pos: usize) -> Option<FilterMatch> {
    let rest = &token[pos..];
    let ws = |s: &str| s.len() - s.trim_start().len();
    let mut i = ws(rest);
    if !rest[i..].starts_with('|') {
        return None;
    }
    i += 1;
    i += ws(&rest[i..]);
    let name_len: usize = rest[i..]
        .chars()
        .take_while(|&c| is_word(c))
        .map(char::len_utf8)
        .sum();
    if name_len == 0 {
        return None;
    }
    let name = (pos + i, pos + i + name_len);
    i += name_len;
    let mut arg = None;
    if rest[i..].starts_with(':') {
        let a = &rest[i + 1..];
        if let Some(n) = constant_len(a) {
            arg = Some((pos + i + 1, pos + i + 1 + n, true));
            i += 1 + n;
        } else if let Some(n) = var_len(a) {
            arg = Some((pos + i + 1, pos + i + 1 + n, false));
            i += 1 + n;
        }
    }
    Some(FilterMatch {
        end: pos + i,
        name,
        arg,
    })
}

/// Parse `token` (a variable tag's content, or an argument of a block tag) as Django's
/// `FilterExpression`. `base` is the byte offset of `token` in the template source.
pub fn parse_filter_expr(token: &str, base: usize, registry: &Registry) -> Result<FilterExpr> {
    let span = Span::new(base, base + token.len());
    let err = |msg: String| TemplateError::syntax(msg, span);
    // The operand: constant or var, anchored at the start.
    let (operand, mut upto) = if let Some(n) = constant_len(token) {
        let lit = &token[..n];
        let op = parse_variable(lit, Span::new(base, base + n))?;
        (op, n)
    } else if let Some(n) = var_len(token) {
        (parse_variable(&token[..n], Span::new(base, base + n))?, n)
    } else if match_filter(token, 0).is_some() {
        return Err(err(format!("Could not find variable at start of {token}.")));
    } else {
        // Like finditer: the first match further on decides the message.
        match (1..token.len())
            .filter(|&p| token.is_char_boundary(p))
            .find_map(|p| match_filter(token, p).map(|_| p))
        {
            Some(start) => {
                return Err(err(format!(
                    "Could not parse some characters: |{}|{}",
                    &token[..start],
                    &token[start..]
                )))
            }
            None => {
                return Err(err(format!(
                    "Could not parse the remainder: '{token}' from '{token}'"
                )));
            }
        }
    };
    let mut filters = Vec::new();
    while upto < token.len() {
        let found = (upto..token.len())
            .filter(|&p| token.is_char_boundary(p))
            .find_map(|p| match_filter(token, p).map(|m| (p, m)));
        let Some((start, m)) = found else {
            return Err(err(format!(
                "Could not parse the remainder: '{}' from '{}'",
                &token[upto..],
                token
            )));
        };
        if start != upto {
            return Err(err(format!(
                "Could not parse some characters: {}|{}|{}",
                &token[..upto],
                &token[upto..start],
                &token[start..]
            )));
        }
        let name = &token[m.name.0..m.name.1];
        let def = registry.get(name).ok_or_else(|| {
            // Point at the filter name itself.
            TemplateError::syntax(
                format!("Invalid filter: '{name}'"),
                Span::new(base + m.name.0, base + m.name.1),
            )
        })?;
        let arg = match m.arg {
            Some((s, e, true)) => {
                let text = &token[s..e];
                match text.strip_prefix("_(").and_then(|t| t.strip_suffix(')')) {
                    Some(inner) => Some(Operand::Translated(Arc::from(
                        unescape_string_literal(inner)
                            .unwrap_or_default()
                            .replace('%', "%%"),
                    ))),
                    None => Some(Operand::Literal(Value::safe(
                        unescape_string_literal(text).unwrap_or_default(),
                    ))),
                }
            }
            Some((s, e, false)) => Some(parse_variable(&token[s..e], Span::new(base + s, base + e))?),
            None => None,
        };
        let provided = 1 + usize::from(arg.is_some());
        let (min, max) = def.arity();
        if provided < min || provided > max {
            return Err(err(format!(
                "{name} requires {} arguments, {provided} provided",
                min
            )));
        }
        filters.push(FilterCall {
            def,
            arg,
            span: Span::new(base + start, base + m.end),
        });
        upto = m.end;
    }
    Ok(FilterExpr {
        operand,
        filters,
        span,
    })
}
