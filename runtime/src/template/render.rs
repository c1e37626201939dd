//! The renderer and the engine.
//!
//! [`Engine`] owns the loaders, the filter registry, the engine options
//! (`string_if_invalid`, `autoescape`) and a cache of compiled [`Template`]s. Rendering
//! walks the node tree once; the context is a stack of small frames over a
//! [`ContextSource`], which is asked for a top-level name only when the template uses
//! it (the Python binding answers from live Python objects, nothing is converted
//! ahead of time).
//!
//! Semantics follow Django 5.2: variable lookup order (key, attribute, index),
//! `string_if_invalid`, `render_value_in_context` (localised numbers, autoescape),
//! block inheritance with `{{ block.super }}`, `include` with `with`/`only`, and the
//! per-template state of `cycle` and `ifchanged`.

use super::dates::{self, Temporal};
use super::error::{ErrorKind, Result, TemplateError};
use super::expr::{FilterExpr, Operand};
use super::filters::number_plain;
use super::html::conditional_escape;
use super::library::{Arg, FilterDef, FilterEnv, HostContext, Registry, TagCall, TagKind};
use super::nodes::{self, BinOp, BlockNode, Cond, Node};
use super::parser::{self, ParseOptions};
use super::value::{float_repr, Object, Value};
use crate::span::Span;
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering as AtomicOrdering};
use std::sync::{Arc, Mutex};

/// Where top-level context names come from.
pub trait ContextSource: Send + Sync {
    /// The value bound to `name`, if any.
    fn get(&self, name: &str) -> Option<Value>;
    /// Django's `context.request`: the `HttpRequest` of a `RequestContext` (its
    /// `GET` attribute feeds `{% querystring %}`); `None` for a plain `Context`.
    fn request(&self) -> Option<Value> {
        None
    }
    /// The whole top-level context as a dict, for `{% debug %}`; `None` when the
    /// source cannot list its names (the default).
    fn snapshot(&self) -> Option<Value> {
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

struct Empty;
impl ContextSource for Empty {
    fn get(&self, _: &str) -> Option<Value> {
        None
    }
}

/// What the renderer asks of the host application (Django, through the Python
/// binding) for tags that need the project: URL reversing, static file URLs.
pub trait Host: Send + Sync {
    /// Django's `reverse(name, args=args, kwargs=kwargs)`; `Err(message)` is
    /// `NoReverseMatch`.
    fn reverse(
        &self,
        name: &str,
        args: &[Value],
        kwargs: &[(String, Value)],
    ) -> std::result::Result<String, String>;
    /// `static(path)`: the URL of a static file.
    fn static_url(&self, path: &str) -> String;
    /// `settings.STATIC_URL` (IRI-quoted), for `{% get_static_prefix %}`; by default
    /// `static_url("")`.
    fn static_prefix(&self) -> String {
        self.static_url("")
    }
    /// `settings.MEDIA_URL` (IRI-quoted), for `{% get_media_prefix %}`; by default `""`.
    fn media_prefix(&self) -> String {
        String::new()
    }
    /// `gettext` / `pgettext` in `language` (`None`: the active language); `None` when
    /// there is no translation (the message is used as it is).
    fn translate(&self, message: &str, context: Option<&str>, language: Option<&str>) -> Option<String> {
        let _ = (message, context, language);
        None
    }
    /// `ngettext` / `npgettext`; `None` when there is no translation (English plural
    /// rule: singular for 1).
    fn translate_plural(
        &self,
        singular: &str,
        plural: &str,
        count: &Value,
        context: Option<&str>,
        language: Option<&str>,
    ) -> Option<String> {
        let _ = (singular, plural, count, context, language);
        None
    }
    /// Render a component tag (`{% live_component %}`, `{% component %}`, see
    /// [`super::components`]): `component` is the tag's first argument (a dotted path),
    /// `props` its keyword arguments in template order. `Ok` is HTML, inserted as it is;
    /// `Err(message)` fails the render. By default there are no components.
    fn component(
        &self,
        kind: super::components::ComponentKind,
        component: &Value,
        props: &[(String, Value)],
    ) -> std::result::Result<String, String> {
        let _ = (component, props);
        Err(format!("'{}' needs djust's Django template backend", kind.tag()))
    }
    /// The active language code (Django's `get_language()`).
    fn language(&self) -> String {
        "en-us".into()
    }
    /// `settings.LANGUAGES` with the names translated (`gettext`), for
    /// `{% get_available_languages %}`. The default is an empty list.
    fn available_languages(&self) -> Vec<(String, String)> {
        Vec::new()
    }
    /// Django's `translation.get_language_info(code)`: a dict with `bidi`, `code`,
    /// `name`, `name_local` and `name_translated`; `Err` is the `KeyError` message
    /// for an unknown code.
    fn language_info(&self, code: &str) -> std::result::Result<Value, String> {
        Err(format!("Unknown language code {code}."))
    }
    /// Django's `translation.get_language_bidi()` for `language` (the active one):
    /// whether its base language is in `settings.LANGUAGES_BIDI` (by default
    /// Hebrew, Arabic, Central Kurdish, Persian, Uyghur and Urdu).
    fn language_bidi(&self, language: &str) -> bool {
        let base = language.split('-').next().unwrap_or("");
        matches!(base, "he" | "ar" | "ckb" | "fa" | "ug" | "ur")
    }
    /// `settings.DEBUG`: whether `{% debug %}` prints anything.
    fn debug(&self) -> bool {
        false
    }
    /// What `{% debug %}` prints after the context: `pformat(sys.modules)` in Django.
    fn debug_modules(&self) -> String {
        String::new()
    }
}

/// Where templates come from.
#[derive(Debug, Clone)]
pub enum Loader {
    /// In-memory templates by name (Django's `locmem.Loader`).
    Memory(HashMap<String, String>),
    /// Directories searched in order (Django's `filesystem.Loader`).
    Directories(Vec<PathBuf>),
    /// A loader the host runs (a project's own Django loader class).
    Host(Arc<dyn HostLoader>),
}

/// A template loader the host runs.
pub trait HostLoader: Send + Sync + std::fmt::Debug {
    /// The source of the template `name`: `Ok(None)` when this loader does not have
    /// it (the next loader is asked), `Err` for a failure to report.
    fn load(&self, name: &str) -> Result<Option<String>>;
}

/// A compiled template: parse once, render many times.
#[derive(Debug)]
pub struct Template {
    /// The name it was loaded by, if any.
    pub name: Option<String>,
    /// The source text.
    pub source: Arc<str>,
    /// The node tree.
    pub nodes: Vec<Node>,
    /// `{% partialdef %}` fragments, by name.
    pub partials: Vec<(Arc<str>, Arc<Vec<Node>>)>,
}

/// Engine options.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// Django's `string_if_invalid` (a `%s` in it is replaced by the variable).
    pub string_if_invalid: String,
    /// Autoescape on by default (Django's `autoescape` option).
    pub autoescape: bool,
    /// Maximum nesting of `include` and `extends` before an error.
    pub max_depth: usize,
    /// The largest value, in characters, that one filter or tag may generate from a
    /// size its input gives (`ljust`/`rjust`/`center` widths, `stringformat` widths
    /// and precisions, `floatformat` places, `{% lorem %}` counts). Over it the render
    /// fails with [`ErrorKind::Limit`](super::ErrorKind::Limit) instead of
    /// allocating. Default [`DEFAULT_MAX_GENERATED_SIZE`].
    pub max_generated_size: usize,
    /// Recompile a cached template whose source changed (a file's modification time,
    /// a host loader's text) when it is next asked for, as Django's cached loader is
    /// reset on autoreload in development. Off by default: a template is read once.
    pub auto_reload: bool,
}

/// The default [`EngineOptions::max_generated_size`]: 16 Mi characters.
pub const DEFAULT_MAX_GENERATED_SIZE: usize = 16 * 1024 * 1024;

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            string_if_invalid: String::new(),
            autoescape: true,
            max_depth: 64,
            max_generated_size: DEFAULT_MAX_GENERATED_SIZE,
            auto_reload: false,
        }
    }
}

/// A compiled template in the engine's cache, with what tells whether it is stale.
struct Cached {
    template: Arc<Template>,
    origin: Origin,
}

/// Where a cached template's source came from, for [`EngineOptions::auto_reload`].
enum Origin {
    /// An in-memory template: never stale.
    Memory,
    /// A file and its modification time when it was read.
    File(PathBuf, Option<std::time::SystemTime>),
    /// A host loader: stale when it now gives another source.
    Host,
}

/// The template engine.
pub struct Engine {
    loaders: Vec<Loader>,
    registry: Registry,
    options: EngineOptions,
    cache: Mutex<HashMap<String, Cached>>,
    host: Option<Arc<dyn Host>>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("loaders", &self.loaders)
            .field("options", &self.options)
            .field("host", &self.host.is_some())
            .finish()
    }
}

impl Engine {
    /// An engine with these loaders and options and the built-in filters.
    pub fn new(loaders: Vec<Loader>, options: EngineOptions) -> Engine {
        Engine {
            loaders,
            registry: super::filters::builtins(),
            options,
            cache: Mutex::new(HashMap::new()),
            host: None,
        }
    }

    /// Connect the host application (URL reversing, static files, translations) and
    /// make the `static` and `i18n` tag libraries loadable.
    pub fn set_host(&mut self, host: Arc<dyn Host>) {
        self.registry.register_library("static");
        for def in i18n_filters(&host) {
            self.registry.register_library_filter("i18n", def);
        }
        self.host = Some(host);
    }

    /// The filter registry (to register custom filters before compiling).
    pub fn registry_mut(&mut self) -> &mut Registry {
        &mut self.registry
    }

    /// The options.
    pub fn options(&self) -> &EngineOptions {
        &self.options
    }

    /// Compile `source` (named `name` for errors and relative paths).
    pub fn compile(&self, source: &str, name: Option<&str>) -> Result<Arc<Template>> {
        let opts = ParseOptions {
            lenient: false,
            name: name.map(str::to_string),
        };
        let parsed = parser::parse(source, &self.registry, &opts)?;
        Ok(Arc::new(Template {
            name: name.map(str::to_string),
            source: Arc::from(source),
            nodes: parsed.nodes,
            partials: parsed.partials,
        }))
    }

    /// Load and compile a template by name (cached). `page.html#row` loads the
    /// `{% partialdef row %}` fragment of `page.html` as a template of its own (Django 6.0).
    pub fn get_template(&self, name: &str) -> Result<Arc<Template>> {
        if let Some((base, partial)) = name.split_once('#') {
            let parent = self.get_template(base)?;
            let body = parent
                .partials
                .iter()
                .find(|(n, _)| &**n == partial)
                .map(|(_, b)| b.clone())
                .ok_or_else(|| TemplateError::new(ErrorKind::NotFound, name.to_string()))?;
            return Ok(Arc::new(Template {
                name: Some(name.to_string()),
                source: parent.source.clone(),
                nodes: body.to_vec(),
                partials: parent.partials.clone(),
            }));
        }
        let cached = self
            .cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(name)
            .map(|c| {
                (
                    c.template.clone(),
                    self.options.auto_reload && self.is_stale(name, c),
                )
            });
        if let Some((t, false)) = cached {
            return Ok(t);
        }
        let (source, origin) = self.load(name)?;
        let t = self.compile(&source, Some(name))?;
        self.cache.lock().unwrap_or_else(|p| p.into_inner()).insert(
            name.to_string(),
            Cached {
                template: t.clone(),
                origin,
            },
        );
        Ok(t)
    }

    /// Whether a cached template's source changed since it was compiled.
    fn is_stale(&self, name: &str, cached: &Cached) -> bool {
        match &cached.origin {
            Origin::Memory => false,
            Origin::File(path, mtime) => std::fs::metadata(path).and_then(|m| m.modified()).ok() != *mtime,
            Origin::Host => self
                .load(name)
                .map_or(true, |(source, _)| *source != *cached.template.source),
        }
    }

    /// The source of the template `name` from the loaders (not the cache): what a
    /// debug page shows around an error. Errors as [`Engine::get_template`]'s.
    pub fn template_source(&self, name: &str) -> Result<String> {
        self.load(name).map(|(source, _)| source)
    }

    fn load(&self, name: &str) -> Result<(String, Origin)> {
        let not_found = || TemplateError::new(ErrorKind::NotFound, name.to_string());
        for loader in &self.loaders {
            match loader {
                Loader::Memory(map) => {
                    if let Some(s) = map.get(name) {
                        return Ok((s.clone(), Origin::Memory));
                    }
                }
                Loader::Host(host) => {
                    if let Some(s) = host.load(name)? {
                        return Ok((s, Origin::Host));
                    }
                }
                Loader::Directories(dirs) => {
                    let rel = Path::new(name);
                    let escapes = rel.is_absolute()
                        || rel.components().any(|c| {
                            matches!(
                                c,
                                Component::ParentDir | Component::Prefix(_) | Component::RootDir
                            )
                        });
                    if escapes {
                        // Django's safe_join refuses it; the loader skips the directory.
                        return Err(TemplateError::new(
                            ErrorKind::SuspiciousName,
                            format!("The template name '{name}' is outside the template directories."),
                        ));
                    }
                    for dir in dirs {
                        let path = dir.join(rel);
                        // The time before the text: a write in between makes it stale.
                        let mtime = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
                        if let Ok(text) = std::fs::read_to_string(&path) {
                            return Ok((text, Origin::File(path, mtime)));
                        }
                    }
                }
            }
        }
        Err(not_found())
    }

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
            autoescape: self.options.autoescape,
            states: vec![RenderState::default()],
            loops: Vec::new(),
            depth: 0,
            languages: Vec::new(),
            next_flush: if sink.is_some() { STREAM_CHUNK } else { usize::MAX },
            sink,
            top: &out as *const String,
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

/// `dict.items()` / `.keys()` / `.values()`: iterable, printed as Python prints views.
#[derive(Debug)]
struct DictView {
    kind: &'static str,
    items: Vec<Value>,
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

/// Resolved positional and keyword arguments of a call.
type CallArgs = (Vec<Value>, Vec<(String, Value)>);

/// Remaining stack below which rendering or parsing continues on a new segment.
/// Run `f`, a step of a recursion over input-shaped data (nested values, tags),
/// on a fresh stack segment when less than [`STACK_RED_ZONE`] is left, so no
/// nesting depth overflows the stack.
pub(crate) fn deep<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, f)
}

pub(crate) const STACK_RED_ZONE: usize = 256 * 1024;
/// Size of each new stack segment.
pub(crate) const STACK_SEGMENT: usize = 4 * 1024 * 1024;

/// The `forloop` variable: Django's loop dict, with counters derived from the index.
#[derive(Debug)]
struct ForLoop {
    parentloop: Value,
    index: AtomicI64,
    length: i64,
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
struct GroupedResult {
    grouper: Value,
    list: Value,
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
struct BlockRef {
    name: Arc<str>,
}

impl Object for BlockRef {
    fn to_py_str(&self) -> String {
        format!("<Block Node: {}>", self.name)
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
}

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

/// `d[key]` for a string key of a dict value (the first lookup step on a dict).
fn dict_get<'v>(items: &'v [(Value, Value)], key: &str) -> Option<&'v Value> {
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

fn render_err(msg: impl Into<String>, span: Span) -> TemplateError {
    TemplateError::new(ErrorKind::Render, msg).at(span)
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

    fn render_blocktranslate(
        &mut self,
        template: &Arc<Template>,
        b: &nodes::BlockTranslateNode,
        out: &mut String,
    ) -> Result<()> {
        let context = self.resolve_optional_str(template, &b.context)?;
        let mut frame = Vec::with_capacity(b.extra.len() + 1);
        for (k, e) in &b.extra {
            frame.push((k.clone(), self.resolve(template, e, false)?));
        }
        self.frames.push(frame);
        let result = (|| -> Result<()> {
            let message = |parts: &[nodes::TransPart], vars: &mut Vec<Arc<str>>| -> String {
                let mut msg = String::new();
                for p in parts {
                    match p {
                        nodes::TransPart::Text(s) => {
                            msg.push_str(&s.slice(&template.source).replace('%', "%%"))
                        }
                        nodes::TransPart::Var(name) => {
                            msg.push_str(&format!("%({name})s"));
                            vars.push(name.clone());
                        }
                    }
                }
                if b.trimmed {
                    msg = trim_whitespace(&msg);
                }
                msg
            };
            let mut vars = Vec::new();
            let singular = message(&b.singular, &mut vars);
            let language = self.languages.last().cloned();
            let host = self.engine.host.clone();
            let result = match &b.count {
                Some((name, expr)) => {
                    let count = self.resolve(template, expr, false)?;
                    if !matches!(
                        count,
                        Value::Int(_) | Value::Float(_) | Value::Decimal(_) | Value::Bool(_)
                    ) {
                        return Err(TemplateError::syntax(
                            format!("'{name}' argument to '{}' tag must be a number.", b.tag),
                            b.span,
                        ));
                    }
                    self.set(name, count.clone());
                    let plural = message(&b.plural, &mut vars);
                    host.as_ref()
                        .and_then(|h| {
                            h.translate_plural(
                                &singular,
                                &plural,
                                &count,
                                context.as_deref(),
                                language.as_deref(),
                            )
                        })
                        .unwrap_or_else(|| {
                            if count.py_eq(&Value::Int(1)) {
                                singular.clone()
                            } else {
                                plural
                            }
                        })
                }
                None => host
                    .as_ref()
                    .and_then(|h| h.translate(&singular, context.as_deref(), language.as_deref()))
                    .unwrap_or_else(|| singular.clone()),
            };
            // `result % data`: each placeholder is the plain name's rendered value.
            let mut text = String::with_capacity(result.len());
            let bytes = result.as_bytes();
            let mut i = 0;
            while i < bytes.len() {
                if bytes[i] == b'%' {
                    if bytes.get(i + 1) == Some(&b'%') {
                        text.push('%');
                        i += 2;
                        continue;
                    }
                    if bytes.get(i + 1) == Some(&b'(') {
                        if let Some(close) = result[i + 2..].find(")s") {
                            let key = &result[i + 2..i + 2 + close];
                            let value = match self.get(key) {
                                Some(v) => v,
                                None => Value::str(self.invalid_value(key)),
                            };
                            self.render_value(&value, &mut text);
                            i += 2 + close + 2;
                            continue;
                        }
                    }
                }
                let c = result[i..].chars().next().unwrap_or(' ');
                text.push(c);
                i += c.len_utf8();
            }
            match &b.asvar {
                Some(var) => {
                    // Set in the frame below the `with` frame, as Django's context.pop()
                    // happens before the assignment.
                    let v = Value::safe(text);
                    let n = self.frames.len();
                    if n >= 2 {
                        let frame = &mut self.frames[n - 2];
                        match frame.iter_mut().find(|(k, _)| k == var) {
                            Some(slot) => slot.1 = v,
                            None => frame.push((var.clone(), v)),
                        }
                    } else {
                        self.frames.insert(0, vec![(var.clone(), v)]);
                    }
                }
                None => out.push_str(&text),
            }
            Ok(())
        })();
        self.frames.pop();
        result
    }

    fn render_custom(
        &mut self,
        template: &Arc<Template>,
        c: &nodes::CustomNode,
        out: &mut String,
    ) -> Result<()> {
        let (args, kwargs) = self.resolve_call_args(template, &c.args, &c.kwargs)?;
        let content = match &c.tag.kind {
            TagKind::Block(_) => Some(Value::safe(self.render_to_string(template, &c.body)?)),
            _ => None,
        };
        let result = {
            let lookup = |name: &str| self.get(name);
            let call = TagCall {
                args,
                kwargs,
                content,
                context: if c.tag.takes_context { Some(&lookup) } else { None },
                scope: c.tag.takes_context.then(|| HostContext {
                    root: self.root,
                    bound: self.frames.iter().flatten().cloned().collect(),
                    autoescape: self.autoescape,
                    template_name: template.name.as_deref(),
                }),
                request: if c.tag.takes_context {
                    self.root.request()
                } else {
                    None
                },
                host: self.engine.host.as_deref(),
                autoescape: self.autoescape,
            };
            (c.tag.func)(&call).map_err(|e| e.at(c.span))?
        };
        match &c.tag.kind {
            TagKind::Inclusion(name) => {
                // Django: the template is rendered with the returned dict as a new
                // context (csrf_token carried over).
                let included = self.engine.get_template(name).map_err(|e| e.at(c.span))?;
                let mut frame: Vec<(Arc<str>, Value)> = match &result {
                    Value::Dict(items) => items
                        .iter()
                        .map(|(k, v)| (Arc::from(k.to_py_str().as_str()), v.clone()))
                        .collect(),
                    _ => Vec::new(),
                };
                if let Some(token) = self.get("csrf_token") {
                    frame.push((Arc::from("csrf_token"), token));
                }
                self.render_other(&included, frame, true, out)?;
            }
            TagKind::Simple | TagKind::Block(_) => match &c.asvar {
                Some(var) => self.set(var, result),
                None => {
                    if self.autoescape {
                        out.push_str(&conditional_escape(&result));
                    } else {
                        out.push_str(&result.to_py_str());
                    }
                }
            },
        }
        Ok(())
    }

    /// A host tag's node, rendered against the context as Django's `Context` would
    /// hold it: the root, then the names the template bound, outermost first. Names
    /// the node sets are bound in the current scope.
    fn render_host(
        &mut self,
        template: &Arc<Template>,
        node: &dyn super::library::HostNode,
        span: Span,
        out: &mut String,
    ) -> Result<()> {
        let bound: Vec<(Arc<str>, Value)> = self.frames.iter().flatten().cloned().collect();
        let rendered = node
            .render(&HostContext {
                root: self.root,
                bound,
                autoescape: self.autoescape,
                template_name: template.name.as_deref(),
            })
            .map_err(|e| e.at(span))?;
        out.push_str(&rendered.output);
        for (name, value) in rendered.writes {
            self.set(&name, value);
        }
        Ok(())
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
            None if self.autoescape => super::html::escape_into(&text, out),
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
            };
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
    fn render_value(&self, v: &Value, out: &mut String) {
        let text = match v {
            Value::Float(f) => {
                let r = float_repr(*f);
                if r.contains('e') {
                    number_plain(&r).unwrap_or(r)
                } else {
                    r
                }
            }
            Value::Decimal(d) => number_plain(d).unwrap_or_else(|| d.to_string()),
            // `localize()`: dates in the locale's DATE_FORMAT / DATETIME_FORMAT / TIME_FORMAT.
            Value::Date(_) | Value::DateTime(_) | Value::Time(_) => {
                let (t, name, time_only) = match v {
                    Value::Date(d) => (Temporal::Date(*d), "DATE_FORMAT", false),
                    Value::DateTime(d) => (Temporal::DateTime(*d), "DATETIME_FORMAT", false),
                    Value::Time(t) => (Temporal::Time(*t), "TIME_FORMAT", true),
                    _ => return,
                };
                let s = dates::format(t, dates::named_format(name), time_only).unwrap_or_default();
                if self.autoescape {
                    out.push_str(&super::html::escape(&s));
                } else {
                    out.push_str(&s);
                }
                return;
            }
            // Strings and integers go straight into the output, without a temporary.
            Value::Str(s) => {
                if self.autoescape {
                    super::html::escape_into(s, out);
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
                out.push_str(itoa::Buffer::new().format(*i));
                return;
            }
            other => {
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
            Node::If(branches, _) => {
                for (cond, body) in branches {
                    let hit = match cond {
                        Some(c) => self.eval_truthy(template, c)?,
                        None => true,
                    };
                    if hit {
                        return self.render_body(template, body, out);
                    }
                }
            }
            Node::For(f) => self.render_for(template, f, out)?,
            Node::With(bindings, body, _) => {
                let mut frame = Vec::with_capacity(bindings.len());
                for (k, e) in bindings {
                    frame.push((k.clone(), self.resolve(template, e, false)?));
                }
                self.frames.push(frame);
                let r = self.render_body(template, body, out);
                self.frames.pop();
                r?;
            }
            Node::Autoescape(on, body, _) => {
                let old = self.autoescape;
                self.autoescape = *on;
                let r = self.render_body(template, body, out);
                self.autoescape = old;
                r?;
            }
            Node::Spaceless(body, _) => {
                let s = self.render_to_string(template, body)?;
                out.push_str(&strip_spaces_between_tags(s.trim()));
            }
            Node::Verbatim(span) => out.push_str(span.slice(&template.source)),
            Node::CommentBlock(_) | Node::Load(_) => {}
            Node::Cycle(c) => {
                let pos = {
                    let state = self.state();
                    let p = state.cycles.entry(c.id).or_insert(0);
                    let cur = *p;
                    *p += 1;
                    cur
                };
                if c.values.is_empty() {
                    return Ok(());
                }
                let value = self.resolve(template, &c.values[pos % c.values.len()], false)?;
                if let Some(name) = &c.name {
                    self.set_upward(name, value.clone());
                }
                if !c.silent {
                    self.render_value(&value, out);
                }
            }
            Node::ResetCycle(id, _) => {
                self.state().cycles.insert(*id, 0);
            }
            Node::Firstof(values, asvar, _) => {
                let mut first = String::new();
                for v in values {
                    let value = self.resolve(template, v, true)?;
                    if value.truthy() {
                        self.render_value(&value, &mut first);
                        break;
                    }
                }
                match asvar {
                    Some(name) => self.set(name, Value::safe(first)),
                    None => out.push_str(&first),
                }
            }
            Node::TemplateTag(text, _) => out.push_str(text),
            Node::WidthRatio(exprs, asvar, span) => {
                let value = self.resolve_operand(template, &exprs[0].operand)?;
                let max = self.resolve_operand(template, &exprs[1].operand)?;
                let (Some(_), Some(_)) = (value, max) else {
                    return Ok(());
                };
                let value = self.resolve(template, &exprs[0], false)?;
                let max = self.resolve(template, &exprs[1], false)?;
                let width = self.resolve(template, &exprs[2], false)?;
                let width = super::filters::py_int_of(&width).ok_or_else(|| {
                    TemplateError::syntax("widthratio final argument must be a number", *span)
                })?;
                let as_float = |v: &Value| -> Option<f64> {
                    match v {
                        Value::Str(s) | Value::Safe(s) => s.trim().parse().ok(),
                        other => other.as_f64(),
                    }
                };
                let result = match (as_float(&value), as_float(&max)) {
                    (Some(_), Some(0.0)) => "0".to_string(),
                    (Some(v), Some(m)) => {
                        let ratio = v / m * width as f64;
                        if ratio.is_finite() {
                            format!("{}", round_half_even(ratio))
                        } else {
                            String::new()
                        }
                    }
                    _ => String::new(),
                };
                match asvar {
                    Some(name) => self.set(name, Value::str(result)),
                    None => out.push_str(&result),
                }
            }
            Node::Filter(filters, body, _) => {
                let content = self.render_to_string(template, body)?;
                let obj = self.apply_filters(template, Value::safe(content), filters)?;
                out.push_str(&obj.to_py_str());
            }
            Node::IfChanged(n) => {
                let mut rendered = None;
                let compare = if n.values.is_empty() {
                    let s = self.render_to_string(template, &n.body)?;
                    rendered = Some(s.clone());
                    Compare::Output(s)
                } else {
                    let mut vals = Vec::new();
                    for v in &n.values {
                        vals.push(self.resolve(template, v, true)?.to_py_repr());
                    }
                    Compare::Values(vals)
                };
                let changed = {
                    let slot = match self.loops.last_mut() {
                        Some(l) => &mut l.ifchanged,
                        None => &mut self
                            .states
                            .last_mut()
                            .map(|s| &mut s.ifchanged)
                            .ok_or_else(|| render_err("no render state", n.span))?,
                    };
                    let changed = slot.get(&n.id) != Some(&compare);
                    if changed {
                        slot.insert(n.id, compare);
                    }
                    changed
                };
                if changed {
                    match rendered {
                        Some(s) => out.push_str(&s),
                        None => self.render_body(template, &n.body, out)?,
                    }
                } else {
                    self.render_body(template, &n.otherwise, out)?;
                }
            }
            Node::Regroup(exprs, var, _) => {
                let (target, expression) = (&exprs.0, &exprs.1);
                let list = self.resolve(template, target, true)?;
                let Some(items) = (match list {
                    Value::None => None,
                    other => other.iterate(),
                }) else {
                    self.set(var, Value::list(Vec::new()));
                    return Ok(());
                };
                let mut groups: Vec<(Value, Vec<Value>)> = Vec::new();
                for item in items {
                    self.set(var, item.clone());
                    let key = self.resolve(template, expression, true)?;
                    match groups.last_mut() {
                        Some((k, members)) if k.py_eq(&key) => members.push(item),
                        _ => groups.push((key, vec![item])),
                    }
                }
                let value = Value::list(
                    groups
                        .into_iter()
                        .map(|(grouper, list)| {
                            Value::Object(Arc::new(GroupedResult {
                                grouper,
                                list: Value::list(list),
                            }))
                        })
                        .collect(),
                );
                self.set(var, value);
            }
            Node::Lorem(count, method, common, span) => {
                let n = self.resolve(template, count, false)?;
                let n = super::filters::py_int_of(&n)
                    .filter(|_| !matches!(n, Value::Float(_)))
                    .unwrap_or(1);
                let text = super::lorem::render(n, *method, *common, self.engine.options.max_generated_size)
                    .map_err(|e| e.at(*span))?;
                out.push_str(&text);
            }
            Node::Now(format, asvar, _) => {
                let now = dates::DateTime::now_utc();
                let fmt = dates::named_format(format);
                let s = dates::format(Temporal::DateTime(now), fmt, false).unwrap_or_default();
                match asvar {
                    Some(name) => self.set(name, Value::str(s)),
                    None => out.push_str(&s),
                }
            }
            Node::Url(u) => {
                let name = self.resolve(template, &u.name, false)?.to_py_str();
                let (args, kwargs) = self.resolve_call_args(template, &u.args, &u.kwargs)?;
                let host = self.engine.host.clone();
                let result = match &host {
                    Some(h) => h.reverse(&name, &args, &kwargs),
                    None => Err(format!(
                        "Reverse for '{name}' not found: no URL resolver is configured."
                    )),
                };
                let url = match (result, &u.asvar) {
                    (Ok(url), _) => url,
                    (Err(_), Some(_)) => String::new(),
                    (Err(message), None) => {
                        return Err(TemplateError::new(ErrorKind::Render, message).at(u.span));
                    }
                };
                self.store_or_write(&u.asvar, url, out);
            }
            Node::Static(path, asvar, span) => {
                let path = self.resolve(template, path, false)?.to_py_str();
                let url = match &self.engine.host {
                    Some(h) => h.static_url(&path),
                    None => {
                        return Err(render_err(
                            "no static files configuration (Engine::set_host)",
                            *span,
                        ))
                    }
                };
                self.store_or_write(asvar, url, out);
            }
            Node::Translate(t) => {
                let value = match self.resolve_operand(template, &t.message.operand)? {
                    Some(v) => v,
                    None => Value::str(self.invalid_value(&t.message.operand.display())),
                };
                let mut obj = if t.noop {
                    value
                } else {
                    // Django doubles `%` in the msgid before looking it up.
                    let msgid = value.to_py_str().replace('%', "%%");
                    let context = self.resolve_optional_str(template, &t.context)?;
                    let translated = self
                        .engine
                        .host
                        .as_ref()
                        .and_then(|h| {
                            h.translate(
                                &msgid,
                                context.as_deref(),
                                self.languages.last().map(String::as_str),
                            )
                        })
                        .unwrap_or(msgid);
                    if value.is_safe() {
                        Value::safe(translated)
                    } else {
                        Value::str(translated)
                    }
                };
                obj = self.apply_filters(template, obj, &t.message.filters)?;
                let mut rendered = String::new();
                self.render_value(&obj, &mut rendered);
                let rendered = rendered.replace("%%", "%");
                match &t.asvar {
                    Some(var) => self.set(var, Value::safe(rendered)),
                    None => out.push_str(&rendered),
                }
            }
            Node::BlockTranslate(b) => self.render_blocktranslate(template, b, out)?,
            Node::Prefix(is_static, var, _) => {
                let prefix = match &self.engine.host {
                    Some(h) if *is_static => h.static_prefix(),
                    Some(h) => h.media_prefix(),
                    None => String::new(),
                };
                // Written as it is (a plain node's output), or stored as a string.
                match var {
                    Some(var) => self.set(var, Value::str(prefix)),
                    None => out.push_str(&prefix),
                }
            }
            Node::CurrentLanguageBidi(var, _) => {
                let bidi = match &self.engine.host {
                    Some(h) => h.language_bidi(&self.current_language()),
                    None => false,
                };
                self.set(var, Value::Bool(bidi));
            }
            Node::AvailableLanguages(var, _) => {
                let languages = self
                    .engine
                    .host
                    .as_ref()
                    .map(|h| h.available_languages())
                    .unwrap_or_default();
                let items = languages
                    .into_iter()
                    .map(|(code, name)| Value::Tuple(Arc::new(vec![Value::str(code), Value::str(name)])))
                    .collect();
                self.set(var, Value::list(items));
            }
            Node::LanguageInfo(code, var, list, span) => {
                let value = self.resolve(template, code, false)?;
                let host = self.engine.host.as_ref();
                let info = |code: &str| language_info(host, code).map_err(|e| e.at(*span));
                let result = if *list {
                    // Each item is a code, or a sequence whose first item is the code.
                    let items = value.iterate().unwrap_or_default();
                    let mut infos = Vec::with_capacity(items.len());
                    for item in items {
                        let first = lookup_item(&item, "0").unwrap_or(Value::None);
                        let code = if first.length().is_some_and(|n| n > 1) {
                            first.to_py_str()
                        } else {
                            item.to_py_str()
                        };
                        infos.push(info(&code)?);
                    }
                    Value::list(infos)
                } else {
                    info(&value.to_py_str())?
                };
                self.set(var, result);
            }
            Node::CurrentLanguage(var, _) => {
                let language = self.current_language();
                self.set(var, Value::str(language));
            }
            Node::Language(code, body, _) => {
                let code = self.resolve(template, code, false)?.to_py_str();
                self.languages.push(code);
                let r = self.render_body(template, body, out);
                self.languages.pop();
                r?;
            }
            Node::Custom(c) => self.render_custom(template, c, out)?,
            Node::Host(node, span) => self.render_host(template, &**node, *span, out)?,
            Node::PartialDef(_, inline, body, _) => {
                if *inline {
                    self.render_body(template, body, out)?;
                }
            }
            Node::Partial(name, span) => {
                let body = template
                    .partials
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, b)| b.clone())
                    .ok_or_else(|| {
                        TemplateError::syntax(
                            format!("Partial '{name}' is not defined in the current template."),
                            *span,
                        )
                    })?;
                self.render_body(template, &body, out)?;
            }
            Node::Block(b) => self.render_block(template, b, out)?,
            Node::Extends(..) => {}
            Node::Include(inc) => self.render_include(template, inc, out)?,
            Node::Debug(_) => self.render_debug(out),
            Node::CsrfToken(_) => {
                if let Some(token) = self.get("csrf_token").filter(Value::truthy) {
                    let t = token.to_py_str();
                    if t != "NOTPROVIDED" {
                        out.push_str("<input type=\"hidden\" name=\"csrfmiddlewaretoken\" value=\"");
                        out.push_str(&conditional_escape(&token));
                        out.push_str("\">");
                    }
                }
            }
            Node::Unknown(name, span) => {
                return Err(render_err(
                    format!("Cannot render the invalid tag '{name}'"),
                    *span,
                ));
            }
        }
        Ok(())
    }

    fn render_for(&mut self, template: &Arc<Template>, f: &nodes::ForNode, out: &mut String) -> Result<()> {
        let parentloop = self
            .get("forloop")
            .unwrap_or_else(|| Value::dict(Vec::<(&str, Value)>::new()));
        let values = self.resolve(template, &f.sequence, true)?;
        let mut items = match values {
            Value::None => Vec::new(),
            v => v.iterate().ok_or_else(|| {
                render_err(
                    format!("'{}' object is not iterable", type_name(&v)),
                    f.sequence.span,
                )
            })?,
        };
        if items.is_empty() {
            return self.render_body(template, &f.empty, out);
        }
        if f.reversed {
            items.reverse();
        }
        // One `forloop` object per loop, updated in place each iteration (Django mutates
        // one dict the same way).
        let forloop = Arc::new(ForLoop {
            parentloop,
            index: AtomicI64::new(0),
            length: items.len() as i64,
        });
        self.frames
            .push(vec![(Arc::from("forloop"), Value::Object(forloop.clone()))]);
        self.loops.push(LoopState {
            ifchanged: HashMap::new(),
        });
        let result = (|| -> Result<()> {
            for (i, item) in items.into_iter().enumerate() {
                self.mark(out);
                forloop.index.store(i as i64, AtomicOrdering::Relaxed);
                if f.loopvars.len() > 1 {
                    let parts = item.iterate().unwrap_or_else(|| vec![item.clone()]);
                    if parts.len() != f.loopvars.len() {
                        return Err(render_err(
                            format!(
                                "Need {} values to unpack in for loop; got {}. ",
                                f.loopvars.len(),
                                parts.len()
                            ),
                            f.span,
                        ));
                    }
                    self.frames.push(f.loopvars.iter().cloned().zip(parts).collect());
                    let r = self.render_body(template, &f.body, out);
                    self.frames.pop();
                    r?;
                } else {
                    self.set(&f.loopvars[0], item);
                    self.render_body(template, &f.body, out)?;
                }
            }
            self.mark(out);
            Ok(())
        })();
        self.loops.pop();
        self.frames.pop();
        result
    }

    fn render_block(&mut self, template: &Arc<Template>, b: &Arc<BlockNode>, out: &mut String) -> Result<()> {
        let has_context = self.state().blocks.is_some();
        self.frames.push(vec![(
            Arc::from("block"),
            Value::Object(Arc::new(BlockRef { name: b.name.clone() })),
        )]);
        let result = if !has_context {
            self.render_body(template, &b.body, out)
        } else {
            let popped = self
                .state()
                .blocks
                .as_mut()
                .and_then(|m| m.get_mut(&b.name))
                .and_then(Vec::pop);
            let entry = popped.clone().unwrap_or(BlockEntry {
                template: template.clone(),
                node: b.clone(),
            });
            let r = self.render_body(&entry.template, &entry.node.body, out);
            if let Some(p) = popped {
                if let Some(list) = self
                    .state()
                    .blocks
                    .as_mut()
                    .map(|m| m.entry(b.name.clone()).or_default())
                {
                    list.push(p);
                }
            }
            r
        };
        self.frames.pop();
        result
    }

    /// `{{ block.super }}`: render the next block of that name up the chain.
    fn block_super(&mut self, template: &Arc<Template>, name: &Arc<str>) -> Result<String> {
        if self.state().blocks.is_none() {
            return Err(TemplateError::new(
                ErrorKind::Syntax,
                "'BlockNode' object has no attribute 'context'. Did you use {{ block.super }} in a base template?",
            ));
        }
        let available = self
            .state()
            .blocks
            .as_ref()
            .and_then(|m| m.get(name))
            .is_some_and(|l| !l.is_empty());
        if !available {
            return Ok(String::new());
        }
        let node = Arc::new(BlockNode {
            name: name.clone(),
            body: Vec::new(),
            span: Span::default(),
        });
        let mut s = String::new();
        self.render_block(template, &node, &mut s)?;
        Ok(s)
    }

    fn render_extends(
        &mut self,
        template: &Arc<Template>,
        nodes: &[Node],
        parent_expr: &FilterExpr,
        span: Span,
        out: &mut String,
    ) -> Result<()> {
        let parent_name = self.resolve(template, parent_expr, false)?;
        if !parent_name.truthy() {
            let mut msg = format!(
                "Invalid template name in 'extends' tag: {}.",
                parent_name.to_py_repr()
            );
            if !parent_expr.filters.is_empty() || matches!(parent_expr.operand, Operand::Lookup(_)) {
                msg.push_str(&format!(
                    " Got this from the '{}' variable.",
                    parent_expr.span.slice(&template.source)
                ));
            }
            return Err(TemplateError::syntax(msg, span));
        }
        let name = parent_name.to_py_str();
        if self.depth >= self.engine.options.max_depth {
            return Err(TemplateError::new(
                ErrorKind::Recursion,
                format!(
                    "Maximum depth of {} extends/include levels exceeded while loading '{name}' (a template probably extends or includes itself).",
                    self.engine.options.max_depth
                ),
            )
            .at(span));
        }
        let parent = self.engine.get_template(&name).map_err(|e| e.at(span))?;
        // Add this template's blocks (and, for the root, the parent's) to the block context.
        let mut mine = Vec::new();
        collect_blocks(nodes, &mut mine);
        let state = self.state();
        let blocks = state.blocks.get_or_insert_with(HashMap::new);
        for b in mine {
            blocks.entry(b.name.clone()).or_default().insert(
                0,
                BlockEntry {
                    template: template.clone(),
                    node: b,
                },
            );
        }
        let parent_is_root = !matches!(
            parent.nodes.iter().find(|n| !matches!(n, Node::Text(_))),
            Some(Node::Extends(..))
        );
        if parent_is_root {
            let mut theirs = Vec::new();
            collect_blocks(&parent.nodes, &mut theirs);
            if let Some(blocks) = self.state().blocks.as_mut() {
                for b in theirs {
                    blocks.entry(b.name.clone()).or_default().insert(
                        0,
                        BlockEntry {
                            template: parent.clone(),
                            node: b,
                        },
                    );
                }
            }
        }
        self.depth += 1;
        let r = self
            .render_nodes(&parent, &parent.nodes, out)
            .map_err(|e| e.located(parent.name.as_deref(), &parent.source));
        self.depth -= 1;
        r
    }

    /// Django's `DebugNode`: nothing unless the host says `DEBUG`; then the context
    /// dicts innermost first (each `pformat`-ed and escaped), the built-ins, and
    /// the host's module listing.
    fn render_debug(&self, out: &mut String) {
        let Some(host) = self.engine.host.as_ref().filter(|h| h.debug()) else {
            return;
        };
        let mut dicts: Vec<Value> = self
            .frames
            .iter()
            .rev()
            .map(|f| {
                Value::Dict(Arc::new(
                    f.iter()
                        .map(|(k, v)| (Value::str(k.clone()), v.clone()))
                        .collect(),
                ))
            })
            .collect();
        dicts.extend(self.root.snapshot());
        dicts.push(Value::dict([
            ("True", Value::Bool(true)),
            ("False", Value::Bool(false)),
            ("None", Value::None),
        ]));
        for d in &dicts {
            out.push_str(&super::html::escape(&super::pprint::pformat(d)));
        }
        out.push_str("\n\n");
        out.push_str(&super::html::escape(&host.debug_modules()));
    }

    /// Django's `get_language()`: the innermost `{% language %}`, else the host's.
    fn current_language(&self) -> String {
        match self.languages.last() {
            Some(l) => l.clone(),
            None => self
                .engine
                .host
                .as_ref()
                .map(|h| h.language())
                .unwrap_or_else(|| "en-us".into()),
        }
    }

    fn render_include(
        &mut self,
        template: &Arc<Template>,
        inc: &nodes::IncludeNode,
        out: &mut String,
    ) -> Result<()> {
        let name_value = self.resolve(template, &inc.template, false)?;
        let name = name_value.to_py_str();
        let name = match &template.name {
            Some(current) => parser::construct_relative_path(current, &name, true)
                .map_err(|m| TemplateError::syntax(m, inc.span))?,
            None => name,
        };
        if self.depth >= self.engine.options.max_depth {
            return Err(TemplateError::new(
                ErrorKind::Recursion,
                format!(
                    "Maximum depth of {} extends/include levels exceeded while including '{name}' (a template probably includes itself).",
                    self.engine.options.max_depth
                ),
            )
            .at(inc.span));
        }
        let included = self.engine.get_template(&name).map_err(|e| e.at(inc.span))?;
        let mut values = Vec::with_capacity(inc.extra.len());
        for (k, e) in &inc.extra {
            values.push((k.clone(), self.resolve(template, e, false)?));
        }
        self.render_other(&included, values, inc.only, out)
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
            Some(std::mem::take(&mut self.frames))
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
        if let Some(f) = saved_frames {
            self.frames = f;
        }
        self.root = saved_root;
        r
    }
}

/// Every `{% block %}` of a template, outer before inner, wherever it is nested: Django's
/// `nodelist.get_nodes_by_type(BlockNode)` (so a block inside `{% language %}` or a
/// registered block tag counts too).
fn collect_blocks(nodes: &[Node], out: &mut Vec<Arc<BlockNode>>) {
    nodes::walk(nodes, &mut |n| {
        if let Node::Block(b) = n {
            out.push(b.clone());
        }
    });
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

/// Django's `get_language_info(code)` through the host (no host: no language is
/// known); its `KeyError` becomes a render error.
fn language_info(host: Option<&Arc<dyn Host>>, code: &str) -> Result<Value> {
    match host {
        Some(h) => h.language_info(code),
        None => Err(format!("Unknown language code {code}.")),
    }
    .map_err(|m| TemplateError::new(ErrorKind::Render, super::value::py_str_repr(&m)))
}

/// The `i18n` library's filters, answered by the host's `language_info`.
fn i18n_filters(host: &Arc<dyn Host>) -> Vec<FilterDef> {
    let field = |name: &'static str, key: &'static str, translate: bool| {
        let host = host.clone();
        FilterDef {
            name: name.into(),
            arg: Arg::None,
            is_safe: false,
            needs_autoescape: false,
            func: Arc::new(move |v, _, _| {
                let info = language_info(Some(&host), &v.to_py_str())?;
                let value = lookup_item(&info, key).unwrap_or(Value::None);
                Ok(if translate {
                    let english = value.to_py_str();
                    Value::str(host.translate(&english, None, None).unwrap_or(english))
                } else {
                    value
                })
            }),
        }
    };
    vec![
        field("language_name", "name", false),
        field("language_name_translated", "name", true),
        field("language_name_local", "name_local", false),
        field("language_bidi", "bidi", false),
    ]
}
