//! CPython 3.11's `pprint.pformat` (width 80, indent 1, dicts sorted) for template
//! values — Django's `pprint` filter.

use super::value::{is_py_space, py_str_repr, splitlines, Value};
use std::cmp::Ordering;

const WIDTH: isize = 80;

/// `pprint.pformat(value)`.
pub fn pformat(value: &Value) -> String {
    let mut out = String::new();
    format(value, &mut out, 0, 0, 0);
    out
}

fn len(s: &str) -> isize {
    s.chars().count() as isize
}

/// `_safe_key` ordering: Python's `<` where defined, else by type name.
fn safe_cmp(a: &Value, b: &Value) -> Ordering {
    a.py_cmp(b).unwrap_or_else(|| type_name(a).cmp(type_name(b)))
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::None => "<class 'NoneType'>",
        Value::Bool(_) => "<class 'bool'>",
        Value::Int(_) => "<class 'int'>",
        Value::Float(_) => "<class 'float'>",
        Value::Decimal(_) => "<class 'decimal.Decimal'>",
        Value::Str(_) => "<class 'str'>",
        Value::Safe(_) => "<class 'django.utils.safestring.SafeString'>",
        Value::List(_) => "<class 'list'>",
        Value::Tuple(_) => "<class 'tuple'>",
        Value::Dict(_) => "<class 'dict'>",
        Value::Date(_) => "<class 'datetime.date'>",
        Value::DateTime(_) => "<class 'datetime.datetime'>",
        Value::Time(_) => "<class 'datetime.time'>",
        Value::Object(_) => "<class 'object'>",
    }
}

/// Dict items sorted as `sorted(d.items(), key=_safe_tuple)`.
fn sorted_items(items: &[(Value, Value)]) -> Vec<&(Value, Value)> {
    let mut sorted: Vec<&(Value, Value)> = items.iter().collect();
    sorted.sort_by(|(k1, v1), (k2, v2)| safe_cmp(k1, k2).then_with(|| safe_cmp(v1, v2)));
    sorted
}

/// `PrettyPrinter._safe_repr`: `repr()` with dicts sorted.
fn safe_repr(v: &Value) -> String {
    super::stack::deep(|| safe_repr_inner(v))
}

fn safe_repr_inner(v: &Value) -> String {
    match v {
        Value::Dict(items) => {
            let parts: Vec<String> = sorted_items(items)
                .into_iter()
                .map(|(k, v)| format!("{}: {}", safe_repr(k), safe_repr(v)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        Value::List(items) => {
            let parts: Vec<String> = items.iter().map(safe_repr).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Tuple(items) => {
            let parts: Vec<String> = items.iter().map(safe_repr).collect();
            if items.len() == 1 {
                format!("({},)", parts[0])
            } else {
                format!("({})", parts.join(", "))
            }
        }
        other => other.to_py_repr(),
    }
}

/// `PrettyPrinter._format`.
fn format(v: &Value, out: &mut String, indent: isize, allowance: isize, level: usize) {
    super::stack::deep(|| format_inner(v, out, indent, allowance, level))
}

fn format_inner(v: &Value, out: &mut String, indent: isize, allowance: isize, level: usize) {
    let rep = safe_repr(v);
    if len(&rep) > WIDTH - indent - allowance {
        let level = level + 1;
        match v {
            Value::Dict(items) => {
                out.push('{');
                format_dict_items(&sorted_items(items), out, indent, allowance + 1, level);
                out.push('}');
                return;
            }
            Value::List(items) => {
                out.push('[');
                format_items(items, out, indent, allowance + 1, level);
                out.push(']');
                return;
            }
            Value::Tuple(items) => {
                let end = if items.len() == 1 { ",)" } else { ")" };
                out.push('(');
                format_items(items, out, indent, allowance + len(end), level);
                out.push_str(end);
                return;
            }
            Value::Str(s) | Value::Safe(s) => {
                pprint_str(s, out, indent, allowance, level);
                return;
            }
            _ => {}
        }
    }
    out.push_str(&rep);
}

fn newline_indent(out: &mut String, indent: isize) {
    out.push_str(",\n");
    out.extend(std::iter::repeat_n(' ', usize::try_from(indent).unwrap_or(0)));
}

fn format_items(items: &[Value], out: &mut String, indent: isize, allowance: isize, level: usize) {
    let indent = indent + 1;
    for (i, item) in items.iter().enumerate() {
        let last = i + 1 == items.len();
        if i > 0 {
            newline_indent(out, indent);
        }
        format(item, out, indent, if last { allowance } else { 1 }, level);
    }
}

fn format_dict_items(
    items: &[&(Value, Value)],
    out: &mut String,
    indent: isize,
    allowance: isize,
    level: usize,
) {
    let indent = indent + 1;
    for (i, (k, v)) in items.iter().enumerate() {
        let last = i + 1 == items.len();
        let rep = safe_repr(k);
        out.push_str(&rep);
        out.push_str(": ");
        format(
            v,
            out,
            indent + len(&rep) + 2,
            if last { allowance } else { 1 },
            level,
        );
        if !last {
            newline_indent(out, indent);
        }
    }
}

/// `re.findall(r'\S*\s*', line)` without the final empty match.
fn space_parts(line: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut in_space = false;
    for (i, c) in line.char_indices() {
        let space = is_py_space(c);
        if !space && in_space {
            parts.push(&line[start..i]);
            start = i;
        }
        in_space = space;
    }
    if start < line.len() {
        parts.push(&line[start..]);
    }
    parts
}

/// `PrettyPrinter._pprint_str`: long strings split at whitespace into adjacent
/// literals, parenthesised at the top level.
fn pprint_str(s: &str, out: &mut String, mut indent: isize, mut allowance: isize, level: usize) {
    if s.is_empty() {
        out.push_str(&py_str_repr(s));
        return;
    }
    let lines = splitlines(s, true);
    if level == 1 {
        indent += 1;
        allowance += 1;
    }
    let max_width = WIDTH - indent;
    let mut max_width1 = max_width;
    let mut chunks: Vec<String> = Vec::new();
    let mut rep = String::new();
    for (i, line) in lines.iter().enumerate() {
        rep = py_str_repr(line);
        let last_line = i + 1 == lines.len();
        if last_line {
            max_width1 -= allowance;
        }
        if len(&rep) <= max_width1 {
            chunks.push(rep.clone());
            continue;
        }
        let parts = space_parts(line);
        let mut max_width2 = max_width;
        let mut current = String::new();
        for (j, part) in parts.iter().enumerate() {
            let candidate = format!("{current}{part}");
            if j + 1 == parts.len() && last_line {
                max_width2 -= allowance;
            }
            if len(&py_str_repr(&candidate)) > max_width2 {
                if !current.is_empty() {
                    chunks.push(py_str_repr(&current));
                }
                current = (*part).to_string();
            } else {
                current = candidate;
            }
        }
        if !current.is_empty() {
            chunks.push(py_str_repr(&current));
        }
    }
    if chunks.len() == 1 {
        out.push_str(&rep);
        return;
    }
    if level == 1 {
        out.push('(');
    }
    for (i, chunk) in chunks.iter().enumerate() {
        if i > 0 {
            out.push('\n');
            out.extend(std::iter::repeat_n(' ', usize::try_from(indent).unwrap_or(0)));
        }
        out.push_str(chunk);
    }
    if level == 1 {
        out.push(')');
    }
}
