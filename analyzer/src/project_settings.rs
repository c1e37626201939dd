//! The project's Django settings as the configuration rules see them (C001–C005, S004,
//! A001), read from source: which module is the settings module, and what its
//! settings are once the modules it star-imports (`from .base import *`) are
//! followed.
//!
//! The settings module is the one a `manage.py` (or `asgi.py`) names in
//! `os.environ.setdefault("DJANGO_SETTINGS_MODULE", …)`. Without one, every module that
//! assigns `INSTALLED_APPS` or star-imports one that does, and is not star-imported by
//! another such module, counts (`settings/dev.py` and `settings/prod.py` over
//! `settings/base.py`). A setting the modules assign in a way
//! that cannot be read (an environment lookup) is [`Setting::Other`], which no rule
//! reports on.

use crate::finding::{FileId, Finding};
use crate::project::PythonIndex;
use crate::rules;
use crate::summary::python::PyFile;
use crate::summary::python::Setting;
use djust_runtime::Span;
use std::collections::HashMap;

/// One settings module with its effective settings.
pub struct ProjectSettings<'a> {
    /// The module's file.
    pub file: FileId,
    /// Its dotted name.
    pub module: &'a str,
    /// Each setting's final value, with the file and statement that set it last.
    pub values: HashMap<&'a str, (&'a Setting, FileId, Span)>,
    /// Where to report a missing setting: the `INSTALLED_APPS` assignment, else the
    /// file's first line.
    pub anchor: (FileId, Span),
    /// The WebSocket application of the module `ASGI_APPLICATION` names, when it is
    /// among the checked files: its file, span and the wrappers it is built from
    /// (A001, C005).
    pub websocket: Option<(FileId, Span, &'a [String])>,
}

impl ProjectSettings<'_> {
    /// A setting's value, when the modules assign it.
    pub fn get(&self, name: &str) -> Option<&Setting> {
        self.values.get(name).map(|(v, _, _)| *v)
    }

    /// Where a setting is assigned last: its file and statement.
    pub fn at(&self, name: &str) -> Option<(FileId, Span)> {
        self.values.get(name).map(|(_, f, s)| (*f, *s))
    }

    /// Whether these settings can run in production: `DEBUG` is not literally `True`
    /// (it is `False`, left at Django's default, or read from the environment, which
    /// is how production settings usually set it).
    pub fn production(&self) -> bool {
        self.get("DEBUG") != Some(&Setting::Bool(true))
    }

    /// Whether the deployment says a trusted proxy checks hosts: both
    /// `DJUST_TRUSTED_PROXIES` and `SECURE_PROXY_SSL_HEADER` are set (upstream's
    /// escape hatch for A010/A011). A value read from the environment counts as set.
    pub fn proxy_trusted(&self) -> bool {
        let set = |n: &str| self.get(n).is_some_and(|v| v.truthy() != Some(false));
        set("DJUST_TRUSTED_PROXIES") && set("SECURE_PROXY_SSL_HEADER")
    }

    /// `ALLOWED_HOSTS` when it is a literal list of strings.
    pub fn allowed_hosts(&self) -> Option<&[String]> {
        match self.get("ALLOWED_HOSTS") {
            Some(Setting::Strs(h)) => Some(h),
            _ => None,
        }
    }
}

/// The settings modules of the indexed files (see the module documentation).
pub fn find<'a>(index: &PythonIndex<'a>) -> Vec<ProjectSettings<'a>> {
    let files = index.files();
    let named: Vec<usize> = files
        .iter()
        .filter_map(|(_, f)| f.settings_module_default())
        .filter_map(|m| {
            index
                .module_prefix(m)
                .filter(|(_, name)| *name == m)
                .map(|(i, _)| i)
        })
        .collect();
    let chosen: Vec<usize> = if !named.is_empty() {
        let mut n = named;
        n.sort_unstable();
        n.dedup();
        n
    } else {
        // Modules that assign INSTALLED_APPS, and those that star-import one of them
        // (`dev.py` over `base.py`), to a fixed point.
        let assigns = |f: &PyFile| f.settings().iter().any(|(n, _, _)| n == "INSTALLED_APPS");
        // The analysed modules each file star-imports, resolved once.
        let stars: Vec<(usize, Vec<usize>)> = (0..files.len())
            .filter(|&i| !files[i].1.star_imports.is_empty())
            .map(|i| (i, star_imported(index, i)))
            .collect();
        let mut candidates: Vec<usize> = (0..files.len()).filter(|&i| assigns(files[i].1)).collect();
        for _ in 0..16 {
            let more: Vec<usize> = stars
                .iter()
                .filter(|(i, s)| !candidates.contains(i) && s.iter().any(|s| candidates.contains(s)))
                .map(|(i, _)| *i)
                .collect();
            if more.is_empty() {
                break;
            }
            candidates.extend(more);
        }
        let imported: Vec<usize> = stars
            .iter()
            .filter(|(i, _)| candidates.contains(i))
            .flat_map(|(_, s)| s.iter().copied())
            .collect();
        candidates.into_iter().filter(|i| !imported.contains(i)).collect()
    };
    chosen.into_iter().map(|m| effective(index, m)).collect()
}

/// The analysed modules `m` star-imports, directly.
fn star_imported(index: &PythonIndex<'_>, m: usize) -> Vec<usize> {
    index.files()[m]
        .1
        .star_imports
        .iter()
        .filter_map(|s| {
            index
                .module_prefix(s)
                .filter(|(_, name)| name == s)
                .map(|(i, _)| i)
        })
        .collect()
}

fn effective<'a>(index: &PythonIndex<'a>, m: usize) -> ProjectSettings<'a> {
    // Star-imported modules first (depth-first, in import order), the module last: a
    // later assignment wins, as when Python runs them.
    let mut order = Vec::new();
    collect(index, m, &mut order, 0);
    let mut values: HashMap<&'a str, (&'a Setting, FileId, Span)> = HashMap::new();
    for i in &order {
        let (id, file) = index.files()[*i];
        for (name, value, span) in file.settings() {
            values.insert(name.as_str(), (value, id, *span));
        }
    }
    let (id, file) = index.files()[m];
    let anchor = values
        .get("INSTALLED_APPS")
        .map(|(_, f, s)| (*f, *s))
        .unwrap_or((id, Span::new(0, 0)));
    // The ASGI module ASGI_APPLICATION names, and its WebSocket stack.
    let websocket = match values.get("ASGI_APPLICATION") {
        Some((Setting::Str(app), _, _)) => {
            let module = app.rsplit_once('.').map_or(app.as_str(), |(m, _)| m);
            index
                .module_prefix(module)
                .filter(|(_, name)| *name == module)
                .and_then(|(i, _)| {
                    let (id, file) = index.files()[i];
                    file.websocket_stack()
                        .map(|stack| (id, stack.0, stack.1.as_slice()))
                })
        }
        _ => None,
    };
    ProjectSettings {
        file: id,
        module: file.module.as_str(),
        values,
        anchor,
        websocket,
    }
}

fn collect(index: &PythonIndex<'_>, m: usize, order: &mut Vec<usize>, depth: usize) {
    if depth > 16 || order.contains(&m) {
        return;
    }
    for s in star_imported(index, m) {
        collect(index, s, order, depth + 1);
    }
    order.push(m);
}

/// Run the configuration rules ([`rules::SETTINGS_RULES`]) on every settings module
/// ([`find`]'s).
pub fn findings(found: &[ProjectSettings<'_>]) -> Vec<Finding> {
    let mut out = Vec::new();
    for settings in found {
        for rule in rules::SETTINGS_RULES {
            rule(settings, &mut out);
        }
    }
    out
}
