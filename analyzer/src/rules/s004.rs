//! S004: `DEBUG = True` with hosts beyond this machine.

use crate::declare_violation;
use crate::finding::Finding;
use crate::project_settings::ProjectSettings;
use crate::rule::Rule;
use crate::summary::python::Setting;

/// Hosts that are this machine or a private network's.
fn is_local(host: &str) -> bool {
    matches!(
        host,
        "localhost" | "127.0.0.1" | "::1" | "[::1]" | ".localhost" | "testserver" | ""
    ) || host.ends_with(".localhost")
        || host.starts_with("127.")
        || host.starts_with("10.")
        || host.starts_with("192.168.")
}

declare_violation! {
    /// ## What it does
    /// Flags settings with `DEBUG = True` whose `ALLOWED_HOSTS` lists a host that is
    /// not this machine or a private network (`localhost`, `127.*`, `10.*`,
    /// `192.168.*`), or `"*"`.
    ///
    /// ## Why is this bad?
    /// A public host name in a DEBUG configuration means the debug settings are, or will
    /// be, served to the world: Django's error pages show settings, source and local
    /// variables, and djust sends tracebacks to the browser in DEBUG.
    ///
    /// ## Example
    /// ```python
    /// DEBUG = True
    /// ALLOWED_HOSTS = ["shop.example.com"]
    /// ```
    ///
    /// ## Fix
    /// Read `DEBUG` from the environment (off by default), or keep production hosts in
    /// the production settings. Suppress with `# noqa: S004` on the `DEBUG` line.
    ///
    /// ## Differences from upstream
    /// Upstream accepts `"*"` silently; djust reports it (every host).
    pub struct DebugWithPublicHosts {
        code: "S004",
        name: "debug-with-public-hosts",
        severity: Warning,
        summary: "`DEBUG = True` with hosts beyond this machine",
    }
}

/// Check one settings module.
pub fn check(settings: &ProjectSettings<'_>, out: &mut Vec<Finding>) {
    let Some((Setting::Bool(true), file, span)) = settings.values.get("DEBUG").map(|(v, f, s)| (*v, *f, *s))
    else {
        return;
    };
    let Some(Setting::Strs(hosts)) = settings.get("ALLOWED_HOSTS") else {
        return;
    };
    let public: Vec<&str> = hosts
        .iter()
        .map(String::as_str)
        .filter(|h| !is_local(h))
        .collect();
    if public.is_empty() {
        return;
    }
    out.push(
        Finding::new(
            Rule::S004,
            file,
            span,
            format!("DEBUG is on while ALLOWED_HOSTS lists {}.", public.join(", ")),
        )
        .with_primary_label("debug pages for these hosts")
        .with_help("Read DEBUG from the environment (False by default), or keep public hosts in production settings."),
    );
}
