"""The WebSocket side of LiveViews (Django Channels).

Messages (JSON), client → server:

- ``{"type": "mount", "view": "app.views.Counter", "url": "/counter/7/"}``:
  instantiate the view (it must be a ``LiveView`` subclass), call ``mount(request,
  **kwargs)`` — ``kwargs`` are the URL's, resolved by Django's URLconf as for the page
  itself (or given as ``"kwargs"``) — and answer ``{"type": "mounted", "html": ...,
  "v": 1, "handlers": {...}}``: the LiveView root with ``dj-id``s, which the client
  puts in place of its root, and the ``@debounce``/``@throttle`` defaults per handler.
- ``{"type": "event", "name": "inc", "params": {"value": ..., "id": "7"}, "ref": 3}``:
  call the ``@event_handler`` named ``name`` with ``params`` as keyword arguments,
  re-render and answer ``{"type": "patch", "patches": [...], "v": n, "ref": 3}``
  (``docs/protocol.md``; ``patches`` may be empty).
- ``{"type": "model", "field": "title", "value": "Hi", "ref": 4}``: ``dj-model`` — set
  the public state attribute ``field`` to ``value`` and answer with patches as for an
  event. Only fields the page binds with ``dj-model`` in its last render are accepted.

A handler that calls ``self.redirect(...)`` is answered ``{"type": "redirect", "url":
...}`` instead, and the client loads that page.

Errors answer ``{"type": "error", "message": ..., "ref": ...}``; the traceback is
included only with ``DEBUG = True``. The socket stays open.
"""

from __future__ import annotations

import json
import logging
import traceback
from typing import Any

from asgiref.sync import sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.http import HttpRequest
from django.urls import Resolver404, resolve
from django.utils.module_loading import import_string

from djust import _rust
from djust.live_view import LiveView

logger = logging.getLogger("djust")


class EventError(Exception):
    """An event the client may not send (unknown view or handler, bad parameters)."""


def request_from_scope(scope: dict[str, Any], url: str) -> HttpRequest:
    """An ``HttpRequest`` standing for the WebSocket connection: path, user, session,
    cookies and headers from the ASGI scope."""
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = url.split("?", 1)[0] or "/"
    for name, value in scope.get("headers", []):
        key = "HTTP_" + name.decode("latin1").upper().replace("-", "_")
        request.META[key] = value.decode("latin1")
    request.META["QUERY_STRING"] = url.split("?", 1)[1] if "?" in url else ""
    if "user" in scope:
        request.user = scope["user"]
    if "session" in scope:
        request.session = scope["session"]
    request.COOKIES = scope.get("cookies", {})
    return request


def url_kwargs(url: str) -> dict[str, Any]:
    """The keyword arguments Django's URLconf gives the page at ``url`` (none when it
    does not resolve)."""
    try:
        return dict(resolve(url.split("?", 1)[0] or "/").kwargs)
    except Resolver404:
        return {}


def handler_defaults(cls: type[LiveView]) -> dict[str, dict[str, int]]:
    """``{event: {"debounce": ms, "throttle": ms}}`` from ``@debounce``/``@throttle``."""
    out: dict[str, dict[str, int]] = {}
    for event, method in cls.event_handlers().items():
        func = getattr(cls, method)
        timing = {
            key: value
            for key in ("debounce", "throttle")
            if isinstance(value := getattr(func, f"_djust_{key}", None), int)
        }
        if timing:
            out[event] = timing
    return out


class Session:
    """One mounted LiveView: the view instance and its renderer."""

    def __init__(self, view: LiveView) -> None:
        self.view = view
        self.renderer = _rust.LiveViewRenderer(view.get_template().template)

    def render(self) -> tuple[str, str | None, int]:
        return self.renderer.render_with_diff(self.view.render_context())


class LiveViewConsumer(AsyncJsonWebsocketConsumer):
    """``websocket_urlpatterns`` in :mod:`djust.routing` routes here."""

    session: Session | None = None

    @classmethod
    async def encode_json(cls, content: Any) -> str:
        # Django's JSON spelling (datetimes, Decimal, UUID), encoded in Rust.
        return _rust.dumps(content, compact=True, ensure_ascii=False)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        ref = content.get("ref") if isinstance(content, dict) else None
        try:
            if not isinstance(content, dict):
                raise EventError("a message must be a JSON object")
            kind = content.get("type")
            if kind == "mount":
                reply = await sync_to_async(self.mount)(content)
            elif kind == "event":
                reply = await sync_to_async(self.event)(content)
            elif kind == "model":
                reply = await sync_to_async(self.model)(content)
            else:
                raise EventError(f"unknown message type {kind!r}")
        except Exception as exc:  # noqa: BLE001 - every failure becomes a message
            reply = self.error(exc)
        if ref is not None:
            reply["ref"] = ref
        await self.send_json(reply)

    # The handlers run in a worker thread (sync_to_async): views use the ORM.

    def mount(self, content: dict[str, Any]) -> dict[str, Any]:
        path = content.get("view")
        if not isinstance(path, str):
            raise EventError("mount needs the view's import path")
        try:
            cls = import_string(path)
        except ImportError as exc:
            raise EventError(f"no view {path!r}") from exc
        if not (isinstance(cls, type) and issubclass(cls, LiveView)):
            raise EventError(f"{path!r} is not a LiveView")
        url = str(content.get("url") or "/")
        kwargs = content["kwargs"] if "kwargs" in content else url_kwargs(url)
        if not isinstance(kwargs, dict):
            raise EventError("mount kwargs must be an object")
        request = request_from_scope(self.scope, url)
        view = cls()
        view.setup(request, **kwargs)
        if not view.allowed(request):
            raise EventError(f"{path!r} needs a signed-in user with permission")
        view.mount(request, **kwargs)
        self.session = Session(view)
        html, _, version = self.session.render()
        return {"type": "mounted", "html": html, "v": version, "handlers": handler_defaults(cls)}

    def event(self, content: dict[str, Any]) -> dict[str, Any]:
        if self.session is None:
            raise EventError("event before mount")
        name = content.get("name")
        params = content.get("params") or {}
        if not isinstance(name, str) or not isinstance(params, dict):
            raise EventError("an event needs a name and an object of params")
        view = self.session.view
        method = type(view).event_handlers().get(name)
        if method is None:
            raise EventError(f"{type(view).__name__} has no event handler {name!r}")
        getattr(view, method)(**{str(k): v for k, v in params.items()})
        return self.patch()

    def model(self, content: dict[str, Any]) -> dict[str, Any]:
        if self.session is None:
            raise EventError("model update before mount")
        field = content.get("field")
        if not isinstance(field, str) or field not in self.session.renderer.model_fields():
            raise EventError(f"{field!r} is not bound with dj-model on this page")
        view = self.session.view
        if field.startswith("_") or not field.isidentifier() or callable(getattr(view, field, None)):
            raise EventError(f"{field!r} is not public state")
        setattr(view, field, content.get("value"))
        return self.patch()

    def patch(self) -> dict[str, Any]:
        """Re-render the session's view: the ``patch`` reply (or ``redirect``)."""
        if self.session is None:
            raise EventError("no mounted view")
        url = self.session.view.__dict__.pop("_redirect_url", None)
        if url is not None:
            return {"type": "redirect", "url": str(url)}
        _, patches, version = self.session.render()
        message = json.loads(patches) if patches else {"v": _rust.PATCH_PROTOCOL_VERSION, "patches": []}
        return {"type": "patch", "patches": message["patches"], "pv": message["v"], "v": version}

    def error(self, exc: Exception) -> dict[str, Any]:
        if not isinstance(exc, EventError):
            logger.exception("djust: error in a LiveView event")
        reply: dict[str, Any] = {"type": "error", "message": str(exc) or type(exc).__name__}
        if settings.DEBUG:
            reply["traceback"] = "".join(traceback.format_exception(exc))
        elif not isinstance(exc, EventError):
            reply["message"] = "The server could not handle this event."
        return reply
