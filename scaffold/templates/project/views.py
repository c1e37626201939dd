"""The home page: a LiveView. Its state lives on the server; each click sends an event
over the WebSocket and the page receives only what changed."""

from typing import Any

from djust import LiveView
from djust.decorators import event_handler


class HomeView(LiveView):
    template_name = "home.html"
    # Who may open the page: True sends visitors to LOGIN_URL first (djust check S005).
    login_required = False

    def mount(self, request: Any, **kwargs: Any) -> None:
        self.count = 0

    @event_handler
    def increment(self, **kwargs: Any) -> None:
        self.count += 1
