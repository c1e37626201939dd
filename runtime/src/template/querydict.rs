//! Django's `QueryDict` (a multi-valued mapping of query parameters) and the
//! `{% querystring %}` tag (Django 5.1+) that edits one and writes it back out.

use super::error::{ErrorKind, Result, TemplateError};
use super::library::{CustomTag, Signature, TagCall, TagKind};
use super::urls::{parse_qsl, quote_plus};
use super::value::{py_str_repr, Object, Value};
use std::sync::Arc;

/// A `QueryDict`: keys in first-insertion order, each with one or more values.
/// `d.key` and `d["key"]` give the last value, as in Django.
#[derive(Debug, Clone, Default)]
pub struct QueryDict {
    lists: Vec<(String, Vec<Value>)>,
}

impl QueryDict {
    /// `QueryDict("a=1&b=2&a=3")`: parsed as Django does (`parse_qsl` with blank
    /// values kept, `+` as space, percent-decoding as UTF-8).
    pub fn parse(query: &str) -> QueryDict {
        let mut d = QueryDict::default();
        for (k, v) in parse_qsl(query) {
            d.append(k, Value::str(v));
        }
        d
    }

    /// From `(key, values)` pairs (`QueryDict.lists()` of the host's object).
    pub fn from_lists(lists: Vec<(String, Vec<Value>)>) -> QueryDict {
        QueryDict { lists }
    }

    /// `appendlist(key, value)`.
    pub fn append(&mut self, key: String, value: Value) {
        match self.lists.iter_mut().find(|(k, _)| *k == key) {
            Some((_, values)) => values.push(value),
            None => self.lists.push((key, vec![value])),
        }
    }

    /// `setlist(key, values)`: replaces the values, keeping the key's position.
    pub fn set_list(&mut self, key: &str, values: Vec<Value>) {
        match self.lists.iter_mut().find(|(k, _)| k == key) {
            Some((_, old)) => *old = values,
            None => self.lists.push((key.to_string(), values)),
        }
    }

    /// `del d[key]` (no error when missing).
    pub fn remove(&mut self, key: &str) {
        self.lists.retain(|(k, _)| k != key);
    }

    /// Whether there are no keys.
    pub fn is_empty(&self) -> bool {
        self.lists.is_empty()
    }

    /// `urlencode()`: `key=value` for every value, `&`-joined, with `quote_plus`.
    pub fn urlencode(&self) -> String {
        let mut parts = Vec::new();
        for (k, values) in &self.lists {
            for v in values {
                parts.push(format!(
                    "{}={}",
                    quote_plus(k, ""),
                    quote_plus(&v.to_py_str(), "")
                ));
            }
        }
        parts.join("&")
    }
}

impl Object for QueryDict {
    fn get_item(&self, key: &str) -> Option<Value> {
        self.lists
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| v.last().cloned())
    }
    fn to_py_str(&self) -> String {
        let items: Vec<String> = self
            .lists
            .iter()
            .map(|(k, v)| {
                let values: Vec<String> = v.iter().map(Value::to_py_repr).collect();
                format!("{}: [{}]", py_str_repr(k), values.join(", "))
            })
            .collect();
        format!("<QueryDict: {{{}}}>", items.join(", "))
    }
    fn truthy(&self) -> bool {
        !self.lists.is_empty()
    }
    fn iterate(&self) -> Option<Vec<Value>> {
        Some(self.lists.iter().map(|(k, _)| Value::str(k.as_str())).collect())
    }
    fn length(&self) -> Option<usize> {
        Some(self.lists.len())
    }
    fn query_lists(&self) -> Option<Vec<(String, Vec<Value>)>> {
        Some(self.lists.clone())
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
}

fn attribute_error(message: String) -> TemplateError {
    TemplateError::new(ErrorKind::Attribute, message)
}

/// `{% querystring [query_dict] key=value … %}`: a copy of `query_dict` (default:
/// `request.GET`) with each `key` set (`None` deletes it; a list sets all its
/// values), written as `?…`; `""` when both the result and the input are empty.
fn querystring(call: &TagCall<'_>) -> Result<Value> {
    let given = call.args.first().cloned().or_else(|| {
        call.kwargs
            .iter()
            .find(|(k, _)| k == "query_dict")
            .map(|(_, v)| v.clone())
    });
    let query = match given {
        Some(v) if !matches!(v, Value::None) => v,
        _ => {
            let request = call
                .request
                .clone()
                .ok_or_else(|| attribute_error("'Context' object has no attribute 'request'".into()))?;
            match &request {
                Value::Object(o) => o.get_attr("GET"),
                other => super::context::lookup_item(other, "GET"),
            }
            .ok_or_else(|| attribute_error("'HttpRequest' object has no attribute 'GET'".into()))?
        }
    };
    let lists = match &query {
        Value::Object(o) => o.query_lists(),
        _ => None,
    };
    let Some(lists) = lists else {
        // Django copies what it is given and writes nothing when neither the copy nor
        // the input has anything: an empty dict (or any false value) with no changes.
        if !query.truthy() && call.kwargs.iter().all(|(k, _)| k == "query_dict") {
            return Ok(Value::str(""));
        }
        return Err(attribute_error(format!(
            "'{}' object has no attribute 'urlencode'",
            match query {
                Value::Dict(_) => "dict",
                Value::List(_) => "list",
                Value::Str(_) | Value::Safe(_) => "str",
                _ => "object",
            }
        )));
    };
    let was_empty = lists.is_empty();
    let mut params = QueryDict::from_lists(lists);
    for (key, value) in &call.kwargs {
        if key == "query_dict" {
            continue;
        }
        match value {
            Value::None => params.remove(key),
            Value::Str(_) | Value::Safe(_) => params.set_list(key, vec![value.clone()]),
            other => match other.iterate() {
                Some(items) => params.set_list(key, items),
                None => params.set_list(key, vec![other.clone()]),
            },
        }
    }
    if params.is_empty() && was_empty {
        return Ok(Value::str(""));
    }
    Ok(Value::str(format!("?{}", params.urlencode())))
}

/// The built-in `querystring` tag, as a `simple_tag(takes_context=True)` with
/// Django's signature `(context, query_dict=None, **kwargs)`.
pub fn querystring_tag() -> CustomTag {
    CustomTag {
        name: "querystring".into(),
        library: None,
        kind: TagKind::Simple,
        signature: Signature {
            params: vec!["query_dict".into()],
            defaults: 1,
            varargs: false,
            varkw: true,
            ..Signature::default()
        },
        takes_context: true,
        func: Arc::new(querystring),
    }
}
