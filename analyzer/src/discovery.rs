//! File discovery.
//!
//! Walks each path (in parallel, with the `ignore` crate, so `.gitignore` is
//! honoured even outside a git checkout), skipping excluded names
//! ([`crate::config::DEFAULT_EXCLUDE`] or `exclude`) and virtualenvs (any directory
//! holding `pyvenv.cfg`). Python files are `*.py`; templates are `*.html`, `*.htm` and
//! `*.txt` inside a `templates/` directory. Other `*.html`/`*.htm`/`*.txt` files are
//! kept as *markup candidates*: they become templates when a settings module's
//! `TEMPLATES[...]["DIRS"]` names their directory.
//!
//! Paths named on the command line are always checked, even when excluded, unless
//! `--force-exclude` is given (ruff's behaviour).

use crate::config::Settings;
use crate::error::CheckError;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// What a discovered file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum Kind {
    /// A `.py` file.
    Python,
    /// A Django template.
    Template,
    /// `.html`/`.htm`/`.txt` outside a `templates/` directory.
    Markup,
}

/// A discovered file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Input {
    /// Path as shown to the user: the command-line path joined with the walked part.
    pub display: PathBuf,
    /// Absolute path.
    pub abs: PathBuf,
    /// What it is.
    pub kind: Kind,
}

fn kind_of(path: &Path, explicit: bool) -> Option<Kind> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "py" => Some(Kind::Python),
        "html" | "htm" | "txt" => {
            let in_templates = path
                .parent()
                .is_some_and(|p| p.components().any(|c| c.as_os_str() == "templates"));
            if in_templates || (explicit && ext != "txt") {
                Some(Kind::Template)
            } else {
                Some(Kind::Markup)
            }
        }
        _ => None,
    }
}

/// Join a display root and a relative part, keeping `./` out of the result.
fn display_join(root: &Path, rel: &Path) -> PathBuf {
    if root == Path::new(".") || root.as_os_str().is_empty() {
        rel.to_path_buf()
    } else {
        root.join(rel)
    }
}

/// Discover the files under `paths` (as given) resolved against `cwd`.
pub fn discover(paths: &[PathBuf], cwd: &Path, settings: &Settings) -> Result<Vec<Input>, CheckError> {
    let found = Mutex::new(Vec::new());
    for given in paths {
        let abs = crate::settings_eval::normalize(&cwd.join(given));
        let meta = std::fs::metadata(&abs).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => CheckError::PathNotFound { path: given.clone() },
            _ => CheckError::Unreadable {
                path: given.clone(),
                message: e.to_string(),
            },
        })?;
        if settings.force_exclude && settings.is_excluded(&abs) {
            continue;
        }
        if !meta.is_dir() {
            // A regular file, or a named pipe, device or socket named on the command
            // line: the latter is read as nothing and reported as E003 by the load
            // (`source::read`), and the other paths are still checked.
            let kind = if meta.is_file() {
                kind_of(&abs, true)
            } else {
                Some(
                    kind_of(&abs, true)
                        .filter(|k| *k == Kind::Python)
                        .unwrap_or(Kind::Template),
                )
            };
            if let Some(kind) = kind {
                lock(&found).push(Input {
                    display: given.clone(),
                    abs,
                    kind,
                });
            }
            continue;
        }
        std::fs::read_dir(&abs).map_err(|e| CheckError::Unreadable {
            path: given.clone(),
            message: e.to_string(),
        })?;
        let root = abs.clone();
        let walker = ignore::WalkBuilder::new(&abs)
            .hidden(false)
            .git_ignore(true)
            .git_exclude(true)
            .git_global(false)
            .require_git(false)
            .parents(true)
            .ignore(true)
            .build_parallel();
        walker.run(|| {
            let found = &found;
            let root = &root;
            Box::new(move |entry| {
                let Ok(entry) = entry else {
                    return ignore::WalkState::Continue;
                };
                let path = entry.path();
                let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
                if path != root.as_path() {
                    let virtualenv = is_dir && path.join("pyvenv.cfg").is_file();
                    if virtualenv || settings.is_excluded(path) {
                        return if is_dir {
                            ignore::WalkState::Skip
                        } else {
                            ignore::WalkState::Continue
                        };
                    }
                }
                if !entry.file_type().is_some_and(|t| t.is_file()) {
                    return ignore::WalkState::Continue;
                }
                if let Some(kind) = kind_of(path, false) {
                    let rel = path.strip_prefix(root).unwrap_or(path);
                    lock(found).push(Input {
                        display: display_join(given, rel),
                        abs: path.to_path_buf(),
                        kind,
                    });
                }
                ignore::WalkState::Continue
            })
        });
    }
    let mut out = found.into_inner().unwrap_or_else(|p| p.into_inner());
    // Path order (component by component), compared as bytes: a key per path with the
    // components joined by NUL, which sorts below every byte of a name.
    out.par_sort_by_cached_key(|i| (path_key(&i.display), path_key(&i.abs), i.kind));
    out.dedup_by(|a, b| a.abs == b.abs);
    Ok(out)
}

/// `path`'s components joined by NUL: byte order on keys is [`Path`]'s order (for the
/// paths djust builds: no `.` or `..` inside).
pub(crate) fn path_key(path: &Path) -> Vec<u8> {
    let mut key = Vec::with_capacity(path.as_os_str().len());
    for c in path.components() {
        key.extend_from_slice(c.as_os_str().as_encoded_bytes());
        key.push(0);
    }
    key
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Dotted module name for a Python file: its path below the first ancestor without
/// `__init__.py`. Returns `(module, is_package)`. `cache` remembers directory lookups.
pub fn module_name(abs: &Path, cache: &mut std::collections::HashMap<PathBuf, bool>) -> (String, bool) {
    let stem = abs.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let is_package = stem == "__init__";
    let mut parts: Vec<String> = Vec::new();
    if !is_package {
        parts.push(stem.to_string());
    }
    let mut dir = abs.parent();
    while let Some(d) = dir {
        let has_init = *cache
            .entry(d.to_path_buf())
            .or_insert_with(|| d.join("__init__.py").is_file());
        if !has_init {
            break;
        }
        if let Some(name) = d.file_name().and_then(|n| n.to_str()) {
            parts.push(name.to_string());
        }
        dir = d.parent();
    }
    parts.reverse();
    (parts.join("."), is_package)
}
