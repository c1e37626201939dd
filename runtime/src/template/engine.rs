//! The engine: loaders, the [`Registry`] of filters and tags, the options and the cache
//! of compiled [`Template`]s (Django's `Engine` and its loaders: `filesystem`,
//! `locmem`, a host's own). Rendering is in [`super::render`].

use super::context::lookup_item;
use super::error::{ErrorKind, Result, TemplateError};
use super::host::Host;
use super::library::{Arg, FilterDef, FilterFlags, Registry};
use super::nodes::Node;
use super::parser::{self, ParseOptions};
use super::value::Value;
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

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
    /// fails with [`ErrorKind::Limit`] instead of
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
pub(crate) struct Cached {
    pub(crate) template: Arc<Template>,
    pub(crate) origin: Origin,
}

/// Where a cached template's source came from, for [`EngineOptions::auto_reload`].
pub(crate) enum Origin {
    /// An in-memory template: never stale.
    Memory,
    /// A file and its modification time when it was read.
    File(PathBuf, Option<std::time::SystemTime>),
    /// A host loader: stale when it now gives another source.
    Host,
}

/// The template engine.
pub struct Engine {
    pub(crate) loaders: Vec<Loader>,
    pub(crate) registry: Registry,
    pub(crate) options: EngineOptions,
    pub(crate) cache: Mutex<HashMap<String, Cached>>,
    pub(crate) host: Option<Arc<dyn Host>>,
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
    /// make the `static` and `i18n` tag libraries loadable (`cache`, `tz` and `l10n`
    /// are loadable once registered: the Python backend registers them with Django's
    /// libraries).
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
}

/// Django's `get_language_info(code)` through the host (no host: no language is
/// known); its `KeyError` becomes a render error.
pub(crate) fn language_info(host: Option<&Arc<dyn Host>>, code: &str) -> Result<Value> {
    match host {
        Some(h) => h.language_info(code),
        None => Err(format!("Unknown language code {code}.")),
    }
    .map_err(|m| TemplateError::new(ErrorKind::Render, super::value::py_str_repr(&m)))
}

/// Django's `i18n` library's filters, each with the key of `get_language_info` it
/// reads and whether the value is translated: `{{ "de"|language_name }}`.
pub const I18N_FILTERS: [(&str, &str, bool); 4] = [
    ("language_name", "name", false),
    ("language_name_translated", "name", true),
    ("language_name_local", "name_local", false),
    ("language_bidi", "bidi", false),
];

/// The `i18n` library's filters, answered by the host's `language_info`.
fn i18n_filters(host: &Arc<dyn Host>) -> Vec<FilterDef> {
    let field = |name: &'static str, key: &'static str, translate: bool| {
        let host = host.clone();
        FilterDef::new(
            name,
            Arg::None,
            FilterFlags::default(),
            Arc::new(move |v, _, _| {
                let info = language_info(Some(&host), &v.to_py_str())?;
                let value = lookup_item(&info, key).unwrap_or(Value::None);
                Ok(if translate {
                    let english = value.to_py_str();
                    Value::str(host.translate(&english, None, None).unwrap_or(english))
                } else {
                    value
                })
            }),
        )
    };
    I18N_FILTERS
        .iter()
        .map(|(name, key, translate)| field(name, key, *translate))
        .collect()
}
