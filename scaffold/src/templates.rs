//! The files `djust new` writes, as templates with `[[ name ]]` placeholders (a syntax
//! that cannot clash with the Django template language the generated templates
//! contain). The built-in templates are embedded in the binary; a project overrides
//! one by putting a file at the same relative path under `.djust/templates/`
//! (`.djust/templates/view/view.py`), as Phoenix's `priv/templates` does.

use crate::error::ScaffoldError;
use std::path::{Path, PathBuf};

/// The built-in templates: (relative path, text).
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "project/manage.py",
        include_str!("../templates/project/manage.py"),
    ),
    (
        "project/settings.py",
        include_str!("../templates/project/settings.py"),
    ),
    ("project/asgi.py", include_str!("../templates/project/asgi.py")),
    ("project/wsgi.py", include_str!("../templates/project/wsgi.py")),
    ("project/urls.py", include_str!("../templates/project/urls.py")),
    ("project/views.py", include_str!("../templates/project/views.py")),
    (
        "project/home.html",
        include_str!("../templates/project/home.html"),
    ),
    (
        "project/test_home.py",
        include_str!("../templates/project/test_home.py"),
    ),
    (
        "project/pyproject.toml",
        include_str!("../templates/project/pyproject.toml"),
    ),
    (
        "project/gitignore",
        include_str!("../templates/project/gitignore"),
    ),
    (
        "project/README.md",
        include_str!("../templates/project/README.md"),
    ),
    ("app/apps.py", include_str!("../templates/app/apps.py")),
    ("app/views.py", include_str!("../templates/app/views.py")),
    ("app/urls.py", include_str!("../templates/app/urls.py")),
    ("view/view.py", include_str!("../templates/view/view.py")),
    (
        "view/template.html",
        include_str!("../templates/view/template.html"),
    ),
    ("view/blank.html", include_str!("../templates/view/blank.html")),
    (
        "view/test_view.py",
        include_str!("../templates/view/test_view.py"),
    ),
    (
        "component/live.py",
        include_str!("../templates/component/live.py"),
    ),
    (
        "component/live.html",
        include_str!("../templates/component/live.html"),
    ),
    (
        "component/test_live.py",
        include_str!("../templates/component/test_live.py"),
    ),
    (
        "component/stateless.py",
        include_str!("../templates/component/stateless.py"),
    ),
    (
        "component/stateless.html",
        include_str!("../templates/component/stateless.html"),
    ),
    (
        "component/test_stateless.py",
        include_str!("../templates/component/test_stateless.py"),
    ),
];

/// Where templates come from: the project's overrides directory, then the built-ins.
#[derive(Debug, Clone)]
pub struct Templates {
    overrides: Option<PathBuf>,
}

/// The largest override file read (a template is a few kilobytes).
const MAX_OVERRIDE: u64 = 1024 * 1024;

impl Templates {
    /// Templates with overrides from `<project>/.djust/templates/` when that exists.
    pub fn for_project(project: &Path) -> Templates {
        let dir = project.join(".djust").join("templates");
        Templates {
            overrides: dir.is_dir().then_some(dir),
        }
    }

    /// The override directory in use, if any.
    pub fn overrides(&self) -> Option<&Path> {
        self.overrides.as_deref()
    }

    /// Render template `name` (`"view/view.py"`) with `vars`. Errors name the file
    /// and line of an override that uses an unknown placeholder or cannot be read.
    pub fn render(&self, name: &str, vars: &[(&str, String)]) -> Result<String, ScaffoldError> {
        let (text, path) = self.source(name)?;
        render(&text, vars).map_err(|(line, message)| ScaffoldError::Template { path, line, message })
    }

    fn source(&self, name: &str) -> Result<(String, PathBuf), ScaffoldError> {
        if let Some(dir) = &self.overrides {
            let path = dir.join(name);
            if path.is_file() {
                let io = |message: String| ScaffoldError::Io {
                    path: path.clone(),
                    message,
                };
                let len = std::fs::metadata(&path).map_err(|e| io(e.to_string()))?.len();
                if len > MAX_OVERRIDE {
                    return Err(io(format!("a template override is at most {MAX_OVERRIDE} bytes")));
                }
                let text = std::fs::read_to_string(&path).map_err(|e| io(e.to_string()))?;
                return Ok((text, path));
            }
        }
        BUILTIN
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| (t.to_string(), PathBuf::from(format!("<built-in>/{name}"))))
            .ok_or_else(|| ScaffoldError::Io {
                path: PathBuf::from(name),
                message: "no such built-in template".into(),
            })
    }
}

/// Replace each `[[ name ]]` of `text` with its value in `vars`. `Err((line, message))`
/// for an unknown name or an unclosed `[[`.
pub fn render(text: &str, vars: &[(&str, String)]) -> Result<String, (usize, String)> {
    let mut out = String::with_capacity(text.len() + 256);
    let mut rest = text;
    let mut consumed = 0usize;
    while let Some(open) = rest.find("[[") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let line = text[..consumed + open].matches('\n').count() + 1;
        let Some(close) = after.find("]]") else {
            return Err((line, "`[[` without a closing `]]`".into()));
        };
        let key = after[..close].trim();
        match vars.iter().find(|(k, _)| *k == key) {
            Some((_, value)) => out.push_str(value),
            None => {
                let known: Vec<&str> = vars.iter().map(|(k, _)| *k).collect();
                return Err((
                    line,
                    format!(
                        "unknown placeholder `[[ {key} ]]`; this template knows {}",
                        known.join(", ")
                    ),
                ));
            }
        }
        consumed += open + 2 + close + 2;
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders() {
        let vars = [("app", "shop".to_string())];
        assert_eq!(
            render("a [[app]] b [[ app ]]{{ x }}", &vars),
            Ok("a shop b shop{{ x }}".into())
        );
        assert_eq!(render("\n\n[[ nope ]]", &vars).map_err(|e| e.0), Err(3));
        assert!(render("[[ app", &vars).is_err());
    }
}
