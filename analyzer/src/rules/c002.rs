//! C002: no `CHANNEL_LAYERS`.

use crate::declare_violation;
use crate::finding::Finding;
use crate::project_settings::ProjectSettings;
use crate::rule::Rule;
use crate::summary::python::Setting;

declare_violation! {
    /// ## What it does
    /// Flags a settings module that sets no `CHANNEL_LAYERS`, or an empty one.
    ///
    /// ## Why is this bad?
    /// A channel layer is how processes reach each other's WebSockets. djust serves a
    /// single process without one, but whatever crosses processes needs it: pushing to
    /// a LiveView from a background task or another worker, presence, and `djust
    /// profile` merging several workers.
    ///
    /// ## Example
    /// ```python
    /// ASGI_APPLICATION = "config.asgi.application"
    /// # no CHANNEL_LAYERS
    /// ```
    ///
    /// ## Fix
    /// In development, `CHANNEL_LAYERS = {"default": {"BACKEND":
    /// "channels.layers.InMemoryChannelLayer"}}`; with several processes,
    /// `channels_redis.core.RedisChannelLayer`. Suppress with `# noqa: C002` on the
    /// `INSTALLED_APPS` line.
    ///
    /// ## Differences from upstream
    /// Upstream reports an Error, as its runtime requires a layer; djust's does not, so
    /// this is Info.
    pub struct ChannelLayersMissing {
        code: "C002",
        name: "channel-layers-missing",
        severity: Info,
        summary: "No `CHANNEL_LAYERS`",
    }
}

/// Check one settings module.
pub fn check(settings: &ProjectSettings<'_>, out: &mut Vec<Finding>) {
    if matches!(settings.get("CHANNEL_LAYERS"), None | Some(Setting::Empty)) {
        let (file, span) = settings.anchor;
        out.push(
            Finding::new(
                Rule::C002,
                file,
                span,
                format!("{} sets no CHANNEL_LAYERS: nothing can reach a LiveView from another process.", settings.module),
            )
            .with_primary_label("no channel layer")
            .with_help("CHANNEL_LAYERS = {\"default\": {\"BACKEND\": \"channels.layers.InMemoryChannelLayer\"}} (Redis with several processes)."),
        );
    }
}
