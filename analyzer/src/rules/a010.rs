//! A010: `ALLOWED_HOSTS = ["*"]` in production settings.

use crate::declare_violation;
use crate::finding::Finding;
use crate::project_settings::ProjectSettings;
use crate::rule::Rule;

declare_violation! {
    /// ## What it does
    /// Flags settings that can run in production (`DEBUG` not literally `True`) whose
    /// `ALLOWED_HOSTS` is exactly `["*"]`, unless both `DJUST_TRUSTED_PROXIES` and
    /// `SECURE_PROXY_SSL_HEADER` are set (a proxy in front checks the host).
    ///
    /// ## Why is this bad?
    /// `"*"` turns off Django's `Host` header check, which password-reset links and
    /// absolute URLs rely on. djust's WebSocket origin check (`AllowedHostsOriginValidator`)
    /// reads the same list, so `"*"` also lets any web page open a socket to your
    /// LiveViews in a visitor's name (cross-site WebSocket hijacking).
    ///
    /// ## Example
    /// ```python
    /// DEBUG = False
    /// ALLOWED_HOSTS = ["*"]
    /// ```
    ///
    /// ## Fix
    /// List the host names the site serves: `ALLOWED_HOSTS = ["shop.example.com"]`.
    /// Behind a load balancer that rewrites hosts, set `SECURE_PROXY_SSL_HEADER` and
    /// `DJUST_TRUSTED_PROXIES`. Suppress with `# noqa: A010` on the `ALLOWED_HOSTS` line.
    ///
    /// ## Differences from upstream
    /// Upstream imports the settings and reads `DEBUG` as the process sees it; djust reads
    /// the settings modules, and a `DEBUG` read from the environment counts as production
    /// (the module is the one production runs).
    pub struct WildcardAllowedHosts {
        code: "A010",
        name: "wildcard-allowed-hosts",
        severity: Error,
        summary: "`ALLOWED_HOSTS` is only `\"*\"` in production settings",
    }
}

/// Check one settings module.
pub fn check(settings: &ProjectSettings<'_>, out: &mut Vec<Finding>) {
    let (Some(hosts), Some((file, span))) = (settings.allowed_hosts(), settings.at("ALLOWED_HOSTS")) else {
        return;
    };
    if hosts != ["*"] || !settings.production() || settings.proxy_trusted() {
        return;
    }
    out.push(
        Finding::new(
            Rule::A010,
            file,
            span,
            "ALLOWED_HOSTS is [\"*\"] in settings that run with DEBUG off: any Host header is accepted, and any origin may open a WebSocket.",
        )
        .with_primary_label("every host")
        .with_help("List the site's host names, e.g. ALLOWED_HOSTS = [\"shop.example.com\"]."),
    );
}
