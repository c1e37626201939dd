//! A030: the Django admin without brute-force protection.

use crate::declare_violation;
use crate::finding::Finding;
use crate::project_settings::ProjectSettings;
use crate::rule::Rule;
use crate::summary::python::Setting;

/// `INSTALLED_APPS` entries of the login-throttling packages upstream knows (and their
/// `AppConfig` paths, `axes.apps.AppConfig`).
const PROTECTION: &[&str] = &[
    "axes",
    "defender",
    "brutebuster",
    "ratelimit",
    "django_ratelimit",
    "django_axes",
];

declare_violation! {
    /// ## What it does
    /// Flags `INSTALLED_APPS` with `django.contrib.admin` and none of the packages that
    /// throttle logins: `axes` (django-axes), `defender`, `brutebuster`, `ratelimit` /
    /// `django_ratelimit`.
    ///
    /// ## Why is this bad?
    /// Django's admin login has no rate limit: `/admin/` accepts password guesses as
    /// fast as they arrive.
    ///
    /// ## Example
    /// ```python
    /// INSTALLED_APPS = ["django.contrib.admin", "django.contrib.auth", "djust"]
    /// ```
    ///
    /// ## Fix
    /// `pip install django-axes`, add `"axes"` to `INSTALLED_APPS` and
    /// `"axes.middleware.AxesMiddleware"` to `MIDDLEWARE`. Suppress with `# noqa: A030`
    /// on the `INSTALLED_APPS` line.
    ///
    /// ## Differences from upstream
    /// Upstream compares whole entries, so `"axes.apps.AppConfig"` does not count; djust
    /// compares the package.
    pub struct AdminWithoutThrottling {
        code: "A030",
        name: "admin-without-throttling",
        severity: Warning,
        summary: "Django admin installed without brute-force protection",
    }
}

/// Check one settings module.
pub fn check(settings: &ProjectSettings<'_>, out: &mut Vec<Finding>) {
    let Some(Setting::Strs(apps)) = settings.get("INSTALLED_APPS") else {
        return;
    };
    let package = |a: &String| a.split('.').next().unwrap_or(a).to_string();
    if !apps.iter().any(|a| a == "django.contrib.admin")
        || apps.iter().any(|a| PROTECTION.contains(&package(a).as_str()))
    {
        return;
    }
    let (file, span) = settings.anchor;
    out.push(
        Finding::new(
            Rule::A030,
            file,
            span,
            "django.contrib.admin is installed but nothing throttles its logins (django-axes, django-defender, django-ratelimit).",
        )
        .with_primary_label("admin without a login rate limit")
        .with_help("Install django-axes: add \"axes\" to INSTALLED_APPS and \"axes.middleware.AxesMiddleware\" to MIDDLEWARE."),
    );
}
