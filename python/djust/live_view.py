"""``djust.LiveView``: a Django view whose state lives on the server and whose page
updates over a WebSocket.

    class Counter(LiveView):
        template_name = "counter.html"

        def mount(self, request, **kwargs):
            self.count = 0

        @event_handler
        def inc(self, **kwargs):
            self.count += 1

The page is served by an ordinary GET (``Counter.as_view()`` in ``urls.py``); the client
(``djust/client.js``) then opens the WebSocket (``djust.routing``), mounts the same
view, and each ``dj-click``/``dj-input``/... event calls the handler and sends back
patches for what changed. Public attributes (no leading underscore) are the state and
the template's context, validated by :mod:`djust.state`.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.generic import View

from djust import state
from djust.decorators import handlers
from djust.template import backend


class LiveView(View):
    """The base class of LiveViews (see the module documentation)."""

    #: The template, found by djust's template backend (``djust.template.backend``).
    template_name: str | None = None

    def mount(self, request: HttpRequest, **kwargs: Any) -> None:
        """Set the initial state. ``kwargs`` are the URL's keyword arguments."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        """The template's context: the validated public state, plus ``view``."""
        context = state.validate(self)
        context.setdefault("view", self)
        context.update(kwargs)
        return context

    # -- HTTP ---------------------------------------------------------------------------

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.mount(request, **kwargs)
        return HttpResponse(self.get_template().render(self.get_context_data(), request))

    # -- rendering ----------------------------------------------------------------------

    def get_template(self) -> Any:
        """The template (a ``djust.template.backends.Template``; its ``template`` is the
        compiled ``djust._rust.Template``)."""
        if not self.template_name:
            raise TypeError(f"{type(self).__name__} has no template_name.")
        return backend().get_template(self.template_name)

    def render_context(self) -> dict[str, Any]:
        """The context of a render: ``get_context_data()`` with the request's values, as
        the template backend applies them."""
        return backend().make_context(self.get_context_data(), getattr(self, "request", None))

    @classmethod
    def event_handlers(cls) -> dict[str, str]:
        """Event name → method name, for the methods marked with ``@event_handler``."""
        return handlers(cls)
