//! C005: the WebSocket application has no authentication middleware.

use crate::declare_violation;
use crate::finding::Finding;
use crate::project_settings::ProjectSettings;
use crate::rule::Rule;

declare_violation! {
    /// ## What it does
    /// Flags the `"websocket"` application of the `ProtocolTypeRouter` in the module
    /// `ASGI_APPLICATION` names when nothing in it is an authentication or session
    /// middleware (a wrapper whose name contains `Auth` or `Session`, such as Channels'
    /// `AuthMiddlewareStack` or `SessionMiddlewareStack`).
    ///
    /// ## Why is this bad?
    /// Without it the socket has no session and no user: `request.user` in `mount` is
    /// anonymous for everyone, `login_required` LiveViews refuse every visitor, and the
    /// page's token cannot be tied to its session.
    ///
    /// ## Example
    /// ```python
    /// "websocket": AllowedHostsOriginValidator(URLRouter(websocket_urlpatterns)),
    /// ```
    ///
    /// ## Fix
    /// `AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(...)))`. A deliberately
    /// anonymous socket: suppress with `# noqa: C005` on that line.
    ///
    /// ## Differences from upstream
    /// Upstream imports the ASGI application; djust reads `asgi.py`.
    pub struct WebsocketWithoutAuth {
        code: "C005",
        name: "websocket-without-auth",
        severity: Warning,
        summary: "WebSocket application without authentication middleware",
    }
}

/// Check the WebSocket application at `span` built from `wrappers`.
pub fn check(settings: &ProjectSettings<'_>, out: &mut Vec<Finding>) {
    let Some((file, span, wrappers)) = settings.websocket else {
        return;
    };
    if wrappers
        .iter()
        .any(|w| w.contains("Auth") || w.contains("Session"))
    {
        return;
    }
    out.push(
        Finding::new(
            Rule::C005,
            file,
            span,
            "The WebSocket application has no session or authentication middleware.",
        )
        .with_primary_label("no AuthMiddlewareStack around this")
        .with_help("Wrap the router: AuthMiddlewareStack(URLRouter(...))."),
    );
}
