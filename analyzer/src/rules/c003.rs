//! C003: `daphne` after `django.contrib.staticfiles`.

use crate::declare_violation;
use crate::finding::Finding;
use crate::project_settings::ProjectSettings;
use crate::rule::Rule;
use crate::summary::python::Setting;

declare_violation! {
    /// ## What it does
    /// Flags `INSTALLED_APPS` listing `"daphne"` after `"django.contrib.staticfiles"`.
    ///
    /// ## Why is this bad?
    /// Both apps provide a `runserver` command and Django uses the first app's. With
    /// staticfiles first, `manage.py runserver` is Django's WSGI server: pages load, but
    /// WebSockets (and so every LiveView event) get 404.
    ///
    /// ## Example
    /// ```python
    /// INSTALLED_APPS = ["django.contrib.staticfiles", "daphne", "djust"]
    /// ```
    ///
    /// ## Fix
    /// Put `"daphne"` first. Suppress with `# noqa: C003` on the `INSTALLED_APPS` line.
    ///
    /// ## Differences from upstream
    /// Upstream also reports (as Info) a project with no ASGI server installed, which
    /// depends on the environment, not the source; djust leaves that out.
    pub struct DaphneAfterStaticfiles {
        code: "C003",
        name: "daphne-after-staticfiles",
        severity: Warning,
        summary: "`daphne` listed after `django.contrib.staticfiles`",
    }
}

/// Check one settings module.
pub fn check(settings: &ProjectSettings<'_>, out: &mut Vec<Finding>) {
    let Some(Setting::Strs(apps)) = settings.get("INSTALLED_APPS") else {
        return;
    };
    let position = |name: &str| apps.iter().position(|a| a == name);
    if let (Some(daphne), Some(staticfiles)) = (position("daphne"), position("django.contrib.staticfiles")) {
        if daphne > staticfiles {
            let (file, span) = settings.anchor;
            out.push(
                Finding::new(
                    Rule::C003,
                    file,
                    span,
                    "'daphne' comes after 'django.contrib.staticfiles': runserver will not serve WebSockets.",
                )
                .with_primary_label("in this INSTALLED_APPS")
                .with_help("Move 'daphne' above 'django.contrib.staticfiles'."),
            );
        }
    }
}
