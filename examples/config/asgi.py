"""ASGI entry point: HTTP through Django, WebSockets through djust's consumer.

The WebSocket stack is wrapped in Channels' AllowedHostsOriginValidator: browsers send
a site's cookies with a WebSocket whatever page opens it, so without an origin check
any site could drive a signed-in visitor's LiveViews. djust's consumer checks the
origin itself too (docs/security.md); the validator refuses foreign handshakes before
anything else runs.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack
from channels.routing import ProtocolTypeRouter, URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from djust.routing import websocket_urlpatterns

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
