//! The context a template sees: [`ContextSource`] (where top-level names come from),
//! variable lookup on values (Django's `Variable._resolve_lookup`: key, attribute,
//! index, in that order; [`lookup_item`]), and the engine's own objects a template can
//! reach (`forloop`, `{% regroup %}`'s items, dict views, `block` in a block).

use super::dates;
use super::value::{Object, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering as AtomicOrdering};
use std::sync::Arc;

/// Where top-level context names come from.
pub trait ContextSource: Send + Sync {
    /// The value bound to `name`, if any.
    fn get(&self, name: &str) -> Option<Value>;
    /// Django's `context.request`: the `HttpRequest` of a `RequestContext` (its
    /// `GET` attribute feeds `{% querystring %}`); `None` for a plain `Context`.
    fn request(&self) -> Option<Value> {
        None
    }
    /// Django's `context[name] = value` with no scope pushed (`{% firstof … as v %}`,
    /// `{% url … as v %}` outside any block, loop or `{% with %}`): a `Context` built
    /// on a caller's dict writes it there, so the caller sees it after the render. The
    /// engine keeps its own copy for the rest of the render either way. No-op by
    /// default.
    fn set(&self, name: &str, value: &Value) {
        let _ = (name, value);
    }
    /// The whole top-level context as a dict, for `{% debug %}`; `None` when the
    /// source cannot list its names (the default).
    fn snapshot(&self) -> Option<Value> {
        None
    }
    /// `pprint.pformat` of the whole top-level context, for `{% debug %}`, when the
    /// source can write it itself (a Python mapping's objects have a `repr()` the
    /// engine does not know); `None` (the default) pformats [`ContextSource::snapshot`].
    fn debug_repr(&self) -> Option<String> {
        None
    }
    /// The source as `Any`, for a host that recognises its own kind (the Python
    /// binding hands its mapping to Django code); `None` by default.
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        None
    }
}

impl ContextSource for HashMap<String, Value> {
    fn get(&self, name: &str) -> Option<Value> {
        HashMap::get(self, name).cloned()
    }
}

impl ContextSource for Vec<(String, Value)> {
    fn get(&self, name: &str) -> Option<Value> {
        self.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }
}

impl ContextSource for Value {
    fn get(&self, name: &str) -> Option<Value> {
        lookup_item(self, name)
    }
    fn snapshot(&self) -> Option<Value> {
        Some(self.clone())
    }
}

pub(crate) struct Empty;

impl ContextSource for Empty {
    fn get(&self, _: &str) -> Option<Value> {
        None
    }
}

/// `dict.items()` / `.keys()` / `.values()`: iterable, printed as Python prints views.
#[derive(Debug)]
pub(crate) struct DictView {
    pub(crate) kind: &'static str,
    pub(crate) items: Vec<Value>,
}

impl Object for DictView {
    fn to_py_str(&self) -> String {
        format!("{}({})", self.kind, Value::list(self.items.clone()).to_py_repr())
    }
    fn truthy(&self) -> bool {
        !self.items.is_empty()
    }
    fn iterate(&self) -> Option<Vec<Value>> {
        Some(self.items.clone())
    }
    fn length(&self) -> Option<usize> {
        Some(self.items.len())
    }
    fn get_index(&self, _: i64) -> Option<Value> {
        None
    }
    fn plain(&self) -> Option<Value> {
        Some(Value::list(self.items.clone()))
    }
}

/// The `forloop` variable: Django's loop dict, with counters derived from the index.
#[derive(Debug)]
pub(crate) struct ForLoop {
    pub(crate) parentloop: Value,
    pub(crate) index: AtomicI64,
    pub(crate) length: i64,
}

impl ForLoop {
    fn entries(&self) -> Vec<(&'static str, Value)> {
        [
            "parentloop",
            "counter0",
            "counter",
            "revcounter",
            "revcounter0",
            "first",
            "last",
        ]
        .into_iter()
        .filter_map(|k| self.get_item(k).map(|v| (k, v)))
        .collect()
    }
}

impl Object for ForLoop {
    fn get_item(&self, key: &str) -> Option<Value> {
        let i = self.index.load(AtomicOrdering::Relaxed);
        let n = self.length;
        Some(match key {
            "parentloop" => self.parentloop.clone(),
            "counter0" => Value::Int(i),
            "counter" => Value::Int(i + 1),
            "revcounter" => Value::Int(n - i),
            "revcounter0" => Value::Int(n - i - 1),
            "first" => Value::Bool(i == 0),
            "last" => Value::Bool(i == n - 1),
            _ => return None,
        })
    }
    fn get_attr(&self, name: &str) -> Option<Value> {
        // dict methods Django would call on the loop dict.
        match name {
            "items" | "keys" | "values" => lookup_item(&Value::dict(self.entries()), name),
            _ => None,
        }
    }
    fn to_py_str(&self) -> String {
        Value::dict(self.entries()).to_py_str()
    }
    fn plain(&self) -> Option<Value> {
        Some(Value::dict(self.entries()))
    }
    fn iterate(&self) -> Option<Vec<Value>> {
        Some(self.entries().into_iter().map(|(k, _)| Value::str(k)).collect())
    }
    fn length(&self) -> Option<usize> {
        Some(7)
    }
}

/// `{% regroup %}`'s items: Python's `GroupedResult(grouper, list)` namedtuple.
#[derive(Debug)]
pub(crate) struct GroupedResult {
    pub(crate) grouper: Value,
    pub(crate) list: Value,
}

impl Object for GroupedResult {
    fn get_attr(&self, name: &str) -> Option<Value> {
        match name {
            "grouper" => Some(self.grouper.clone()),
            "list" => Some(self.list.clone()),
            _ => None,
        }
    }
    fn get_index(&self, index: i64) -> Option<Value> {
        match index {
            0 | -2 => Some(self.grouper.clone()),
            1 | -1 => Some(self.list.clone()),
            _ => None,
        }
    }
    fn to_py_str(&self) -> String {
        format!(
            "GroupedResult(grouper={}, list={})",
            self.grouper.to_py_repr(),
            self.list.to_py_repr()
        )
    }
    fn iterate(&self) -> Option<Vec<Value>> {
        Some(vec![self.grouper.clone(), self.list.clone()])
    }
    fn plain(&self) -> Option<Value> {
        Some(Value::Tuple(Arc::new(vec![
            self.grouper.clone(),
            self.list.clone(),
        ])))
    }
    fn length(&self) -> Option<usize> {
        Some(2)
    }
}

/// The `block` variable inside `{% block %}`: knows its name for `{{ block.super }}`.
#[derive(Debug)]
pub(crate) struct BlockRef {
    pub(crate) name: Arc<str>,
}

impl Object for BlockRef {
    fn to_py_str(&self) -> String {
        format!("<Block Node: {}>", self.name)
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
}

/// `d[key]` for a string key of a dict value (the first lookup step on a dict).
pub(crate) fn dict_get<'v>(items: &'v [(Value, Value)], key: &str) -> Option<&'v Value> {
    items
        .iter()
        .find(|(k, _)| k.as_str() == Some(key))
        .map(|(_, v)| v)
}

/// One lookup step as Django's `Variable._resolve_lookup` does it: dict key, then
/// attribute (Python methods of `dict`/`str` that need no argument are called), then
/// list index. `None` when all three fail.
pub fn lookup_item(cur: &Value, bit: &str) -> Option<Value> {
    let index = || bit.parse::<i64>().ok();
    match cur {
        Value::Dict(items) => {
            if let Some(v) = dict_get(items, bit) {
                return Some(v.clone());
            }
            let view = |kind: &'static str, items: Vec<Value>| {
                Some(Value::Object(Arc::new(DictView { kind, items })))
            };
            match bit {
                "items" => {
                    return view(
                        "dict_items",
                        items
                            .iter()
                            .map(|(k, v)| Value::Tuple(Arc::new(vec![k.clone(), v.clone()])))
                            .collect(),
                    )
                }
                "keys" => return view("dict_keys", items.iter().map(|(k, _)| k.clone()).collect()),
                "values" => return view("dict_values", items.iter().map(|(_, v)| v.clone()).collect()),
                _ => {}
            }
            let i = index()?;
            items
                .iter()
                .find(|(k, _)| matches!(k, Value::Int(n) if *n == i))
                .map(|(_, v)| v.clone())
        }
        Value::List(items) | Value::Tuple(items) => {
            let i = index()?;
            let idx = if i < 0 { items.len() as i64 + i } else { i };
            usize::try_from(idx).ok().and_then(|k| items.get(k).cloned())
        }
        Value::Str(s) | Value::Safe(s) => {
            let method = match bit {
                "upper" => Some(s.to_uppercase()),
                "lower" => Some(s.to_lowercase()),
                "strip" => Some(s.trim().to_string()),
                "lstrip" => Some(s.trim_start().to_string()),
                "rstrip" => Some(s.trim_end().to_string()),
                _ => None,
            };
            if let Some(m) = method {
                return Some(Value::str(m));
            }
            let i = index()?;
            let chars: Vec<char> = s.chars().collect();
            let idx = if i < 0 { chars.len() as i64 + i } else { i };
            usize::try_from(idx)
                .ok()
                .and_then(|k| chars.get(k))
                .map(|c| Value::str(c.to_string()))
        }
        Value::Bool(_) | Value::Int(_) => match bit {
            "real" | "numerator" => cur.as_i64().map(Value::Int),
            "imag" => Some(Value::Int(0)),
            "denominator" => Some(Value::Int(1)),
            _ => None,
        },
        Value::Float(f) => match bit {
            "real" => Some(Value::Float(*f)),
            "imag" => Some(Value::Float(0.0)),
            _ => None,
        },
        Value::Date(d) => date_attr(d, bit),
        Value::DateTime(dt) => match bit {
            "date" => Some(Value::Date(dt.date)),
            "time" => Some(Value::Time(dt.time)),
            other => date_attr(&dt.date, other).or_else(|| time_attr(&dt.time, other)),
        },
        Value::Time(t) => time_attr(t, bit),
        Value::Object(o) => o
            .get_item(bit)
            .or_else(|| o.get_attr(bit))
            .or_else(|| index().and_then(|i| o.get_index(i))),
        _ => None,
    }
}

fn date_attr(d: &dates::Date, bit: &str) -> Option<Value> {
    Some(Value::Int(i64::from(match bit {
        "year" => return Some(Value::Int(i64::from(d.year))),
        "month" => d.month,
        "day" => d.day,
        _ => return None,
    })))
}

fn time_attr(t: &dates::Time, bit: &str) -> Option<Value> {
    Some(Value::Int(i64::from(match bit {
        "hour" => t.hour,
        "minute" => t.minute,
        "second" => t.second,
        "microsecond" => t.microsecond,
        _ => return None,
    })))
}
