//! The renderer: walks a compiled template's node tree once, writing the output.
//!
//! The context is a stack of small frames over a [`ContextSource`], which is asked for
//! a top-level name only when the template uses it (the Python binding answers from
//! live Python objects, nothing is converted ahead of time). This module holds the
//! render loop, variable resolution (`FilterExpression.resolve`,
//! `render_value_in_context`), `{% if %}` evaluation and the entry points on
//! [`Engine`]; each tag's rendering is grouped as Django groups its node classes:
//! `defaulttags`, `loader_tags` (inheritance with `{{ block.super }}`, `include` with
//! `with`/`only`), `i18n`, `static_tags` and `library_tags` (a project's tags).
//!
//! Semantics follow Django 5.2: variable lookup order (key, attribute, index),
//! `string_if_invalid`, localised numbers and autoescape, and the per-template state
//! of `cycle` and `ifchanged`.

mod cache;
mod defaulttags;
mod i18n;
mod library_tags;
mod loader_tags;
mod static_tags;
mod tz;

use super::context::{dict_get, lookup_item, BlockRef, ContextSource, Empty, ForLoop, GroupedResult};
use super::engine::{language_info, Engine, Template};
use super::error::{ErrorKind, Result, TemplateError};
use super::expr::{FilterCall, FilterExpr, Operand};
use super::host::{locale_of, Locale, NumberFormat};
use super::library::{FilterEnv, HostContext, TagCall, TagKind};
use super::nodes::{self, BinOp, BlockNode, Cond, CycleNode, IfChangedNode, Node, TranslateNode, UrlNode};
use super::parser;
use super::stack::{STACK_RED_ZONE, STACK_SEGMENT};
use crate::span::Span;
use crate::template::dates::{self, Temporal};
use crate::template::html::conditional_escape;
use crate::template::numbers::{group, number_plain};
use crate::template::value::{float_repr, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering as AtomicOrdering};
use std::sync::Arc;

/// Resolved positional and keyword arguments of a call.
type CallArgs = (Vec<Value>, Vec<(String, Value)>);

#[derive(Clone)]
struct BlockEntry {
    template: Arc<Template>,
    node: Arc<BlockNode>,
}

/// Django's `RenderContext` frame: state local to one template render.
#[derive(Default)]
struct RenderState {
    cycles: HashMap<usize, usize>,
    ifchanged: HashMap<usize, Compare>,
    blocks: Option<HashMap<Arc<str>, Vec<BlockEntry>>>,
}

#[derive(Clone, PartialEq)]
enum Compare {
    Values(Vec<String>),
    Output(String),
}

struct LoopState {
    ifchanged: HashMap<usize, Compare>,
}

struct Renderer<'e> {
    engine: &'e Engine,
    root: &'e dyn ContextSource,
    frames: Vec<Vec<(Arc<str>, Value)>>,
    /// `frames[0]` holds the bindings made outside any pushed scope (the top of
    /// Django's context stack, the dict its `Context` wraps), not a tag's own scope.
    top_frame: bool,
    autoescape: bool,
    states: Vec<RenderState>,
    loops: Vec<LoopState>,
    depth: usize,
    /// `{% language %}` overrides, innermost last.
    languages: Vec<String>,
    /// Where the output goes while it is produced ([`Engine::render_streaming`]).
    sink: Option<&'e mut (dyn StreamSink + 'e)>,
    /// The top-level output buffer: only its content is streamed (nested renders,
    /// such as `{% filter %}` bodies, are not output yet). Compared, never read.
    top: *const String,
    /// Stream once the output reaches this length.
    next_flush: usize,
    /// The active locale, asked of the host when a number or a date is first
    /// formatted.
    locale: std::cell::OnceCell<Locale>,
    /// `USE_THOUSAND_SEPARATOR`, asked when an integer is first rendered.
    thousand: std::cell::OnceCell<bool>,
    /// `{% localtime on|off %}` around what renders (Django's `context.use_tz`);
    /// `None`: `settings.USE_TZ` decides.
    use_tz: Option<bool>,
    /// `{% localize on|off %}` around what renders (Django's `context.use_l10n`);
    /// `None` localizes, as `on` does.
    use_l10n: Option<bool>,
    /// Templates given as objects (`{% extends tpl %}`, `{% include tpl %}`, an
    /// inclusion tag's template), compiled once per render by their name and source
    /// (Django keeps them in its `render_context`).
    objects: HashMap<(Option<String>, String), Arc<Template>>,
}

/// How many new bytes of output make [`Engine::render_streaming`] call its sink.
pub const STREAM_CHUNK: usize = 4096;

/// Receives a render's output while it is produced ([`Engine::render_streaming`]).
pub trait StreamSink {
    /// `rendered` is everything output so far; each call extends the previous text.
    fn advance(&mut self, rendered: &str);

    /// A `{% for %}` iteration starts or the last one ended at byte `at` of the output
    /// (marks come in increasing order, each before the [`StreamSink::advance`] that
    /// covers it). The VDOM builder takes the text between two marks as a unit it may
    /// reuse from the previous render (`crate::vdom::build`). Default: ignored.
    fn mark(&mut self, _at: usize) {}

    /// The output length the sink expects (bytes), to size the output buffer; 0 when
    /// unknown (the default).
    fn output_capacity(&self) -> usize {
        0
    }
}

fn render_err(msg: impl Into<String>, span: Span) -> TemplateError {
    TemplateError::new(ErrorKind::Render, msg).at(span)
}

fn is_same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::None, Value::None) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y && (-5..=256).contains(x),
        (Value::Object(x), Value::Object(y)) => Arc::ptr_eq(x, y),
        (Value::List(x), Value::List(y)) | (Value::Tuple(x), Value::Tuple(y)) => Arc::ptr_eq(x, y),
        (Value::Dict(x), Value::Dict(y)) => Arc::ptr_eq(x, y),
        (Value::Str(x), Value::Str(y)) | (Value::Safe(x), Value::Safe(y)) => Arc::ptr_eq(x, y),
        _ => false,
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::None => "NoneType",
        Value::Bool(_) => "bool",
        Value::Int(_) => "int",
        Value::Float(_) => "float",
        Value::Decimal(_) => "decimal.Decimal",
        Value::Str(_) | Value::Safe(_) => "str",
        Value::List(_) => "list",
        Value::Tuple(_) => "tuple",
        Value::Dict(_) => "dict",
        Value::Date(_) => "datetime.date",
        Value::DateTime(_) => "datetime.datetime",
        Value::Time(_) => "datetime.time",
        Value::Object(_) => "object",
    }
}

/// Python's `round(x)` for floats: half to even.
fn round_half_even(x: f64) -> i64 {
    let r = x.round();
    if (x - x.trunc()).abs() == 0.5 {
        let t = x.trunc();
        if (t as i64) % 2 == 0 {
            t as i64
        } else {
            r as i64
        }
    } else {
        r as i64
    }
}

/// Django's `trim_whitespace`: `re.sub(r"\s*\n\s*", " ", s.strip())`.
fn trim_whitespace(s: &str) -> String {
    let s = s.trim();
    let mut out = String::with_capacity(s.len());
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            let start = i;
            let mut j = i;
            while j < chars.len() && chars[j].is_whitespace() {
                j += 1;
            }
            if chars[start..j].contains(&'\n') {
                out.push(' ');
            } else {
                out.extend(&chars[start..j]);
            }
            i = j;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// Django's `strip_spaces_between_tags`: `re.sub(r">\s+<", "><", value)`.
fn strip_spaces_between_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        out.push(chars[i]);
        if chars[i] == '>' {
            let mut j = i + 1;
            while j < chars.len() && chars[j].is_whitespace() {
                j += 1;
            }
            if j > i + 1 && j < chars.len() && chars[j] == '<' {
                i = j;
                continue;
            }
        }
        i += 1;
    }
    out
}

impl Engine {
    /// Render `template` with `context`.
    pub fn render(&self, template: &Arc<Template>, context: &dyn ContextSource) -> Result<String> {
        self.render_inner(template, context, None)
    }

    /// Render `template` with `context`, handing the output to `sink` while it is
    /// produced: [`StreamSink::advance`] gets everything rendered so far each time at
    /// least [`STREAM_CHUNK`] bytes were added (checked after every node, so inside
    /// `{% for %}` loops too). Returns the whole output, as [`Engine::render`] does.
    /// This is how the VDOM is built straight from the render
    /// (`crate::vdom::build::render_document`).
    pub fn render_streaming<'a>(
        &'a self,
        template: &Arc<Template>,
        context: &'a dyn ContextSource,
        sink: &'a mut (dyn StreamSink + 'a),
    ) -> Result<String> {
        self.render_inner(template, context, Some(sink))
    }

    fn render_inner<'a>(
        &'a self,
        template: &Arc<Template>,
        context: &'a dyn ContextSource,
        sink: Option<&'a mut (dyn StreamSink + 'a)>,
    ) -> Result<String> {
        let expected = sink.as_ref().map_or(0, |s| s.output_capacity());
        let mut out = String::with_capacity(expected.max(template.source.len() * 2));
        let mut r = Renderer {
            engine: self,
            root: context,
            frames: Vec::new(),
            top_frame: false,
            autoescape: self.options.autoescape,
            states: vec![RenderState::default()],
            loops: Vec::new(),
            depth: 0,
            languages: Vec::new(),
            next_flush: if sink.is_some() { STREAM_CHUNK } else { usize::MAX },
            sink,
            top: &out as *const String,
            locale: std::cell::OnceCell::new(),
            thousand: std::cell::OnceCell::new(),
            use_tz: None,
            use_l10n: None,
            objects: HashMap::new(),
        };
        r.render_nodes(template, &template.nodes, &mut out)
            .map_err(|e| e.located(template.name.as_deref(), &template.source))?;
        Ok(out)
    }

    /// Compile and render `source` in one go.
    pub fn render_str(&self, source: &str, context: &dyn ContextSource) -> Result<String> {
        let t = self.compile(source, None)?;
        self.render(&t, context)
    }
}

impl<'e> Renderer<'e> {
    fn state(&mut self) -> &mut RenderState {
        let n = self.states.len();
        &mut self.states[n - 1]
    }

    /// `name` as bound by the template (`{% for %}`, `{% with %}`, …), innermost first.
    fn in_frames(&self, name: &str) -> Option<&Value> {
        self.frames
            .iter()
            .rev()
            .find_map(|frame| frame.iter().rev().find(|(k, _)| &**k == name).map(|(_, v)| v))
    }

    fn get(&self, name: &str) -> Option<Value> {
        if let Some(v) = self.in_frames(name) {
            return Some(v.clone());
        }
        if let Some(v) = self.root.get(name) {
            return Some(v);
        }
        // Django's context always has these builtins at the bottom.
        match name {
            "True" => Some(Value::Bool(true)),
            "False" => Some(Value::Bool(false)),
            "None" => Some(Value::None),
            _ => None,
        }
    }

    /// `{{ a.b.c }}` borrowed where that is the whole resolution: `a` bound by the
    /// template (a `{% for %}` or `{% with %}` variable) and every later step a dict
    /// key. The same value [`Self::resolve_operand`] gives, without cloning it;
    /// `None` sends the caller to the general path (root context, attributes,
    /// indexes, methods, missing keys).
    fn lookup_in_frames(&self, parts: &[Arc<str>]) -> Option<&Value> {
        let (first, rest) = parts.split_first()?;
        let mut cur = self.in_frames(first)?;
        for bit in rest {
            let Value::Dict(items) = cur else {
                return None;
            };
            cur = dict_get(items, bit)?;
        }
        Some(cur)
    }

    fn set(&mut self, name: &str, value: Value) {
        if self.frames.is_empty() {
            self.frames.push(Vec::new());
            self.top_frame = true;
        }
        if self.top_frame && self.frames.len() == 1 {
            // Django's `context[name] = value` with nothing pushed: the dict the
            // context wraps gets it (the caller's, for a bare `Context`).
            self.root.set(name, &value);
        }
        let n = self.frames.len();
        let frame = &mut self.frames[n - 1];
        match frame.iter_mut().find(|(k, _)| &**k == name) {
            Some(slot) => slot.1 = value,
            None => frame.push((Arc::from(name), value)),
        }
    }

    /// Django's `Context.set_upward`.
    fn set_upward(&mut self, name: &str, value: Value) {
        for frame in self.frames.iter_mut().rev() {
            if let Some(slot) = frame.iter_mut().find(|(k, _)| &**k == name) {
                slot.1 = value;
                return;
            }
        }
        self.set(name, value);
    }

    /// Resolve an operand; `None` is Django's `VariableDoesNotExist`.
    fn resolve_operand(&mut self, template: &Arc<Template>, op: &Operand) -> Result<Option<Value>> {
        match op {
            Operand::Literal(v) => Ok(Some(v.clone())),
            Operand::Translated(msgid) => {
                let language = self.languages.last().map(String::as_str);
                let text = self
                    .engine
                    .host
                    .as_ref()
                    .and_then(|h| h.translate(msgid, None, language))
                    .unwrap_or_else(|| msgid.to_string());
                Ok(Some(Value::safe(text)))
            }
            Operand::Lookup(parts) => {
                let Some(mut cur) = self.get(&parts[0]) else {
                    return Ok(None);
                };
                for bit in parts.iter().skip(1) {
                    if let Value::Object(o) = &cur {
                        if let Some(block) = o.as_any().and_then(|a| a.downcast_ref::<BlockRef>()) {
                            if &**bit == "super" {
                                let name = block.name.clone();
                                cur = Value::safe(self.block_super(template, &name)?);
                                continue;
                            }
                        }
                    }
                    match lookup_item(&cur, bit) {
                        Some(v) => cur = v,
                        None => return Ok(None),
                    }
                }
                Ok(Some(cur))
            }
        }
    }

    /// Django's `FilterExpression.resolve`.
    fn resolve(
        &mut self,
        template: &Arc<Template>,
        expr: &FilterExpr,
        ignore_failures: bool,
    ) -> Result<Value> {
        let obj = match self.resolve_operand(template, &expr.operand)? {
            Some(v) => v,
            None if ignore_failures => Value::None,
            None => {
                if !self.engine.options.string_if_invalid.is_empty() {
                    return Ok(Value::str(self.invalid_value(&expr.operand.display())));
                }
                Value::str("")
            }
        };
        if expr.filters.is_empty() {
            return Ok(obj);
        }
        self.apply_filters(template, obj, &expr.filters)
    }

    /// Django's `string_if_invalid` for the missing variable `name` (`%s` replaced).
    fn invalid_value(&self, name: &str) -> String {
        self.engine.options.string_if_invalid.replace("%s", name)
    }

    /// `as var`: store a plain string in the context; otherwise write it, escaped when
    /// autoescaping (`url`, `static`).
    fn store_or_write(&mut self, asvar: &Option<Arc<str>>, text: String, out: &mut String) {
        match asvar {
            Some(var) => self.set(var, Value::str(text)),
            None if self.autoescape => crate::template::html::escape_into(&text, out),
            None => out.push_str(&text),
        }
    }

    /// An optional argument (`context "…"`) resolved to its `str()`.
    fn resolve_optional_str(
        &mut self,
        template: &Arc<Template>,
        expr: &Option<FilterExpr>,
    ) -> Result<Option<String>> {
        match expr {
            Some(e) => Ok(Some(self.resolve(template, e, false)?.to_py_str())),
            None => Ok(None),
        }
    }

    /// Resolve the positional and keyword arguments of a call (`url`, custom tags).
    fn resolve_call_args(
        &mut self,
        template: &Arc<Template>,
        args: &[FilterExpr],
        kwargs: &[(Arc<str>, FilterExpr)],
    ) -> Result<CallArgs> {
        let mut a = Vec::with_capacity(args.len());
        for e in args {
            a.push(self.resolve(template, e, false)?);
        }
        let mut k = Vec::with_capacity(kwargs.len());
        for (name, e) in kwargs {
            k.push((name.to_string(), self.resolve(template, e, false)?));
        }
        Ok((a, k))
    }

    /// Apply a filter chain to `obj` (Django's loop in `FilterExpression.resolve`).
    fn apply_filters(
        &mut self,
        template: &Arc<Template>,
        mut obj: Value,
        filters: &[super::expr::FilterCall],
    ) -> Result<Value> {
        for f in filters {
            let arg = match &f.arg {
                None => None,
                Some(op) => match self.resolve_operand(template, op)? {
                    Some(v) => Some(v),
                    None => {
                        return Err(render_err(
                            format!("Failed lookup for key [{}]", op.display()),
                            f.span,
                        ))
                    }
                },
            };
            let env = FilterEnv {
                autoescape: self.autoescape,
                max_size: self.engine.options.max_generated_size,
                locale: &self.locale,
                host: self.engine.host.as_deref(),
            };
            if f.def.expects_localtime {
                if let Some(local) = self.localtime(&obj) {
                    obj = local;
                }
            }
            let out = (f.def.func)(&obj, arg.as_ref(), &env).map_err(|e| e.at(f.span))?;
            obj = if f.def.is_safe && obj.is_safe() {
                out.mark_safe()
            } else {
                out
            };
        }
        Ok(obj)
    }

    /// Django's `render_value_in_context` (localize, then escape if autoescaping).
    /// Django's `localize` of a number written out in plain notation: the locale's
    /// decimal separator and, with `USE_THOUSAND_SEPARATOR`, its grouping.
    fn localize_number(&self, plain: String) -> String {
        let number = self.number_format();
        if *number == NumberFormat::default() || !plain.bytes().any(|b| b.is_ascii_digit()) {
            return plain;
        }
        match plain.split_once('.') {
            Some((int_part, frac)) => group(int_part, frac, false, number),
            None => group(&plain, "", false, number),
        }
    }

    /// The active locale (the host's, else Django's defaults).
    fn locale(&self) -> &Locale {
        self.locale.get_or_init(|| locale_of(self.engine.host.as_deref()))
    }

    /// The active locale's number format.
    fn number_format(&self) -> &NumberFormat {
        &self.locale().number
    }

    /// Django's `template_localtime(value, context.use_tz)`: `Some` when it is an
    /// aware datetime the host converts to the current time zone.
    fn localtime(&self, v: &Value) -> Option<Value> {
        match v {
            Value::DateTime(dt) if dt.offset.is_some() && !dt.keep_zone && self.use_tz != Some(false) => self
                .engine
                .host
                .as_ref()?
                .localtime(dt, self.use_tz)
                .map(Value::DateTime),
            _ => None,
        }
    }

    /// An integer's decimal digits (`-` first when negative) as Django's `localize`
    /// writes them: grouped with `USE_THOUSAND_SEPARATOR` and a locale that groups.
    fn write_integer(&self, digits: &str, out: &mut String) {
        // `{% localize off %}`: Django's `number_format(use_l10n=False)` never groups.
        if self.use_l10n == Some(false) {
            out.push_str(digits);
            return;
        }
        let thousand = *self.thousand.get_or_init(|| {
            self.engine
                .host
                .as_ref()
                .is_some_and(|h| h.use_thousand_separator())
        });
        match thousand.then(|| self.number_format()) {
            Some(n) if !n.grouping.is_empty() => out.push_str(&group(digits, "", false, n)),
            _ => out.push_str(digits),
        }
    }

    /// `{% localize off %}`: Django's `localize(value, use_l10n=False)` (the settings'
    /// separators and formats, not the locale's) of a number or a date, asked of the
    /// host; `false` (nothing written) for other values or without a host. Out of
    /// [`Renderer::render_value`]'s way: most renders never need it.
    #[cold]
    #[inline(never)]
    fn write_unlocalized(&self, v: &Value, out: &mut String) -> bool {
        if !matches!(
            v,
            Value::Float(_) | Value::Decimal(_) | Value::Date(_) | Value::DateTime(_) | Value::Time(_)
        ) {
            return false;
        }
        let Some(s) = self.engine.host.as_ref().and_then(|h| h.unlocalized(v)) else {
            return false;
        };
        if self.autoescape {
            crate::template::html::escape_into(&s, out);
        } else {
            out.push_str(&s);
        }
        true
    }

    fn render_value(&self, v: &Value, out: &mut String) {
        // `template_localtime`: an aware datetime is shown in the current time zone.
        let local;
        let v = match self.localtime(v) {
            Some(converted) => {
                local = converted;
                &local
            }
            None => v,
        };
        if self.use_l10n == Some(false) && self.write_unlocalized(v, out) {
            return;
        }
        let text = match v {
            Value::Float(f) => {
                let r = float_repr(*f);
                let plain = if r.contains('e') {
                    number_plain(&r).unwrap_or(r)
                } else {
                    r
                };
                self.localize_number(plain)
            }
            Value::Decimal(d) => self.localize_number(number_plain(d).unwrap_or_else(|| d.to_string())),
            // `localize()`: dates in the locale's DATE_FORMAT / DATETIME_FORMAT / TIME_FORMAT.
            Value::Date(_) | Value::DateTime(_) | Value::Time(_) => {
                let (t, name, time_only) = match v {
                    Value::Date(d) => (Temporal::Date(*d), "DATE_FORMAT", false),
                    Value::DateTime(d) => (Temporal::DateTime(*d), "DATETIME_FORMAT", false),
                    Value::Time(t) => (Temporal::Time(*t), "TIME_FORMAT", true),
                    _ => return,
                };
                let localized = match &self.engine.host {
                    Some(h) if self.locale().dates_by_host => {
                        h.format_date(v, name, time_only).and_then(|r| r.ok())
                    }
                    _ => None,
                };
                let s = match localized {
                    Some(s) => s,
                    None => dates::format(t, dates::named_format(name), time_only).unwrap_or_default(),
                };
                if self.autoescape {
                    out.push_str(&crate::template::html::escape(&s));
                } else {
                    out.push_str(&s);
                }
                return;
            }
            // Strings and integers go straight into the output, without a temporary.
            Value::Str(s) => {
                if self.autoescape {
                    crate::template::html::escape_into(s, out);
                } else {
                    out.push_str(s);
                }
                return;
            }
            Value::Safe(s) => {
                out.push_str(s);
                return;
            }
            Value::Int(i) => {
                self.write_integer(itoa::Buffer::new().format(*i), out);
                return;
            }
            other => {
                // A Python int past 64 bits is still an int to `localize`.
                let digits = match other {
                    Value::Object(o) => o.int_digits(),
                    _ => None,
                };
                if let Some(digits) = digits {
                    self.write_integer(&digits, out);
                    return;
                }
                if self.autoescape {
                    out.push_str(&conditional_escape(other));
                } else {
                    out.push_str(&other.to_py_str());
                }
                return;
            }
        };
        out.push_str(&text);
    }

    fn eval(&mut self, template: &Arc<Template>, cond: &Cond) -> Result<Value> {
        Ok(match cond {
            Cond::Operand(e) => self.resolve(template, e, true)?,
            Cond::Not(c) => Value::Bool(!self.eval_truthy(template, c)?),
            Cond::Binary(op, a, b) => {
                // Django's infix operators turn any exception into False.
                let result: Result<Value> = (|| {
                    Ok(match op {
                        BinOp::Or => {
                            let x = self.eval(template, a)?;
                            if x.truthy() {
                                x
                            } else {
                                self.eval(template, b)?
                            }
                        }
                        BinOp::And => {
                            let x = self.eval(template, a)?;
                            if !x.truthy() {
                                x
                            } else {
                                self.eval(template, b)?
                            }
                        }
                        _ => {
                            let x = self.eval(template, a)?;
                            let y = self.eval(template, b)?;
                            Value::Bool(match op {
                                BinOp::In => y.py_contains(&x).unwrap_or(false),
                                BinOp::NotIn => y.py_contains(&x).map(|c| !c).unwrap_or(false),
                                BinOp::Is => is_same(&x, &y),
                                BinOp::IsNot => !is_same(&x, &y),
                                BinOp::Eq => x.py_eq(&y),
                                BinOp::Ne => !x.py_eq(&y),
                                BinOp::Gt => x.py_cmp(&y).is_some_and(|o| o.is_gt()),
                                BinOp::Ge => x.py_cmp(&y).is_some_and(|o| o.is_ge()),
                                BinOp::Lt => x.py_cmp(&y).is_some_and(|o| o.is_lt()),
                                BinOp::Le => x.py_cmp(&y).is_some_and(|o| o.is_le()),
                                BinOp::Or | BinOp::And => false,
                            })
                        }
                    })
                })();
                result.unwrap_or(Value::Bool(false))
            }
        })
    }

    fn eval_truthy(&mut self, template: &Arc<Template>, cond: &Cond) -> Result<bool> {
        Ok(self.eval(template, cond).map(|v| v.truthy()).unwrap_or(false))
    }

    fn render_nodes(&mut self, template: &Arc<Template>, nodes: &[Node], out: &mut String) -> Result<()> {
        // A template that extends another renders only through its parent.
        if let Some(Node::Extends(parent, span)) = nodes.iter().find(|n| !matches!(n, Node::Text(_))) {
            return stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, || {
                self.render_extends(template, nodes, parent, *span, out)
            });
        }
        self.render_body(template, nodes, out)
    }

    fn render_body(&mut self, template: &Arc<Template>, nodes: &[Node], out: &mut String) -> Result<()> {
        // Nested tags, includes and parents recurse through here: grow the stack on
        // demand so no nesting depth can overflow it (debug frames are large).
        stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, || {
            for node in nodes {
                self.render_node(template, node, out)?;
                if out.len() >= self.next_flush && std::ptr::eq(out, self.top) {
                    if let Some(sink) = self.sink.as_deref_mut() {
                        sink.advance(out);
                    }
                    self.next_flush = out.len() + STREAM_CHUNK;
                }
            }
            Ok(())
        })
    }

    /// Tell the sink that a loop iteration starts or ends here (top-level output only).
    fn mark(&mut self, out: &String) {
        if std::ptr::eq(out, self.top) {
            if let Some(sink) = self.sink.as_deref_mut() {
                sink.mark(out.len());
            }
        }
    }

    fn render_to_string(&mut self, template: &Arc<Template>, nodes: &[Node]) -> Result<String> {
        let mut s = String::new();
        self.render_body(template, nodes, &mut s)?;
        Ok(s)
    }

    fn render_node(&mut self, template: &Arc<Template>, node: &Node, out: &mut String) -> Result<()> {
        match node {
            Node::Text(span) => out.push_str(span.slice(&template.source)),
            Node::Var(expr) => {
                if let (Operand::Lookup(parts), true) = (&expr.operand, expr.filters.is_empty()) {
                    if let Some(v) = self.lookup_in_frames(parts) {
                        self.render_value(v, out);
                        return Ok(());
                    }
                }
                let v = self.resolve(template, expr, false)?;
                self.render_value(&v, out);
            }
            Node::If(branches, _) => self.render_if(template, branches, out)?,
            Node::For(f) => self.render_for(template, f, out)?,
            Node::With(bindings, body, _) => self.render_with(template, bindings, body, out)?,
            Node::Autoescape(on, body, _) => self.render_autoescape(template, on, body, out)?,
            Node::Spaceless(body, _) => self.render_spaceless(template, body, out)?,
            Node::Verbatim(span) => out.push_str(span.slice(&template.source)),
            Node::CommentBlock(_) | Node::Load(_) => {}
            Node::Cycle(c) => self.render_cycle(template, c, out)?,
            Node::ResetCycle(id, _) => self.render_reset_cycle(id)?,
            Node::Firstof(values, asvar, _) => self.render_firstof(template, values, asvar, out)?,
            Node::TemplateTag(text, _) => out.push_str(text),
            Node::WidthRatio(exprs, asvar, span) => {
                self.render_width_ratio(template, exprs, asvar, span, out)?
            }
            Node::Filter(filters, body, _) => self.render_filter(template, filters, body, out)?,
            Node::IfChanged(n) => self.render_if_changed(template, n, out)?,
            Node::Regroup(exprs, var, _) => self.render_regroup(template, exprs, var)?,
            Node::Lorem(count, method, common, span) => {
                self.render_lorem(template, count, method, common, span, out)?
            }
            Node::Now(format, asvar, _) => self.render_now(format, asvar, out)?,
            Node::Url(u) => self.render_url(template, u, out)?,
            Node::Static(path, asvar, span) => self.render_static(template, path, asvar, span, out)?,
            Node::Translate(t) => self.render_translate(template, t, out)?,
            Node::BlockTranslate(b) => self.render_blocktranslate(template, b, out)?,
            Node::Prefix(is_static, var, _) => self.render_prefix(is_static, var, out)?,
            Node::CurrentLanguageBidi(var, _) => self.render_current_language_bidi(var)?,
            Node::AvailableLanguages(var, _) => self.render_available_languages(var)?,
            Node::LanguageInfo(code, var, list, span) => {
                self.render_language_info(template, code, var, list, span)?
            }
            Node::CurrentLanguage(var, _) => self.render_current_language(var)?,
            Node::Language(code, body, _) => self.render_language(template, code, body, out)?,
            Node::Cache(c) => self.render_cache(template, c, out)?,
            // Django's `LocalTimeNode` and `LocalizeNode`: a switch of the context.
            Node::LocalTime(on, body, _) => {
                self.render_switched(template, |r| &mut r.use_tz, *on, body, out)?
            }
            Node::TimeZone(tz, body, span) => self.render_timezone(template, tz, body, *span, out)?,
            Node::CurrentTimeZone(var, _) => self.render_current_timezone(var),
            Node::Localize(on, body, _) => {
                self.render_switched(template, |r| &mut r.use_l10n, *on, body, out)?
            }
            Node::Custom(c) => self.render_custom(template, c, out)?,
            Node::Host(node, span) => self.render_host(template, &**node, *span, out)?,
            Node::PartialDef(_, inline, body, _) => self.render_partial_def(template, inline, body, out)?,
            Node::Partial(name, span) => self.render_partial(template, name, span, out)?,
            Node::Block(b) => self.render_block(template, b, out)?,
            Node::Extends(..) => {}
            Node::Include(inc) => self.render_include(template, inc, out)?,
            Node::Debug(_) => self.render_debug(out),
            Node::CsrfToken(_) => self.render_csrf_token(out)?,
            Node::Unknown(name, span) => {
                return Err(render_err(
                    format!("Cannot render the invalid tag '{name}'"),
                    *span,
                ));
            }
        }
        Ok(())
    }

    /// The body rendered with one of the context's switches (`use_tz` for
    /// `{% localtime %}`, `use_l10n` for `{% localize %}`) set to `on`, and that switch
    /// as it was after, whether the body rendered or failed.
    fn render_switched(
        &mut self,
        template: &Arc<Template>,
        switch: fn(&mut Self) -> &mut Option<bool>,
        on: bool,
        body: &[Node],
        out: &mut String,
    ) -> Result<()> {
        let outer = switch(self).replace(on);
        let r = self.render_body(template, body, out);
        *switch(self) = outer;
        r
    }

    /// Render another template (`include`, an inclusion tag) with its own render
    /// state (`cycle`, blocks), `frame` pushed on the context; `isolated`: nothing else
    /// of the current context is visible (`only`, inclusion tags).
    fn render_other(
        &mut self,
        included: &Arc<Template>,
        frame: Vec<(Arc<str>, Value)>,
        isolated: bool,
        out: &mut String,
    ) -> Result<()> {
        let saved_frames = if isolated {
            Some((
                std::mem::take(&mut self.frames),
                std::mem::replace(&mut self.top_frame, false),
            ))
        } else {
            None
        };
        let saved_root = self.root;
        if isolated {
            self.root = &Empty;
        }
        self.frames.push(frame);
        self.states.push(RenderState::default());
        self.depth += 1;
        let r = self
            .render_nodes(included, &included.nodes, out)
            .map_err(|e| e.located(included.name.as_deref(), &included.source));
        self.depth -= 1;
        self.states.pop();
        self.frames.pop();
        if let Some((frames, top_frame)) = saved_frames {
            self.frames = frames;
            self.top_frame = top_frame;
        }
        self.root = saved_root;
        r
    }
}
