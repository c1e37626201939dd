//! The Django project `djust new app/view/component` works in, found from the working
//! directory as `manage.py` finds it: the nearest directory above with a `manage.py`;
//! its settings module from `manage.py`'s `DJANGO_SETTINGS_MODULE` default, and the
//! root URLconf from the settings' `ROOT_URLCONF`. Files are parsed, never run.

use crate::error::ScaffoldError;
use djust_analyzer::ast_util::str_const;
use djust_analyzer::python::parse_module;
use djust_analyzer::settings_eval::settings_module_default as settings_default;
use djust_analyzer::source::read_text;
use ruff_python_ast::{Expr, Stmt};
use std::path::{Path, PathBuf};

/// A Django project on disk.
#[derive(Debug, Clone)]
pub struct Project {
    /// The directory with `manage.py`.
    pub root: PathBuf,
    /// `DJANGO_SETTINGS_MODULE` (`mysite.settings`), when `manage.py` names one.
    pub settings_module: Option<String>,
    /// `ROOT_URLCONF` (`mysite.urls`), when the settings name one.
    pub root_urlconf: Option<String>,
}

impl Project {
    /// The project that contains `dir`: the nearest ancestor (or `dir`) with a
    /// `manage.py`. [`ScaffoldError::NoProject`] when there is none.
    pub fn find(dir: &Path) -> Result<Project, ScaffoldError> {
        let root = dir
            .ancestors()
            .find(|d| d.join("manage.py").is_file())
            .ok_or_else(|| ScaffoldError::NoProject {
                dir: dir.to_path_buf(),
            })?
            .to_path_buf();
        let settings_module = read_text(&root.join("manage.py"))
            .ok()
            .and_then(|text| parse_module(&text).ok())
            .and_then(|body| settings_default(&body));
        let root_urlconf = settings_module
            .as_deref()
            .and_then(|m| module_file(&root, m))
            .and_then(|f| read_text(&f).ok())
            .and_then(|text| parse_module(&text).ok())
            .and_then(|body| string_setting(&body, "ROOT_URLCONF"));
        Ok(Project {
            root,
            settings_module,
            root_urlconf,
        })
    }

    /// The apps: directories right under the root with an `apps.py`, sorted.
    pub fn apps(&self) -> Vec<String> {
        let mut apps: Vec<String> = std::fs::read_dir(&self.root)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.path().join("apps.py").is_file())
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .collect();
        apps.sort();
        apps
    }

    /// The app to generate into: `requested`, or the project's only app. Errors say
    /// which apps there are and how to make one.
    pub fn app(&self, requested: Option<&str>) -> Result<String, ScaffoldError> {
        let apps = self.apps();
        match requested {
            Some(app) if !crate::names::is_identifier(app) => Err(ScaffoldError::App(format!(
                "`{app}` is not an app name: an app is a Python package right under {} (`--app shop`)",
                self.root.display()
            ))),
            Some(app) if self.root.join(app).is_dir() => Ok(app.to_string()),
            Some(app) => Err(ScaffoldError::App(format!(
                "there is no app `{app}` in {}: make it with `djust new app {app}`{}",
                self.root.display(),
                listing(&apps)
            ))),
            None => match apps.as_slice() {
                [only] => Ok(only.clone()),
                [] => Err(ScaffoldError::App(
                    "this project has no app yet: make one with `djust new app NAME`, then pass `--app NAME`"
                        .into(),
                )),
                _ => Err(ScaffoldError::App(format!(
                    "this project has several apps: say which with `--app`{}",
                    listing(&apps)
                ))),
            },
        }
    }

    /// The settings file (`mysite/settings.py`), when it exists.
    pub fn settings_file(&self) -> Option<PathBuf> {
        module_file(&self.root, self.settings_module.as_deref()?)
    }

    /// The root URLconf file (`mysite/urls.py`), when it exists.
    pub fn urls_file(&self) -> Option<PathBuf> {
        module_file(&self.root, self.root_urlconf.as_deref()?)
    }
}

fn listing(apps: &[String]) -> String {
    if apps.is_empty() {
        String::new()
    } else {
        format!(" (apps here: {})", apps.join(", "))
    }
}

/// `root/a/b.py` or `root/a/b/__init__.py` for module `a.b`.
pub fn module_file(root: &Path, module: &str) -> Option<PathBuf> {
    let rel: PathBuf = module.split('.').collect();
    let file = root.join(&rel).with_extension("py");
    if file.is_file() {
        return Some(file);
    }
    let package = root.join(rel).join("__init__.py");
    package.is_file().then_some(package)
}

/// The string assigned to `NAME = "..."` at the top level of `body`.
pub fn string_setting(body: &[Stmt], name: &str) -> Option<String> {
    body.iter().rev().find_map(|stmt| match stmt {
        Stmt::Assign(a)
            if a.targets
                .iter()
                .any(|t| matches!(t, Expr::Name(n) if n.id.as_str() == name)) =>
        {
            str_const(&a.value).map(str::to_string)
        }
        _ => None,
    })
}
