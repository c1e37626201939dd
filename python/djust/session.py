"""One mounted LiveView and what a client may do to it: render it, call its event
handlers, set its ``dj-model`` fields, and answer with the protocol's replies
(``mounted``, ``patch``, ``redirect``), with the events the view pushed
(:meth:`djust.LiveView.push_event`) in their ``events``. The WebSocket consumer
(:mod:`djust.consumer`) and the test client (:mod:`djust.testing`) both drive a
LiveView through this class, so a test exercises what the socket runs.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import sync_to_async

from djust import (
    _rust,
    background,
    components,
    navigation,
    persistence,
    presence,
    profiling,
    state,
    state_backends,
    streaming,
    uploads,
)
from djust import mount as socket_mount
from djust.live_view import LiveView, take_push_events
from djust.model_binding import BadValue, coerce

#: How many times in a row ``handle_params`` may call ``live_patch`` (a loop guard).
MAX_PATCHES = 8


class EventError(Exception):
    """A message the client may not send (unknown handler, bad parameters, …): its
    ``code`` and message go back to the client as they are."""

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.code = code


def one_line(text: str, limit: int = 200) -> str:
    """``text`` on one line, cut to ``limit`` characters (for messages and logs)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


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
    """A mounted LiveView (``view``, already through ``mount``) and its renderer: the
    first render is the ``mounted`` reply, every later one a ``patch`` reply."""

    def __init__(self, view: LiveView) -> None:
        self.view = view
        self.renderer = _rust.LiveViewRenderer(view.get_template().template)
        # Profiling (djust.profiling): renders so far, the state's last measured size.
        self.renders = 0
        self.state_bytes = 0
        #: The key its state is kept under for a reconnect (djust.persistence): the
        #: restored one, or a new one; the ``mounted`` reply gives it as ``"sid"``.
        self.restored = "_djust_state_key" in view.__dict__
        self.state_key: str = view.__dict__.pop("_djust_state_key", None) or persistence.new_key()
        self.saved_digest: str | None = None

    def save_state(self) -> None:
        """Keep the view's state in the state backend (skipped when unchanged)."""
        self.saved_digest = persistence.save(self.view, self.state_key, self.saved_digest)

    @property
    def html(self) -> str:
        """The LiveView root's HTML with ``dj-id``s as of the last render (the page as
        the browser has it after its patches); ``""`` before the first render."""
        return self.renderer.html() or ""

    def render(self, scope: str | None = None) -> tuple[str | None, int]:
        """Render the view: ``(patches_json_or_None, version)``, no patches on the first
        render; with ``scope`` (an element ``id``, ``dj-target``) only that element's
        children are patched. The root's HTML is written out only when asked for
        (:attr:`html`): an event's reply is its patches."""
        with components.rendering(self.view):
            _, patches, version = self.renderer.render_with_diff(self.view.render_context(), scope, html=False)
        if profiling.ENABLED:
            self._profile_render()
        return patches, version

    def _profile_render(self) -> None:
        """Add the Rust renderer's timings and the state's size to the current span."""
        span = profiling.current()
        if span is None:
            return
        for part, micros in self.renderer.last_timings().items():
            span.parts[part] += micros
        span.view = span.view or profiling.view_path(self.view)
        # The state's JSON size, measured on the first render and every 16th after
        # (encoding a large state on every event would cost more than the rest).
        if self.renders % 16 == 0:
            try:
                self.state_bytes = len(_rust.dumps(state.public_state(self.view), compact=True).encode())
            except (TypeError, ValueError):
                self.state_bytes = -1
        self.renders += 1
        span.state_bytes = self.state_bytes

    def mounted(self) -> dict[str, Any]:
        """The first render, as the ``mounted`` reply."""
        nav = self.view.__dict__.pop("_djust_nav", None)
        followed: tuple[str, bool] | None = None
        if nav is not None and nav[0] == "redirect":
            return self.navigation(nav[1], replace=True)
        if nav is not None:
            result = self.follow(nav[1], nav[3], True)
            if isinstance(result, dict):
                return result
            followed = result
        _, version = self.render()
        html = self.html
        reply = {"type": "mounted", "html": html, "v": version, "handlers": handler_defaults(type(self.view))}
        if state_backends.backend() is not None:
            reply["sid"] = self.state_key
            if self.restored:
                reply["restored"] = True
        here = navigation.resolve_live(self.url.partition("?")[0])
        reply["routes"] = navigation.routes(here.session if here is not None else navigation.DEFAULT_SESSION)
        if followed is not None:
            reply["url"], reply["replace"] = followed
        return with_events(reply, take_push_events(self.view))

    def event(self, name: Any, params: Any, component: Any = None, scope: Any = None) -> dict[str, Any]:
        """Call the ``@event_handler`` named ``name`` with ``params`` as keyword
        arguments, on the view or, when ``component`` is the id of one of its live
        components (an event from inside that component's root), on the component; the
        ``patch`` (or ``redirect``) reply. :class:`EventError` when there is no such
        handler or component, or the message is malformed. An ``async def`` handler
        goes through :meth:`acall` instead (the transport checks :meth:`is_async`)."""
        target, method, params = self.handler_for(name, params, component)
        return self.call(target, method, params, scope)

    def handler_for(self, name: Any, params: Any, component: Any = None) -> tuple[Any, str, dict[str, Any]]:
        """``(target, method name, params)`` for an event message, checked (see
        :meth:`event`)."""
        params = params or {}
        if not isinstance(name, str) or not isinstance(params, dict):
            raise EventError("an event needs a name and an object of params", "bad_request")
        target: Any = self.view
        if component is not None:
            if not isinstance(component, str):
                raise EventError("an event's component is the id of a live component", "bad_request")
            target = components.live_components(self.view).get(component)
            if target is None:
                raise EventError(f"there is no live component {one_line(repr(component), 80)} on this page")
        method = type(target).event_handlers().get(name)
        if method is None:
            raise EventError(f"{type(target).__name__} has no event handler {one_line(repr(name), 80)}")
        return target, method, params

    @staticmethod
    def is_async(target: Any, method: str) -> bool:
        """Whether the handler is an ``async def`` (run on the event loop, may stream)."""
        return inspect.iscoroutinefunction(getattr(target, method))

    def call(self, target: Any, method: str, params: dict[str, Any], scope: Any = None) -> dict[str, Any]:
        """Run a (plain) handler, then the ``patch`` reply (only the element with the
        ``id`` ``scope`` patched, when given: ``dj-target``)."""
        span = profiling.current() if profiling.ENABLED else None
        started = profiling.now() if span is not None else 0
        try:
            getattr(target, method)(**params)
        except BaseException:
            # A failed handler's pushes are not sent, nor its tasks started (nor are its
            # state changes rendered).
            self.discard_requests()
            raise
        finally:
            if span is not None:
                profiling.add_part(span, "handler", started)
        return self.patch(scope_of(scope))

    async def acall(
        self, target: Any, method: str, params: dict[str, Any], send: Callable[[dict[str, Any]], Awaitable[None]]
    ) -> dict[str, Any]:
        """Run an ``async def`` handler on the event loop, its stream operations and
        ``push_state`` patches sent through ``send`` as they come
        (:mod:`djust.streaming`), then the ``patch`` reply (rendered in Django's sync
        thread, as for a plain handler)."""
        outbox = streaming.Outbox(send, lambda: sync_to_async(self.patch)())
        self.view.__dict__["_djust_outbox"] = outbox
        try:
            await getattr(target, method)(**params)
        except BaseException:
            self.discard_requests()
            raise
        finally:
            self.view.__dict__.pop("_djust_outbox", None)
            await outbox.close()
        return await sync_to_async(self.patch)()

    def model(self, field: Any, value: Any) -> dict[str, Any]:
        """Set the ``dj-model`` field ``field`` (one the last render binds) to
        ``value`` converted to its type (:mod:`djust.model_binding`); the ``patch``
        reply. :class:`EventError` for an unbound field or a value that does not fit."""
        if not isinstance(field, str) or field not in self.renderer.model_fields():
            raise EventError(f"{one_line(repr(field), 80)} is not bound with dj-model on this page")
        if field.startswith("_") or not field.isidentifier() or callable(getattr(self.view, field, None)):
            raise EventError(f"{field!r} is not public state")
        try:
            converted = coerce(self.view, field, value)
        except BadValue as exc:
            raise EventError(str(exc)) from exc
        setattr(self.view, field, converted)
        return self.patch()

    def patch(self, scope: str | None = None) -> dict[str, Any]:
        """Re-render: the ``patch`` reply, or ``redirect`` when a handler called
        ``self.redirect(...)``."""
        url = self.view.__dict__.pop("_redirect_url", None)
        nav = self.view.__dict__.pop("_djust_nav", None)
        if url is None and nav is not None and nav[0] == "redirect":
            return self.navigation(nav[1], replace=nav[2])
        if url is not None:
            # The browser leaves the page: events and tasks for it would reach nobody.
            self.discard_requests()
            return {"type": "redirect", "url": str(url)}
        if nav is not None:
            _, url, replace, target = nav
            return self.patched_to(url, target, replace)
        events = take_push_events(self.view)
        patches, version = self.render(scope)
        # A render may push too (a live component's mount or update).
        events += take_push_events(self.view)
        message = json.loads(patches) if patches else {"v": _rust.PATCH_PROTOCOL_VERSION, "patches": []}
        reply = {"type": "patch", "patches": message["patches"], "pv": message["v"], "v": version}
        return with_events(reply, events)

    def upload(self, name: Any, entries: Any) -> dict[str, Any]:
        """The client chose files for ``<input dj-upload="name">``: check them
        (:mod:`djust.uploads`); the ``patch`` reply with ``"upload"`` (the accepted
        entries and the chunk size). :class:`EventError` for a malformed message."""
        try:
            started = uploads.start(self.view, name, entries)
        except uploads.UploadError as exc:
            raise EventError(str(exc)) from exc
        reply = self.patch()
        reply["upload"] = started
        return reply

    def upload_chunk(self, header: dict[str, Any], data: bytes) -> dict[str, Any]:
        """A chunk of an accepted file: stored; the ``patch`` reply (the progress) with
        ``"upload": {"name", "id", "received"}``."""
        try:
            received = uploads.chunk(self.view, header, data)
        except uploads.UploadError as exc:
            raise EventError(str(exc)) from exc
        reply = self.patch()
        reply["upload"] = received
        return reply

    @property
    def url(self) -> str:
        """The page's URL (path and query) as the browser shows it."""
        return self.view.__dict__.get("_djust_url") or self.view.request.get_full_path()

    def navigate(self, url: Any, mode: Any = "patch") -> dict[str, Any]:
        """The client asks for ``url`` (a ``dj-patch``/``dj-navigate`` link, or
        back/forward): a ``patch`` reply with ``"url"`` when it is the same path of this
        LiveView and ``mode`` is ``"patch"`` (``handle_params`` runs), else what
        :meth:`navigation` answers. :class:`EventError` for a malformed URL."""
        try:
            url = socket_mount.check_url(url)
        except socket_mount.MountError as exc:
            raise EventError(
                "navigate needs a path on this site as `url` (for example /shop/?page=2)", "bad_request"
            ) from exc
        path_only = url.partition("?")[0]
        if mode == "patch" and path_only == self.url.partition("?")[0]:
            target = navigation.resolve_live(path_only)
            if target is not None and target.view_class is type(self.view):
                return self.patched_to(url, target, replace=False)
        return self.navigation(url)

    def navigation(self, url: str, replace: bool = False) -> dict[str, Any]:
        """Leave this LiveView for ``url``: ``{"type": "navigate", "url", "replace",
        "session"}`` (a page token for the LiveView ``url`` serves, which the client
        mounts over the same socket) when it is a LiveView of this view's
        ``live_session``; else ``{"type": "redirect", "url"}`` (a page load)."""
        self.discard_requests()
        target = navigation.resolve_live(url.partition("?")[0])
        here = navigation.resolve_live(self.url.partition("?")[0])
        group = here.session if here is not None else navigation.DEFAULT_SESSION
        if target is None or target.session != group:
            return {"type": "redirect", "url": url}
        token = socket_mount.issue(self.view.request, target.view_class)
        return {"type": "navigate", "url": url, "replace": replace, "session": token}

    def patched_to(self, url: str, target: navigation.Target, replace: bool) -> dict[str, Any]:
        """The URL becomes ``url`` (served by this LiveView): ``handle_params``, then
        the ``patch`` reply with ``"url"`` and ``"replace"``."""
        followed = self.follow(url, target, replace)
        if isinstance(followed, dict):
            return followed
        reply = self.patch()
        reply["url"], reply["replace"] = followed
        return reply

    def follow(self, url: str, target: navigation.Target, replace: bool) -> tuple[str, bool] | dict[str, Any]:
        """Set the URL to ``url`` and run ``handle_params``, again while it patches
        (at most :data:`MAX_PATCHES` times): the final ``(url, replace)``, or the
        ``navigate``/``redirect`` reply when it calls ``live_redirect``."""
        before = self.url
        for _ in range(MAX_PATCHES):
            self.view.__dict__["_djust_url"] = url
            uri = self.view.request.build_absolute_uri(url)
            try:
                self.view.handle_params(navigation.params(target.kwargs, url.partition("?")[2]), uri)
            except BaseException:
                # The browser stays on the URL it had: so does the view.
                self.view.__dict__["_djust_url"] = before
                self.view.__dict__.pop("_djust_nav", None)
                self.discard_requests()
                raise
            nav = self.view.__dict__.pop("_djust_nav", None)
            if nav is None:
                return url, replace
            if nav[0] == "redirect":
                return self.navigation(nav[1], replace=nav[2])
            _, url, again, target = nav
            replace = replace or again
        raise RuntimeError(f"handle_params called live_patch {MAX_PATCHES} times in a row (last: {url!r})")

    def take_async(self) -> list[background.AsyncRequest]:
        """The ``start_async``/``cancel_async`` requests of the last message, for the
        transport to carry out (:mod:`djust.background`)."""
        return background.take_requests(self.view)

    def discard_requests(self) -> None:
        """Forget the pushes, task and channel requests of a message that failed or
        redirected."""
        take_push_events(self.view)
        background.take_requests(self.view)
        presence.take_requests(self.view)

    def info(self, event: Any, payload: Any) -> dict[str, Any]:
        """A broadcast to a group the view subscribed to (:mod:`djust.presence`):
        ``handle_info(event, **payload)``, then the ``patch`` reply."""
        if not isinstance(event, str) or not isinstance(payload, dict):
            raise EventError("a broadcast has an event name and an object payload", "bad_request")
        try:
            self.view.handle_info(event, **payload)
        except BaseException:
            self.discard_requests()
            raise
        return self.patch()

    def presence(self, op: str, member: str, meta: Any) -> dict[str, Any] | None:
        """A presence message for the view's group (``join``, ``here``, ``heartbeat``,
        ``leave``; ``sweep`` drops silent members): the ``patch`` reply when the list
        changed, else ``None``."""
        view = self.view
        if op == "leave":
            changed = view.presence_gone(member)
        elif op == "sweep":
            changed = view.presence_sweep()
        else:
            changed = view.presence_seen(op, member, meta)
        return self.patch() if changed else None

    def async_result(self, name: str, result: Any, error: BaseException | None) -> dict[str, Any]:
        """Task ``name`` ended: ``handle_async_result`` on the view, then the ``patch``
        reply (the transport adds ``"done": [name]``). What the view's
        ``handle_async_result`` raises propagates, as from a handler."""
        try:
            self.view.handle_async_result(name, result=result, error=error)
        except BaseException:
            self.discard_requests()
            raise
        return self.patch()


def scope_of(value: Any) -> str | None:
    """A ``dj-target`` from the client: an element ``id`` (``"results"`` or
    ``"#results"``), else ``None`` (the whole root is diffed)."""
    if isinstance(value, str) and 0 < len(value) <= 128:
        value = value.removeprefix("#")
        if value and all(c.isalnum() or c in "-_:." for c in value):
            return value
    return None


def with_events(reply: dict[str, Any], events: list[dict[str, Any]]) -> dict[str, Any]:
    """``reply`` with ``"events": [{"event", "payload"}, ...]`` when there are any: the
    client applies the reply's HTML or patches first, then dispatches them in order."""
    if events:
        reply["events"] = events
    return reply
