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

The socket mounts only what the page's URL serves, through the same middleware,
URLconf, decorators and permission checks as the page, and only with the signed token
the page carries (:mod:`djust.mount`). Override ``mount`` (and ``check_permissions``),
not ``get``.
"""

from __future__ import annotations

import asyncio
import re
from types import SimpleNamespace
from typing import Any, ClassVar

from asgiref.sync import sync_to_async
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.templatetags.static import static
from django.views.generic import View

from djust import (
    _rust,
    background,
    components,
    conf,
    navigation,
    persistence,
    presence,
    profiling,
    query_planning,
    state,
    streaming,
    uploads,
)
from djust import mount as socket_mount
from djust.decorators import handlers
from djust.template import backend


class LiveView(View):
    """The base class of LiveViews (see the module documentation)."""

    #: The template, found by djust's template backend (``djust.template.backend``).
    template_name: str | None = None

    #: Templates for ``stream_insert`` items that are not HTML, by stream name
    #: (``{"messages": "chat/_message.html"}``; context ``item`` and ``view``).
    stream_templates: ClassVar[dict[str, str]] = {}

    #: Only signed-in users may open the page or mount the view (upstream's
    #: ``login_required``); others are sent to ``LOGIN_URL``.
    login_required: bool = False

    def mount(self, request: HttpRequest, **kwargs: Any) -> None:
        """Set the initial state. ``kwargs`` are the URL's keyword arguments."""

    def restored(self, request: HttpRequest) -> None:
        """Called instead of ``mount`` when a reconnecting client's view is restored
        from the state backend (:mod:`djust.persistence`): the public attributes are
        back; set private ones (``_name``, not kept) here. Does nothing by default."""

    def handle_params(self, params: dict[str, Any], uri: str) -> None:
        """The page's URL: after ``mount`` (page load and socket mount), and after
        each live patch (``live_patch``, a ``dj-patch`` link, back/forward).
        ``params``: the URL's keyword arguments and query (a repeated key → a list);
        ``uri``: the absolute URL. Phoenix's ``handle_params``
        (:mod:`djust.navigation`)."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        """The template's context: the validated public state, plus ``view``."""
        context = state.validate(self)
        context.setdefault("view", self)
        context.update(kwargs)
        return context

    def check_permissions(self, request: HttpRequest) -> bool:
        """Whether ``request`` may use this view, checked on the page load and on every
        WebSocket mount after ``login_required``. Override to restrict (staff only, …)."""
        return True

    def needs_login(self, request: HttpRequest) -> bool:
        """``login_required`` and nobody is signed in."""
        user = getattr(request, "user", None)
        return self.login_required and not (user is not None and user.is_authenticated)

    def allowed(self, request: HttpRequest) -> bool:
        """``login_required`` and ``check_permissions`` together."""
        return not self.needs_login(request) and bool(self.check_permissions(request))

    def handle_info(self, event: str, **params: Any) -> None:
        """A message from a live component (``send_parent(event, **params)``) that no
        ``@event_handler`` of this view is named for. Override to receive them; by
        default it raises ``djust.components.ComponentError``."""
        raise components.no_receiver(self, event)

    def push_event(self, event: str, payload: dict[str, Any] | None = None) -> None:
        """Send the browser the event ``event`` with ``payload`` (a JSON object) after
        this handler's patches are applied: ``handleEvent(event, callback)`` callbacks
        (in hooks, or ``window.djust.handleEvent``) receive ``payload``, and the
        LiveView's root dispatches a ``djust:push_event`` DOM event (``detail``:
        ``{event, payload}``) that bubbles to ``document`` and ``window``. Phoenix's
        ``push_event``; upstream djust's ``push_event(name, payload)``.

        Callable from ``mount``, event handlers, ``handle_info`` and live components
        (``self.push_event`` there sends through the parent). Events pushed by a handler
        that raises, or that redirects, are not sent. ``TypeError`` when ``event`` is not
        a non-empty string or ``payload`` is not a dict Django's JSON encoder can write.
        """
        self.__dict__.setdefault("_push_events", []).append(push_event_message(event, payload))

    # -- broadcast (djust.presence) -----------------------------------------------------

    def subscribe(self, group: str) -> None:
        """Receive what is broadcast to ``group`` (any text): each message runs
        ``handle_info(event, **payload)`` and re-renders. Callable from ``mount`` and
        handlers; kept across a reconnect. ``TypeError`` for a bad group."""
        presence.check_group(group)
        self.__dict__.setdefault("_djust_groups", set()).add(group)
        presence.request(self, ("subscribe", group))

    def unsubscribe(self, group: str) -> None:
        """Stop receiving ``group``'s broadcasts."""
        self.__dict__.setdefault("_djust_groups", set()).discard(group)
        presence.request(self, ("unsubscribe", group))

    def broadcast(self, group: str, event: str, payload: dict[str, Any] | None = None) -> None:
        """Send ``event`` with ``payload`` (a JSON object) to every LiveView subscribed
        to ``group``, on every worker, this one included, once this message's reply is
        sent. Phoenix's ``PubSub.broadcast``. ``TypeError`` for a bad group, event or
        payload; a handler that raises broadcasts nothing."""
        presence.request(self, ("broadcast", presence.broadcast_message(group, event, payload)))

    # -- uploads (djust.uploads) -------------------------------------------------------

    def allow_upload(
        self,
        name: str,
        accept: Any = (),
        max_entries: int = 1,
        max_file_size: int = 8_000_000,
        chunk_size: int = 64_000,
    ) -> uploads.Upload:
        """Accept files for ``<input type="file" dj-upload="name">`` (call it in
        ``mount``): ``accept`` lists ``.ext`` and MIME patterns (``"image/*"``; empty: any
        type), at most ``max_entries`` files of at most ``max_file_size`` bytes each, sent
        in chunks of ``chunk_size`` bytes (capped to fit ``DJUST["MAX_MESSAGE_SIZE"]``).
        Phoenix's ``allow_upload``. ``TypeError`` for a bad argument."""
        return uploads.configure(self, name, accept, max_entries, max_file_size, chunk_size, conf.max_message_size())

    @property
    def uploads(self) -> Any:
        """The uploads by name, for templates: ``view.uploads.photos.entries`` (each with
        ``name``, ``size``, ``type``, ``progress``, ``done``, ``errors``) and
        ``view.uploads.photos.errors``."""
        return SimpleNamespace(**uploads.uploads_of(self))

    def consume_uploaded_entries(self, name: str, func: Any) -> list[Any]:
        """``func(path, entry)`` for each complete file of the upload ``name`` (save it
        somewhere: the temporary file is deleted afterwards); the results, in order.
        Phoenix's ``consume_uploaded_entries``."""
        return uploads.consume(self, name, func)

    def cancel_upload(self, name: str, entry_id: str | None = None) -> None:
        """Forget the entry ``entry_id`` of the upload ``name`` (all of them when
        ``None``) and its file."""
        upload = uploads.get(self, name)
        upload.clear(None if entry_id is None else [upload.entry(entry_id)])

    # -- streaming (async handlers; djust.streaming) -----------------------------------

    async def stream_to(self, name: str, target: str | None = None) -> None:
        """Start the stream ``name``: its container (``dj-stream="name"``, or the
        element ``target`` selects) loses its earlier items and is marked
        ``data-stream-active`` until the handler ends. :class:`djust.streaming.StreamError`
        outside an ``async`` handler."""
        await streaming.outbox_of(self).add(streaming.op("start", name, target))

    async def stream_insert(self, name: str, html_or_item: Any, at: str = "append", target: str | None = None) -> None:
        """Add an item to the stream ``name``, at its end (``at="append"``) or start
        (``"prepend"``): ``html_or_item`` is HTML (a ``str``: escape what users wrote),
        or an object rendered with ``stream_templates[name]``."""
        if at not in ("append", "prepend"):
            raise ValueError(f"stream_insert: at is 'append' or 'prepend', not {at!r}")
        outbox = streaming.outbox_of(self)
        if isinstance(html_or_item, str):
            html = html_or_item
        else:
            template = self.stream_templates.get(name)
            if template is None:
                raise TypeError(
                    f"stream_insert({name!r}): pass HTML, or name a template for the stream in stream_templates"
                )
            html = await sync_to_async(
                lambda: backend().get_template(template).render({"item": html_or_item, "view": self})
            )()
        await outbox.add(streaming.op("insert", name, target, html=str(html), at=at))

    async def stream_text(self, name: str, text: str, target: str | None = None) -> None:
        """Append ``text`` (shown as text, never parsed as HTML) to the stream ``name``:
        the token-by-token case. Consecutive texts are merged into one message."""
        await streaming.outbox_of(self).add(streaming.op("text", name, target, text=str(text)))

    async def stream_delete(self, name: str, selector_or_id: str, target: str | None = None) -> None:
        """Remove the stream's items with the ``id`` ``selector_or_id`` (or that match
        it as a CSS selector)."""
        if not isinstance(selector_or_id, str) or not selector_or_id:
            raise TypeError(f"stream_delete: an id or a CSS selector, not {selector_or_id!r}")
        key = "id" if _PLAIN_ID.fullmatch(selector_or_id) else "selector"
        await streaming.outbox_of(self).add(streaming.op("delete", name, target, **{key: selector_or_id}))

    async def push_state(self) -> None:
        """Render now and send the patch (after the stream operations queued before),
        in the middle of an ``async`` handler."""
        await streaming.outbox_of(self).push_state()

    def start_async(self, callback: Any, *args: Any, name: str | None = None, **kwargs: Any) -> None:
        """Run ``callback(*args, **kwargs)`` in the background once this message's
        reply is sent, as task ``name`` (default: the callback's name); when it ends,
        :meth:`handle_async_result` runs and the view re-renders. Phoenix's
        ``start_async``, upstream djust's arguments (:mod:`djust.background`).
        ``TypeError`` for a callback that is not callable or a bad name."""
        background.request_start(self, callback, args, name, kwargs)

    def cancel_async(self, name: str) -> None:
        """Cancel the task ``name``: its result is dropped and
        :meth:`handle_async_result` gets ``error=asyncio.CancelledError()``. Nothing
        happens when no such task runs."""
        background.request_cancel(self, name)

    def handle_async_result(self, name: str, result: Any = None, error: BaseException | None = None) -> None:
        """A task of :meth:`start_async` ended, with its return value or its exception.
        Override to use the result; by default errors are re-raised (the client gets an
        ``error`` reply and its loading state ends) and cancellations ignored."""
        if error is not None and not isinstance(error, asyncio.CancelledError):
            raise error

    def live_patch(self, params: dict[str, Any] | None = None, path: str | None = None, replace: bool = False) -> None:
        """Change the page's URL without mounting again: ``path`` (default: the current
        path) with ``params`` as its query. After this handler, ``handle_params`` runs
        with the new URL and the browser's history gets the URL (``replace``: replacing
        the current entry). ``ValueError`` when ``path`` is served by another view (use
        :meth:`live_redirect`)."""
        current = self.__dict__.get("_djust_url") or self.request.get_full_path()
        target_path = path if path is not None else current.partition("?")[0]
        url = navigation.build_url(target_path, params)
        target = navigation.resolve_live(target_path)
        if target is None or target.view_class is not type(self):
            raise ValueError(f"live_patch({url!r}): that URL is not served by {type(self).__name__}; use live_redirect")
        self.__dict__["_djust_nav"] = ("patch", url, bool(replace), target)

    def live_redirect(self, path: str, params: dict[str, Any] | None = None, replace: bool = False) -> None:
        """Go to the LiveView ``path`` serves (with ``params`` as its query) after this
        handler: over the same socket without a page load when it is a LiveView of
        this view's ``live_session``, else by loading the page. ``path`` may also be a
        URL pattern name, as for :meth:`redirect`."""
        url = navigation.build_url(resolve_url(path), params)
        self.__dict__["_djust_nav"] = ("redirect", url, bool(replace), None)

    def redirect(self, to: Any, *args: Any, **kwargs: Any) -> None:
        """Send the browser to another page after this event: ``to`` is a URL, a URL
        pattern name (with ``args``/``kwargs``) or a model, as for Django's
        ``redirect()``."""
        self._redirect_url = resolve_url(to, *args, **kwargs)

    # -- HTTP ---------------------------------------------------------------------------

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The page (HTML with the client and the page token), or, for a WebSocket
        mount (:func:`djust.mount.mount`), the mounted view itself. Both check
        ``login_required`` and ``check_permissions`` first."""
        if self.needs_login(request):
            # Imported here: django.contrib.auth.views needs the auth app's models.
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        if not self.check_permissions(request):
            raise PermissionDenied
        token = getattr(request, "djust_mount", None)
        if token is not None:
            refusal = token.refusal(type(self), request)
            if refusal is not None:
                return socket_mount.MountRefused(refusal)
            span = profiling.current() if profiling.ENABLED else None
            if span is None:
                self._mount_at(request, kwargs)
            else:
                span.view = profiling.view_path(self)
                started = profiling.now()
                self._mount_at(request, kwargs)
                profiling.add_part(span, "handler", started)
            return socket_mount.MountResponse(self)
        with profiling.span("http", profiling.view_path(self), "GET") as span:
            with profiling.part("handler"):
                self._mount_at(request, kwargs)
            with components.rendering(self), profiling.part("render"):
                html = self.get_template().render(self.planned_context_data(), request)
            if span is not None:
                span.bytes = len(html.encode())
        token = socket_mount.issue(request, type(self))
        return HttpResponse(with_client_script(with_page_token(html, token, socket_mount.class_path(type(self)))))

    def _mount_at(self, request: HttpRequest, kwargs: dict[str, Any]) -> None:
        """``mount`` then ``handle_params`` for the request's URL; for a LiveView a page
        embeds (``{% live_render %}``), ``mount`` with the tag's keyword arguments. A
        socket mount that asks to restore (``"restore": sid``) gets the state kept by
        the state backend instead, when it fits (:mod:`djust.persistence`)."""
        token = getattr(request, "djust_mount", None)
        restore = getattr(request, "djust_restore", None)
        if token is not None and restore is not None and persistence.restore(self, request, restore, token.embedded):
            return  # a reconnect: the kept state, not a new mount
        if token is not None and token.embedded:
            self._djust_embedded = True
            self.mount(request, **token.kwargs)
            return
        self.mount(request, **kwargs)
        self._djust_url = request.get_full_path()
        self.handle_params(
            navigation.params(kwargs, request.META.get("QUERY_STRING", "")), request.build_absolute_uri()
        )

    # -- rendering ----------------------------------------------------------------------

    def get_template(self) -> Any:
        """The template (a ``djust.template.backends.Template``; its ``template`` is the
        compiled ``djust._rust.Template``)."""
        if not self.template_name:
            raise TypeError(f"{type(self).__name__} has no template_name.")
        return backend().get_template(self.template_name)

    def render_context(self) -> dict[str, Any]:
        """The context of a render: ``get_context_data()`` with its QuerySets planned
        (:mod:`djust.query_planning`) and the request's values, as the template backend
        applies them."""
        return backend().make_context(self.planned_context_data(), getattr(self, "request", None))

    def planned_context_data(self) -> dict[str, Any]:
        """``get_context_data()`` with each unevaluated QuerySet given the
        ``select_related``/``prefetch_related`` the template's reads need
        (``DJUST["QUERY_PLANNING"]``)."""
        context = self.get_context_data()
        if query_planning.wanted(context):
            query_planning.plan(context, self.get_template().template)
        return context

    @classmethod
    def event_handlers(cls) -> dict[str, str]:
        """Event name → method name, for the methods marked with ``@event_handler``."""
        return handlers(cls)


def push_event_message(event: Any, payload: Any) -> dict[str, Any]:
    """``{"event": event, "payload": payload}`` as a reply's ``events`` carries it, with
    ``event`` and ``payload`` checked (see :meth:`LiveView.push_event`): the error
    points at the call, not at the reply's encoding later."""
    if not isinstance(event, str) or not event:
        raise TypeError(f"push_event: the event name must be a non-empty string, not {event!r}")
    if payload is None:
        payload = {}
    if not isinstance(payload, dict):
        raise TypeError(f"push_event({event!r}): the payload must be a dict, not {type(payload).__name__}")
    try:
        _rust.dumps(payload, compact=True)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"push_event({event!r}): the payload cannot be sent as JSON: {exc}") from None
    return {"event": event, "payload": payload}


def take_push_events(view: Any) -> list[dict[str, Any]]:
    """The events ``view`` pushed since the last call (and forget them)."""
    return view.__dict__.pop("_push_events", None) or []


_PLAIN_ID = re.compile(r"[A-Za-z][\w-]*")

_DJ_VIEW_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)(?=[^<>]*?\sdj-view(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+))?[\s/>])")


def with_page_token(html: str, token: str, view_path: str) -> str:
    """``html`` with ``dj-session="token"`` on the LiveView's root: the first element
    whose ``dj-view`` names ``view_path``, else the first with a ``dj-view``. The
    client sends the token with its mount (:mod:`djust.mount`). The token is URL-safe
    base64 and ``:``, so it needs no escaping."""
    chosen = None
    for match in _DJ_VIEW_TAG.finditer(html):
        value = (match.group(2) or "").strip("\"'")
        if value == view_path:
            chosen = match
            break
        if chosen is None:
            chosen = match
    if chosen is None:
        return html
    at = chosen.end(1)
    return f'{html[:at]} dj-session="{token}"{html[at:]}'


def with_client_script(html: str) -> str:
    """``html`` with the client (``djust/client.js``, a static file) loaded before
    ``</body>``, unless the page already loads it."""
    if "djust/client.js" in html:
        return html
    tag = f'<script src="{static("djust/client.js")}" defer></script>'
    at = html.rfind("</body>")
    return html[:at] + tag + html[at:] if at >= 0 else html + tag
