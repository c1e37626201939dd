"""The example's ASGI application without Channels' AllowedHostsOriginValidator and
without AuthMiddlewareStack: djust's consumer must refuse foreign origins and bind
mounts to the page by itself."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "security_settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter
from djust.routing import websocket_urlpatterns

application = ProtocolTypeRouter({"http": django_asgi_app, "websocket": URLRouter(websocket_urlpatterns)})
