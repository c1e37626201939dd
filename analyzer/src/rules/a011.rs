//! A011: `"*"` next to explicit hosts in `ALLOWED_HOSTS`.

use crate::declare_violation;
use crate::finding::Finding;
use crate::project_settings::ProjectSettings;
use crate::rule::Rule;

declare_violation! {
    /// ## What it does
    /// Flags settings that can run in production (`DEBUG` not literally `True`) whose
    /// `ALLOWED_HOSTS` holds `"*"` together with other host names, unless both
    /// `DJUST_TRUSTED_PROXIES` and `SECURE_PROXY_SSL_HEADER` are set.
    ///
    /// ## Why is this bad?
    /// As soon as `"*"` is in the list Django accepts every `Host`, so the explicit names
    /// beside it do nothing: the list reads as restricted and is not. The WebSocket
    /// origin check reads the same list.
    ///
    /// ## Example
    /// ```python
    /// ALLOWED_HOSTS = ["shop.example.com", "*"]
    /// ```
    ///
    /// ## Fix
    /// Remove `"*"`. Suppress with `# noqa: A011` on the `ALLOWED_HOSTS` line.
    ///
    /// ## Differences from upstream
    /// As A010: `DEBUG` read from the environment counts as production.
    pub struct WildcardBesideHosts {
        code: "A011",
        name: "wildcard-beside-hosts",
        severity: Error,
        summary: "`ALLOWED_HOSTS` has `\"*\"` beside explicit hosts",
    }
}

/// Check one settings module.
pub fn check(settings: &ProjectSettings<'_>, out: &mut Vec<Finding>) {
    let (Some(hosts), Some((file, span))) = (settings.allowed_hosts(), settings.at("ALLOWED_HOSTS")) else {
        return;
    };
    if hosts.len() < 2
        || !hosts.iter().any(|h| h == "*")
        || !settings.production()
        || settings.proxy_trusted()
    {
        return;
    }
    let others: Vec<&str> = hosts.iter().map(String::as_str).filter(|h| *h != "*").collect();
    out.push(
        Finding::new(
            Rule::A011,
            file,
            span,
            format!(
                "ALLOWED_HOSTS has \"*\" beside {}: the wildcard accepts every host, so the others restrict nothing.",
                others.join(", ")
            ),
        )
        .with_primary_label("\"*\" makes the other entries meaningless")
        .with_help("Remove \"*\" and keep the explicit host names."),
    );
}
