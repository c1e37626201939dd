"""The WebSocket side of LiveViews (Django Channels).

The handshake is refused unless its ``Origin`` is allowed (:mod:`djust.origin`), so
another site cannot drive a signed-in visitor's LiveViews. Then, per message (JSON
text), client → server:

- ``{"type": "mount", "url": "/counter/7/?q", "session": token}``: mount the LiveView
  the page at ``url`` serves, through Django's middleware, URLconf, the URL's
  decorators and the view's permission checks, with the URL's keyword arguments, if
  ``token`` (the page's ``dj-session``) is valid for it (:mod:`djust.mount`); answer
  ``{"type": "mounted", "html": ..., "v": 1, "handlers": {...}}``: the LiveView root
  with ``dj-id``s, which the client puts in place of its root, and the
  ``@debounce``/``@throttle`` defaults per handler. A ``view`` key is ignored: the URL
  decides. A redirect on the way (a login decorator) answers ``{"type": "redirect"}``.
- ``{"type": "event", "name": "inc", "params": {"value": ..., "id": "7"}, "ref": 3}``:
  call the ``@event_handler`` named ``name`` with ``params`` as keyword arguments,
  re-render and answer ``{"type": "patch", "patches": [...], "v": n, "ref": 3}``
  (``docs/protocol.md``; ``patches`` may be empty).
- ``{"type": "model", "field": "title", "value": "Hi", "ref": 4}``: ``dj-model`` — set
  the public state attribute ``field`` to ``value``, converted to the attribute's type
  (:mod:`djust.model_binding`), and answer with patches as for an event. Only fields
  the page binds with ``dj-model`` in its last render are accepted.

A handler that calls ``self.redirect(...)`` is answered ``{"type": "redirect", "url":
...}`` instead, and the client loads that page.

Whatever arrives, the socket stays open and its view keeps its state: a message that
is not accepted is answered ``{"type": "error", "code": ..., "message": ..., "ref":
...}`` (``ref`` when the message had one). Codes: ``bad_frame`` (binary, not JSON, NaN,
nested too deep, not an object), ``too_large`` (over ``DJUST["MAX_MESSAGE_SIZE"]``),
``rate_limited`` (over ``EVENT_RATE_LIMIT``/``MOUNT_RATE_LIMIT``; the message is
dropped), ``stale`` (the page's token is missing, expired or for another page: the
client reloads), ``forbidden``, ``not_found``, ``bad_request``, ``invalid`` (no such
handler, a value that does not fit), ``server_error`` (the handler raised). The
traceback is in the reply only with ``DEBUG = True``. Each refused or failed message
is one line in the ``djust`` logger (the full traceback only with ``DEBUG``).
"""

from __future__ import annotations

import json
import logging
import traceback
from typing import Any

from asgiref.sync import sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from djust import _rust, conf, origin
from djust import mount as socket_mount
from djust.live_view import LiveView
from djust.model_binding import BadValue, coerce
from djust.ratelimit import TokenBucket

logger = logging.getLogger("djust")


class EventError(Exception):
    """A message the client may not send (unknown handler, bad parameters, …): its
    ``code`` and message go back to the client as they are."""

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.code = code


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


def _reject_constant(name: str) -> Any:
    # JSON has no NaN or Infinity; Python's parser would accept them.
    raise ValueError(f"{name} is not JSON")


def _one_line(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


class LiveViewConsumer(AsyncWebsocketConsumer):
    """``websocket_urlpatterns`` in :mod:`djust.routing` routes here."""

    session: Session | None = None

    async def websocket_connect(self, message: dict[str, Any]) -> None:
        refusal = origin.refusal(self.scope)
        if refusal is not None:
            logger.warning("djust: refused a WebSocket handshake: %s", refusal)
            # Closing before accepting refuses the handshake (HTTP 403).
            await self.close()
            return
        event_limit = conf.rate_limit("EVENT_RATE_LIMIT")
        mount_limit = conf.rate_limit("MOUNT_RATE_LIMIT")
        self.events = TokenBucket(event_limit) if event_limit else None
        self.mounts = TokenBucket(mount_limit) if mount_limit else None
        await self.accept()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None:
            await self.refuse("bad_frame", "binary frames are not accepted: send JSON text")
            return
        limit = conf.max_message_size()
        if len(text_data) > limit or (len(text_data) * 4 > limit and len(text_data.encode("utf-8", "replace")) > limit):
            await self.refuse("too_large", f"the message is larger than {limit} bytes (DJUST['MAX_MESSAGE_SIZE'])")
            return
        try:
            content = json.loads(text_data, parse_constant=_reject_constant)
        except RecursionError:
            await self.refuse("bad_frame", "the message nests too deeply")
            return
        except ValueError as exc:  # JSONDecodeError, a number too long to read, NaN
            await self.refuse("bad_frame", f"the message is not JSON: {_one_line(str(exc), 80)}")
            return
        await self.receive_json(content)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        ref = content.get("ref") if isinstance(content, dict) else None
        if not (isinstance(ref, int) and not isinstance(ref, bool)) and not (isinstance(ref, str) and len(ref) <= 64):
            ref = None
        if not isinstance(content, dict):
            await self.refuse("bad_frame", "a message must be a JSON object", ref)
            return
        kind = content.get("type")
        if kind == "mount":
            handler, bucket = self.mount, self.mounts
        elif kind in ("event", "model"):
            handler, bucket = (self.event if kind == "event" else self.model), self.events
        else:
            await self.refuse("bad_frame", f"unknown message type {_one_line(repr(kind), 40)}", ref)
            return
        if bucket is not None and not bucket.take():
            await self.refuse(
                "rate_limited",
                f"too many {kind} messages: try again in {bucket.retry_after():.1f} s",
                ref,
                log=f"{kind} {_one_line(repr(content.get('name') or content.get('field') or ''), 60)}",
            )
            return
        try:
            reply = await sync_to_async(handler)(content)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a message
            reply = self.error(exc, content)
        if ref is not None:
            reply["ref"] = ref
        try:
            # Django's JSON spelling (datetimes, Decimal, UUID), encoded in Rust.
            text = _rust.dumps(reply, compact=True, ensure_ascii=False)
        except (TypeError, ValueError) as exc:
            await self.refuse("server_error", f"the reply could not be encoded: {_one_line(str(exc), 80)}", ref)
            return
        await self.send(text_data=text)

    async def refuse(self, code: str, message: str, ref: Any = None, log: str = "") -> None:
        """Answer a message that is not accepted, log one line, keep the socket."""
        logger.warning("djust: refused a message (%s): %s%s", code, message, f" [{log}]" if log else "")
        reply: dict[str, Any] = {"type": "error", "code": code, "message": message}
        if ref is not None:
            reply["ref"] = ref
        await self.send(text_data=json.dumps(reply))

    # The handlers run in a worker thread (sync_to_async): views use the ORM.

    def mount(self, content: dict[str, Any]) -> dict[str, Any]:
        view, redirect = socket_mount.mount(self.scope, content)
        if redirect is not None:
            return {"type": "redirect", "url": redirect}
        self.session = Session(view)
        html, _, version = self.session.render()
        return {"type": "mounted", "html": html, "v": version, "handlers": handler_defaults(type(view))}

    def event(self, content: dict[str, Any]) -> dict[str, Any]:
        if self.session is None:
            raise EventError("event before mount", "bad_request")
        name = content.get("name")
        params = content.get("params") or {}
        if not isinstance(name, str) or not isinstance(params, dict):
            raise EventError("an event needs a name and an object of params", "bad_request")
        view = self.session.view
        method = type(view).event_handlers().get(name)
        if method is None:
            raise EventError(f"{type(view).__name__} has no event handler {_one_line(repr(name), 80)}")
        getattr(view, method)(**params)
        return self.patch()

    def model(self, content: dict[str, Any]) -> dict[str, Any]:
        if self.session is None:
            raise EventError("model update before mount", "bad_request")
        field = content.get("field")
        if not isinstance(field, str) or field not in self.session.renderer.model_fields():
            raise EventError(f"{_one_line(repr(field), 80)} is not bound with dj-model on this page")
        view = self.session.view
        if field.startswith("_") or not field.isidentifier() or callable(getattr(view, field, None)):
            raise EventError(f"{field!r} is not public state")
        try:
            value = coerce(view, field, content.get("value"))
        except BadValue as exc:
            raise EventError(str(exc)) from exc
        setattr(view, field, value)
        return self.patch()

    def patch(self) -> dict[str, Any]:
        """Re-render the session's view: the ``patch`` reply (or ``redirect``)."""
        if self.session is None:
            raise EventError("no mounted view", "bad_request")
        url = self.session.view.__dict__.pop("_redirect_url", None)
        if url is not None:
            return {"type": "redirect", "url": str(url)}
        _, patches, version = self.session.render()
        message = json.loads(patches) if patches else {"v": _rust.PATCH_PROTOCOL_VERSION, "patches": []}
        return {"type": "patch", "patches": message["patches"], "pv": message["v"], "v": version}

    def error(self, exc: Exception, content: dict[str, Any]) -> dict[str, Any]:
        """The ``error`` reply for a failed message, and its one log line (with the
        traceback only in DEBUG)."""
        view = type(self.session.view).__name__ if self.session is not None else "-"
        what = f"{content.get('type')} {_one_line(repr(content.get('name') or content.get('field') or ''), 60)}"
        if isinstance(exc, (EventError, socket_mount.MountError)):
            code = exc.code
            message = str(exc)
            logger.warning("djust: refused %s on %s (%s): %s", what, view, code, _one_line(message))
        else:
            code = "server_error"
            message = _one_line(str(exc), 500) or type(exc).__name__
            if settings.DEBUG:
                logger.exception("djust: %s on %s raised %s", what, view, type(exc).__name__)
            else:
                logger.error("djust: %s on %s raised %s: %s", what, view, type(exc).__name__, _one_line(str(exc)))
                message = "The server could not handle this event."
        reply: dict[str, Any] = {"type": "error", "code": code, "message": message}
        if settings.DEBUG and code == "server_error":
            reply["traceback"] = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        return reply
