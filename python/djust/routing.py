"""WebSocket routes for LiveViews: add ``websocket_urlpatterns`` to the project's ASGI
``URLRouter`` (see ``examples/config/asgi.py``)."""

from django.urls import path

from djust.consumer import LiveViewConsumer

websocket_urlpatterns = [path("ws/djust/", LiveViewConsumer.as_asgi())]
