//! A012: `USE_X_FORWARDED_HOST = True` with a wildcard `ALLOWED_HOSTS`.

use crate::declare_violation;
use crate::finding::Finding;
use crate::project_settings::ProjectSettings;
use crate::rule::Rule;
use crate::summary::python::Setting;

declare_violation! {
    /// ## What it does
    /// Flags settings that can run in production with `USE_X_FORWARDED_HOST = True` while
    /// `ALLOWED_HOSTS` contains `"*"`, unless both `DJUST_TRUSTED_PROXIES` and
    /// `SECURE_PROXY_SSL_HEADER` are set.
    ///
    /// ## Why is this bad?
    /// Django then takes the host from the `X-Forwarded-Host` header, which any client
    /// can send, and nothing validates it: links Django builds (password reset e-mails,
    /// redirects) can point at the attacker's host.
    ///
    /// ## Example
    /// ```python
    /// USE_X_FORWARDED_HOST = True
    /// ALLOWED_HOSTS = ["*"]
    /// ```
    ///
    /// ## Fix
    /// List the host names in `ALLOWED_HOSTS`. Suppress with `# noqa: A012` on the
    /// `USE_X_FORWARDED_HOST` line.
    ///
    /// ## Differences from upstream
    /// As A010: `DEBUG` read from the environment counts as production.
    pub struct ForwardedHostWithWildcard {
        code: "A012",
        name: "forwarded-host-with-wildcard",
        severity: Error,
        summary: "`USE_X_FORWARDED_HOST` with a wildcard `ALLOWED_HOSTS`",
    }
}

/// Check one settings module.
pub fn check(settings: &ProjectSettings<'_>, out: &mut Vec<Finding>) {
    let Some((file, span)) = settings.at("USE_X_FORWARDED_HOST") else {
        return;
    };
    let wildcard = settings
        .allowed_hosts()
        .is_some_and(|h| h.iter().any(|h| h == "*"));
    if settings.get("USE_X_FORWARDED_HOST") != Some(&Setting::Bool(true))
        || !wildcard
        || !settings.production()
        || settings.proxy_trusted()
    {
        return;
    }
    out.push(
        Finding::new(
            Rule::A012,
            file,
            span,
            "USE_X_FORWARDED_HOST is on and ALLOWED_HOSTS has \"*\": the host comes from a header any client sets, unchecked.",
        )
        .with_primary_label("trusts X-Forwarded-Host")
        .with_help("List the site's host names in ALLOWED_HOSTS."),
    );
}
