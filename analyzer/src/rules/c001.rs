//! C001: `ASGI_APPLICATION` is not set.

use crate::declare_violation;
use crate::finding::Finding;
use crate::project_settings::ProjectSettings;
use crate::rule::Rule;
use crate::summary::python::Setting;

declare_violation! {
    /// ## What it does
    /// Flags a settings module (with the modules it star-imports) that never sets
    /// `ASGI_APPLICATION`, or sets it to `None` or an empty string.
    ///
    /// ## Why is this bad?
    /// LiveViews talk over a WebSocket, which only an ASGI application serves; without
    /// `ASGI_APPLICATION` Channels' `runserver` and Daphne have nothing to run, and pages
    /// load but never connect.
    ///
    /// ## Example
    /// ```python
    /// # config/settings.py
    /// INSTALLED_APPS = ["daphne", "django.contrib.staticfiles", "channels", "djust"]
    /// ```
    ///
    /// ## Fix
    /// `ASGI_APPLICATION = "config.asgi.application"` (the module `djust new project`
    /// writes). Suppress with `# noqa: C001` on the `INSTALLED_APPS` line, or
    /// `ignore = ["C001"]`.
    ///
    /// ## Differences from upstream
    /// Upstream imports the settings; djust reads them (`DJANGO_SETTINGS_MODULE` from
    /// `manage.py`, star imports followed) and says nothing when the value comes from
    /// somewhere it cannot read.
    pub struct AsgiApplicationMissing {
        code: "C001",
        name: "asgi-application-missing",
        severity: Error,
        summary: "`ASGI_APPLICATION` is not set",
    }
}

/// Check one settings module.
pub fn check(settings: &ProjectSettings<'_>, out: &mut Vec<Finding>) {
    let missing = match settings.get("ASGI_APPLICATION") {
        None | Some(Setting::Empty) => true,
        Some(Setting::Str(s)) => s.trim().is_empty(),
        Some(_) => false,
    };
    if missing {
        let (file, span) = settings.anchor;
        out.push(
            Finding::new(
                Rule::C001,
                file,
                span,
                format!(
                    "{} does not set ASGI_APPLICATION: LiveViews cannot connect.",
                    settings.module
                ),
            )
            .with_primary_label("these settings have no ASGI application")
            .with_help("Set ASGI_APPLICATION = \"<project>.asgi.application\"."),
        );
    }
}
