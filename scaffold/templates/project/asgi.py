"""ASGI entry point of [[project]]: HTTP through Django, WebSockets through djust.

The WebSocket stack is wrapped in Channels' AllowedHostsOriginValidator: browsers send
a site's cookies with a WebSocket whatever page opens it, so without an origin check
another site could drive a signed-in visitor's LiveViews. djust's consumer checks the
origin too; the validator refuses a foreign handshake before anything else runs.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "[[project]].settings")
django_asgi_app = get_asgi_application()

# Imported once Django is set up: they load models.
from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from djust.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
