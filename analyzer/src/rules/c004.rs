//! C004: `djust` is not in `INSTALLED_APPS`.

use crate::declare_violation;
use crate::finding::Finding;
use crate::project_settings::ProjectSettings;
use crate::rule::Rule;
use crate::summary::python::Setting;

declare_violation! {
    /// ## What it does
    /// Flags an `INSTALLED_APPS`, read in full, that does not list `"djust"`.
    ///
    /// ## Why is this bad?
    /// The app registers djust's settings validation, its system checks and its
    /// template tags; without it `{% live_component %}` fails to load and
    /// misconfiguration goes unnoticed until a page breaks.
    ///
    /// ## Example
    /// ```python
    /// INSTALLED_APPS = ["daphne", "django.contrib.staticfiles", "channels"]
    /// ```
    ///
    /// ## Fix
    /// Add `"djust"`. Suppress with `# noqa: C004` on the `INSTALLED_APPS` line.
    ///
    /// ## Differences from upstream
    /// Upstream runs inside Django, where this cannot fail without djust's checks being
    /// absent too; djust reads the settings, so it can say so.
    pub struct DjustNotInstalled {
        code: "C004",
        name: "djust-not-installed",
        severity: Error,
        summary: "`djust` is not in `INSTALLED_APPS`",
    }
}

/// Check one settings module.
pub fn check(settings: &ProjectSettings<'_>, out: &mut Vec<Finding>) {
    let Some(Setting::Strs(apps)) = settings.get("INSTALLED_APPS") else {
        return;
    };
    let listed = apps.iter().any(|a| a == "djust" || a.starts_with("djust.apps."));
    if !listed {
        let (file, span) = settings.anchor;
        out.push(
            Finding::new(Rule::C004, file, span, "'djust' is not in INSTALLED_APPS.")
                .with_primary_label("djust's app is missing here")
                .with_help("Add \"djust\" to INSTALLED_APPS."),
        );
    }
}
