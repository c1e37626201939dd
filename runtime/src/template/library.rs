//! Tag libraries: the filters and tags `{% load %}` brings in (Django's
//! `django.template.library.Library`), and the [`Registry`] of what an engine knows.
//!
//! A [`Library`] holds filters ([`FilterDef`]) and tags ([`TagDef`]) by name. A tag
//! is one of three kinds:
//! - [`TagDef::Native`]: compiled by this engine's parser (the `i18n` and `static`
//!   tags; [`TAGS`] lists every one with its library);
//! - [`TagDef::Custom`]: a Django `simple_tag`, `inclusion_tag` or
//!   `simple_block_tag`: the parser checks its arguments against the function's
//!   [`Signature`] (Django's `parse_bits`) and the renderer calls the function with
//!   resolved values ([`TagCall`]);
//! - [`TagDef::Host`]: a compile function only the host can run (Django's
//!   `@register.tag`, arbitrary Python parsing): the parser hands it the token stream
//!   ([`HostCompile`]) and skips what it consumed; the renderer asks the node it
//!   returned to render against a view of the context ([`HostContext`]).
//!
//! `{% load a b %}` brings in whole libraries, `{% load x y from a %}` only the named
//! tags and filters ([`Load`]), as Django's `load` tag does. The registry's own
//! filters and tags (the built-ins and the engine's `builtins` libraries) are always
//! available.

use super::context::ContextSource;
use super::error::Result;
use super::host::{locale_of, Host, Locale};
use super::lexer::Token;
use super::value::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Whether a filter takes an argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arg {
    /// `{{ v|upper }}`.
    None,
    /// `{{ v|floatformat }}` or `{{ v|floatformat:2 }}`.
    Optional,
    /// `{{ v|cut:" " }}`.
    Required,
    /// A host filter's parameters as Django's `args_check` counts them from the Python
    /// signature: `(required, total)`, the input included.
    Params(usize, usize),
}

/// What a filter sees besides its input and argument.
#[derive(Clone, Copy)]
pub struct FilterEnv<'a> {
    /// Whether autoescaping is on where the filter is used.
    pub autoescape: bool,
    /// The engine's `max_generated_size`: the longest value, in characters, a filter
    /// may generate from a size its argument gives (padding widths, precisions).
    pub max_size: usize,
    /// The active locale, asked of the host on first use (see [`FilterEnv::locale`]).
    pub locale: &'a std::cell::OnceCell<Locale>,
    /// The host, when one is connected: dates in the active locale (`date`, `time`).
    pub host: Option<&'a dyn Host>,
}

impl FilterEnv<'_> {
    /// The active locale (`floatformat`'s separators, `date` in the locale): the
    /// host's, else Django's defaults.
    pub fn locale(&self) -> &Locale {
        self.locale.get_or_init(|| locale_of(self.host))
    }
}

/// A filter function: `(value, argument, env) → value`.
pub type FilterFn = Arc<dyn Fn(&Value, Option<&Value>, &FilterEnv<'_>) -> Result<Value> + Send + Sync>;

/// Django's filter flags, by name (`@register.filter(is_safe=…, needs_autoescape=…,
/// expects_localtime=…)`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FilterFlags {
    /// A safe input gives a safe output.
    pub is_safe: bool,
    /// The filter escapes its own output (it receives `autoescape`).
    pub needs_autoescape: bool,
    /// An aware datetime input is converted to local time first.
    pub expects_localtime: bool,
}

impl FilterDef {
    /// A filter named `name` with these flags.
    pub fn new(name: &str, arg: Arg, flags: FilterFlags, func: FilterFn) -> FilterDef {
        FilterDef {
            name: name.to_string(),
            arg,
            is_safe: flags.is_safe,
            needs_autoescape: flags.needs_autoescape,
            expects_localtime: flags.expects_localtime,
            func,
        }
    }
}

/// A filter.
pub struct FilterDef {
    /// Name as used in templates.
    pub name: String,
    /// Argument arity.
    pub arg: Arg,
    /// Django's `is_safe`.
    pub is_safe: bool,
    /// Django's `needs_autoescape` (informational: the function receives the env).
    pub needs_autoescape: bool,
    /// Django's `expects_localtime`: an aware datetime input is converted to the
    /// current time zone first (through the host's [`Host::localtime`]).
    pub expects_localtime: bool,
    /// The implementation.
    pub func: FilterFn,
}

impl std::fmt::Debug for FilterDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<filter {}>", self.name)
    }
}

impl FilterDef {
    /// `(min, max)` number of arguments including the input, as Django counts them.
    pub fn arity(&self) -> (usize, usize) {
        match self.arg {
            Arg::None => (1, 1),
            Arg::Optional => (1, 2),
            Arg::Required => (2, 2),
            Arg::Params(required, total) => (required, total),
        }
    }
}

/// The Python signature of a custom tag's function, as Django's `parse_bits` checks
/// template arguments against it.
#[derive(Debug, Clone, Default)]
pub struct Signature {
    /// Positional-or-keyword parameter names (without `context` / `content`).
    pub params: Vec<String>,
    /// How many trailing `params` have defaults.
    pub defaults: usize,
    /// `*args`.
    pub varargs: bool,
    /// `**kwargs`.
    pub varkw: bool,
    /// Keyword-only parameter names.
    pub kwonly: Vec<String>,
    /// The keyword-only parameters without a default (Django's `unhandled_kwargs`).
    pub kwonly_required: Vec<String>,
}

/// Looks a name up in the template context (for `takes_context` tags).
pub type ContextLookup<'a> = &'a dyn Fn(&str) -> Option<Value>;

/// What a custom tag's function receives.
pub struct TagCall<'a> {
    /// Positional arguments, resolved.
    pub args: Vec<Value>,
    /// Keyword arguments, resolved, in template order.
    pub kwargs: Vec<(String, Value)>,
    /// For block tags: the rendered body (a safe string).
    pub content: Option<Value>,
    /// For `takes_context` tags: look a name up in the template context.
    pub context: Option<ContextLookup<'a>>,
    /// For `takes_context` tags: the whole context, for a host that builds its own
    /// view of it (Django's `Context` for a Python tag function).
    pub scope: Option<HostContext<'a>>,
    /// For `takes_context` tags: `context.request` (see `ContextSource::request`).
    pub request: Option<Value>,
    /// The engine's host, when one is connected (`Engine::set_host`).
    pub host: Option<&'a dyn Host>,
    /// Whether autoescaping is on where the tag is used (Django's `context.autoescape`).
    pub autoescape: bool,
    /// What a `takes_context` tag set in its context (`context["name"] = value` in
    /// Django lands in the current scope): bound by the renderer after the call, in
    /// order.
    pub writes: std::cell::RefCell<Vec<(String, Value)>>,
}

/// A custom tag's function.
pub type TagFn = Arc<dyn Fn(&TagCall<'_>) -> Result<Value> + Send + Sync>;

/// The kinds of custom tags (Django's `simple_tag`, `inclusion_tag`, `simple_block_tag`).
#[derive(Clone)]
pub enum TagKind {
    /// Returns a value, escaped unless safe; `as var` stores it.
    Simple,
    /// Returns a dict; the template is rendered with it as the whole context. The
    /// template is Django's `InclusionNode.filename`: a name (`Value::Str`), a list or
    /// tuple of names (the first that exists), or a template object (an
    /// [`Object`](super::value::Object) with a `template_source`).
    Inclusion(Value),
    /// Receives the rendered body; closed by `end_name`.
    Block(String),
}

/// A custom tag registered by the host.
#[derive(Clone)]
pub struct CustomTag {
    /// Tag name.
    pub name: String,
    /// Library that provides it (`{% load lib %}`); `None` for always-available tags.
    pub library: Option<String>,
    /// Simple, inclusion or block.
    pub kind: TagKind,
    /// The function's signature.
    pub signature: Signature,
    /// `takes_context=True`.
    pub takes_context: bool,
    /// The function.
    pub func: TagFn,
}

impl std::fmt::Debug for CustomTag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<tag {}>", self.name)
    }
}

/// A tag whose compile function only the host can run (Django's `@register.tag`).
pub trait HostTag: Send + Sync {
    /// Compile the tag at `call.tokens[call.at]`: a node, and how many tokens it
    /// consumed from there (1 for a tag without a body, more when the compile function
    /// parsed up to an end tag). An `Err` is the template's syntax error.
    fn compile(&self, call: &HostCompile<'_>) -> Result<HostCompiled>;
}

/// What a [`HostTag`] compiles from.
pub struct HostCompile<'a> {
    /// An id unique to this parse of the template: a host may keep state for the
    /// parse across its tags (Django's one `Parser` over the template's tokens), its
    /// calls coming with `at` increasing.
    pub parse: u64,
    /// The tag's name.
    pub tag: &'a str,
    /// The template source.
    pub source: &'a str,
    /// The template's tokens.
    pub tokens: &'a [Token],
    /// The index of the tag's own token in `tokens`.
    pub at: usize,
    /// The 1-based line of a byte offset in `source`.
    pub line: &'a dyn Fn(usize) -> usize,
    /// The template's name, if any.
    pub template_name: Option<&'a str>,
    /// The `{% load %}`s seen so far, in order.
    pub loads: &'a [Load],
}

/// A compiled [`HostTag`].
pub struct HostCompiled {
    /// The node to render.
    pub node: Arc<dyn HostNode>,
    /// Tokens consumed, the tag's own included (at least 1).
    pub consumed: usize,
}

/// A node compiled by the host.
pub trait HostNode: Send + Sync + std::fmt::Debug {
    /// Render against `context`. An `Err` ends the render (the host keeps its own
    /// exception to raise in its place).
    fn render(&self, context: &HostContext<'_>) -> Result<HostRendered>;
}

/// The context as a [`HostNode`] sees it: the caller's top-level source under the
/// names the template bound (`{% for %}`, `{% with %}`, …).
pub struct HostContext<'a> {
    /// The top-level context.
    pub root: &'a dyn ContextSource,
    /// Names bound by the template, outermost first (a later entry shadows an
    /// earlier one of the same name).
    pub bound: Vec<(Arc<str>, Value)>,
    /// Whether autoescaping is on where the tag is used.
    pub autoescape: bool,
    /// The name of the template being rendered, if any.
    pub template_name: Option<&'a str>,
}

/// What a [`HostNode`] rendered.
pub struct HostRendered {
    /// The output, inserted as it is.
    pub output: String,
    /// Names the node set in the context (`context[name] = value`), to bind in the
    /// template's current scope.
    pub writes: Vec<(String, Value)>,
}

/// A tag of a [`Library`].
#[derive(Clone)]
pub enum TagDef {
    /// Compiled by this engine's parser (see [`TAGS`]).
    Native,
    /// A simple, inclusion or block tag called with resolved values.
    Custom(Arc<CustomTag>),
    /// A compile function the host runs.
    Host(Arc<dyn HostTag>),
}

impl std::fmt::Debug for TagDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TagDef::Native => f.write_str("<native tag>"),
            TagDef::Custom(t) => write!(f, "{t:?}"),
            TagDef::Host(_) => f.write_str("<host tag>"),
        }
    }
}

/// A tag library: filters and tags by name (Django's `Library`).
#[derive(Debug, Clone, Default)]
pub struct Library {
    /// Filters by name.
    pub filters: HashMap<String, Arc<FilterDef>>,
    /// Tags by name.
    pub tags: HashMap<String, TagDef>,
}

/// One `{% load %}`: a library, whole (`names` is `None`) or the named tags and
/// filters of it (`{% load x y from lib %}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Load {
    /// The library's name.
    pub library: Arc<str>,
    /// The tags and filters taken from it, or `None` for all of them.
    pub names: Option<Vec<Arc<str>>>,
}

/// Every tag this engine's parser compiles, with the library `{% load %}` must bring
/// in first (`""`: built in; `"i18n"`, `"static"`, `"cache"`, `"tz"`, `"l10n"`), as
/// Django's `defaulttags`, `loader_tags`, `i18n`, `static`, `cache`, `tz` and `l10n`
/// libraries define them. djust's component tags
/// (`live_component`, `component`) and `querystring` are [`CustomTag`]s of the
/// [`Registry`] instead. Tools that offer tag names (the language server) read them
/// from here.
pub const TAGS: &[(&str, &str)] = &[
    ("autoescape", ""),
    ("block", ""),
    ("comment", ""),
    ("csrf_token", ""),
    ("cycle", ""),
    ("debug", ""),
    ("extends", ""),
    ("filter", ""),
    ("firstof", ""),
    ("for", ""),
    ("if", ""),
    ("ifchanged", ""),
    ("include", ""),
    ("load", ""),
    ("lorem", ""),
    ("now", ""),
    ("partial", ""),
    ("partialdef", ""),
    ("querystring", ""),
    ("regroup", ""),
    ("resetcycle", ""),
    ("spaceless", ""),
    ("templatetag", ""),
    ("url", ""),
    ("verbatim", ""),
    ("widthratio", ""),
    ("with", ""),
    ("cache", "cache"),
    ("localtime", "tz"),
    ("timezone", "tz"),
    ("get_current_timezone", "tz"),
    ("localize", "l10n"),
    ("blocktranslate", "i18n"),
    ("blocktrans", "i18n"),
    ("get_available_languages", "i18n"),
    ("get_current_language", "i18n"),
    ("get_current_language_bidi", "i18n"),
    ("get_language_info", "i18n"),
    ("get_language_info_list", "i18n"),
    ("language", "i18n"),
    ("trans", "i18n"),
    ("translate", "i18n"),
    ("get_media_prefix", "static"),
    ("get_static_prefix", "static"),
    ("static", "static"),
];

/// The filters of Django's own libraries that the engine either has natively behind
/// the Python function (`humanize`'s, see [`super::humanize`]) or calls as Python
/// functions (`tz`'s, `l10n`'s): `(library, filter, argument)`, as Django 5.2 defines
/// them. A tool that parses templates without Django (the analyzer) knows the
/// libraries from this and [`super::engine::I18N_FILTERS`].
pub const DJANGO_LIBRARY_FILTERS: &[(&str, &str, Arg)] = &[
    ("humanize", "apnumber", Arg::None),
    ("humanize", "intcomma", Arg::Optional),
    ("humanize", "intword", Arg::None),
    ("humanize", "naturalday", Arg::Optional),
    ("humanize", "naturaltime", Arg::None),
    ("humanize", "ordinal", Arg::None),
    ("tz", "localtime", Arg::None),
    ("tz", "utc", Arg::None),
    ("tz", "timezone", Arg::Required),
    ("l10n", "localize", Arg::None),
    ("l10n", "unlocalize", Arg::None),
];

/// Django's own `@register.tag` compile functions this engine parses natively: the tag's
/// name and the function's qualified name (`module.qualname`). A library registering
/// one of them under that name gets the native tag ([`native_tag`]).
const NATIVE_COMPILE_FUNCTIONS: &[(&str, &str)] = &[
    ("cache", "django.templatetags.cache.do_cache"),
    ("localtime", "django.templatetags.tz.localtime_tag"),
    ("timezone", "django.templatetags.tz.timezone_tag"),
    (
        "get_current_timezone",
        "django.templatetags.tz.get_current_timezone_tag",
    ),
    ("localize", "django.templatetags.l10n.localize_tag"),
];

/// Whether the compile function `qualname`, registered as tag `name`, is one this
/// engine parses itself ([`TagDef::Native`]) instead of handing it to the host.
pub fn native_tag(name: &str, qualname: &str) -> bool {
    NATIVE_COMPILE_FUNCTIONS.contains(&(name, qualname))
}

/// What an engine knows: the filters and tags always available (Django's
/// `builtins`) and the libraries `{% load %}` can bring in, by name.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    filters: HashMap<String, Arc<FilterDef>>,
    tags: HashMap<String, TagDef>,
    libraries: BTreeMap<String, Library>,
}

impl Registry {
    /// Look an available filter up.
    pub fn get(&self, name: &str) -> Option<Arc<FilterDef>> {
        self.filters.get(name).cloned()
    }

    /// Register (or replace) an always-available filter.
    pub fn register(&mut self, def: FilterDef) {
        self.filters.insert(def.name.clone(), Arc::new(def));
    }

    /// The library `name`, created empty (with its [`TAGS`] as native tags) if new.
    pub fn library_mut(&mut self, name: &str) -> &mut Library {
        self.libraries.entry(name.to_string()).or_insert_with(|| Library {
            filters: HashMap::new(),
            tags: TAGS
                .iter()
                .filter(|(_, lib)| *lib == name)
                .map(|(tag, _)| (tag.to_string(), TagDef::Native))
                .collect(),
        })
    }

    /// Register a filter that only `{% load library %}` makes available.
    pub fn register_library_filter(&mut self, library: &str, def: FilterDef) {
        self.library_mut(library)
            .filters
            .insert(def.name.clone(), Arc::new(def));
    }

    /// Register a custom tag: always available when `tag.library` is `None`, else a
    /// tag of that library.
    pub fn register_tag(&mut self, tag: CustomTag) {
        let name = tag.name.clone();
        let def = TagDef::Custom(Arc::new(tag));
        self.register_tag_def(None, name, def);
    }

    /// Register a tag of any kind in `library` (`None`: always available; a
    /// [`CustomTag`]'s own `library` field wins when set).
    pub fn register_tag_def(&mut self, library: Option<&str>, name: String, def: TagDef) {
        let library = match &def {
            TagDef::Custom(t) => t.library.clone().or(library.map(str::to_string)),
            _ => library.map(str::to_string),
        };
        match library {
            Some(lib) => {
                self.library_mut(&lib).tags.insert(name, def);
            }
            None => {
                self.tags.insert(name, def);
            }
        }
    }

    /// An always-available tag that is not [`TagDef::Native`] (a built-in `CustomTag`
    /// such as `querystring`, or one of a `builtins` library).
    pub fn tag(&self, name: &str) -> Option<&TagDef> {
        self.tags.get(name)
    }

    /// Make `{% load name %}` valid (an empty library unless it has [`TAGS`]).
    pub fn register_library(&mut self, name: &str) {
        self.library_mut(name);
    }

    /// Whether `{% load name %}` is valid.
    pub fn has_library(&self, name: &str) -> bool {
        self.libraries.contains_key(name)
    }

    /// The library `name`.
    pub fn library(&self, name: &str) -> Option<&Library> {
        self.libraries.get(name)
    }

    /// Registered library names, sorted.
    pub fn libraries(&self) -> Vec<&str> {
        self.libraries.keys().map(String::as_str).collect()
    }

    /// Names of the always-available filters, sorted.
    pub fn names(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.filters.keys().map(String::as_str).collect();
        v.sort();
        v
    }

    /// The registry with `filters` available too (after a `{% load %}`; a later
    /// filter of the same name wins, as in Django).
    pub fn with_filters(&self, filters: impl IntoIterator<Item = Arc<FilterDef>>) -> Registry {
        let mut r = Registry {
            filters: self.filters.clone(),
            tags: HashMap::new(),
            libraries: BTreeMap::new(),
        };
        for d in filters {
            r.filters.insert(d.name.clone(), d);
        }
        r
    }
}
