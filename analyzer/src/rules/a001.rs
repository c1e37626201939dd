//! A001: the WebSocket application has no origin validator.

use crate::declare_violation;
use crate::finding::Finding;
use crate::project_settings::ProjectSettings;
use crate::rule::Rule;

declare_violation! {
    /// ## What it does
    /// Flags the `"websocket"` application of the `ProtocolTypeRouter` in the module
    /// `ASGI_APPLICATION` names when it is not wrapped in an origin validator (Channels'
    /// `AllowedHostsOriginValidator` or `OriginValidator`).
    ///
    /// ## Why is this bad?
    /// Browsers send cookies with a WebSocket handshake whatever page opens it: without
    /// an origin check another site can open a socket as your signed-in visitor
    /// (cross-site WebSocket hijacking). djust's consumer checks the origin itself as
    /// well, but the validator refuses the handshake before any of your code runs.
    ///
    /// ## Example
    /// ```python
    /// application = ProtocolTypeRouter({
    ///     "http": get_asgi_application(),
    ///     "websocket": AuthMiddlewareStack(URLRouter(websocket_urlpatterns)),
    /// })
    /// ```
    ///
    /// ## Fix
    /// `"websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(...)))`.
    /// Suppress with `# noqa: A001` on that line.
    ///
    /// ## Differences from upstream
    /// Upstream imports the ASGI application and walks its wrappers; djust reads
    /// `asgi.py` and follows a module-level name one step.
    pub struct WebsocketWithoutOriginValidator {
        code: "A001",
        name: "websocket-without-origin-validator",
        severity: Error,
        summary: "WebSocket application without an origin validator",
    }
}

/// Check the WebSocket application at `span` built from `wrappers`.
pub fn check(settings: &ProjectSettings<'_>, out: &mut Vec<Finding>) {
    let Some((file, span, wrappers)) = settings.websocket else {
        return;
    };
    if wrappers.iter().any(|w| w.ends_with("OriginValidator")) {
        return;
    }
    out.push(
        Finding::new(
            Rule::A001,
            file,
            span,
            "The WebSocket application does not check the Origin of the handshake.",
        )
        .with_primary_label("no origin validator around this")
        .with_help("Wrap it: AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(...)))."),
    );
}
