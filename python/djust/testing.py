"""Testing LiveViews without a browser or a server.

    from djust.testing import LiveViewTestClient

    def test_increment():
        client = LiveViewTestClient(CounterView)
        assert client.state["count"] == 0
        client.event("increment")
        assert client.state["count"] == 1
        client.assert_patched(text="1")

:class:`LiveViewTestClient` mounts a LiveView through the code the WebSocket runs:
the view's ``as_view()`` with a ``GET`` request (so ``login_required``,
``check_permissions`` and ``mount(request, **url_kwargs)`` run as for a socket mount),
then :class:`djust.session.Session` renders it and handles ``event`` and ``model``
exactly as the consumer does, and the replies are the protocol's (``mounted``,
``patch``, ``redirect``, ``error``), with the events the view pushed
(``pushed_events``, ``assert_push_event``). Background work (``start_async``,
``@background``) waits until the test runs it with ``await_async()``, as a socket
would run it after sending the reply: ``pending_async`` lists it. It works in ``django.test.TestCase``, in
pytest-django and in plain pytest with settings configured; a view that uses the ORM
needs the test database as any Django test does.
"""

from __future__ import annotations

import asyncio
from typing import Any

from asgiref.sync import async_to_sync
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.base import SessionBase
from django.test import RequestFactory

from djust import background, components, presence
from djust import mount as socket_mount
from djust import state as live_state
from djust.session import EventError, Session


class MountRefused(AssertionError):
    """The view did not mount: it redirected (``login_required``), refused
    (``check_permissions``) or failed. ``response`` is what its ``get`` returned."""

    def __init__(self, message: str, response: Any) -> None:
        super().__init__(message)
        self.response = response


class LiveViewTestClient:
    """A mounted LiveView and a client for it (see the module documentation).

    ``LiveViewTestClient(ViewClass, user=None, *, path="/", session=None,
    **url_kwargs)``: ``user`` is the request's user (``AnonymousUser`` by default),
    ``path`` the page's path (with a query string if the view reads one), ``session``
    a ``SessionBase`` (a fresh in-memory one by default), ``url_kwargs`` what the
    URLconf would pass. Raises :class:`MountRefused` when the view answers with a
    response instead of mounting (``login_required`` redirects); an exception the view
    raises (``PermissionDenied`` from ``check_permissions``, a bug in ``mount``)
    propagates, as from a Django view called with a ``RequestFactory`` request.
    """

    def __init__(
        self,
        view_class: type,
        user: Any = None,
        *,
        path: str = "/",
        session: SessionBase | None = None,
        **url_kwargs: Any,
    ) -> None:
        request = RequestFactory().get(path)
        request.user = user if user is not None else AnonymousUser()
        request.session = session if session is not None else _memory_session()
        # The token a page would carry: for this class, bound to this request.
        request.djust_mount = socket_mount.PageToken(  # type: ignore[attr-defined]
            view=socket_mount.class_path(view_class), binding=socket_mount.binding(request)
        )
        response = view_class.as_view()(request, **url_kwargs)
        if not isinstance(response, socket_mount.MountResponse):
            where = response.get("Location", "") if hasattr(response, "get") else ""
            raise MountRefused(f"{view_class.__name__} did not mount: {response.status_code} {where}".strip(), response)
        self.request = request
        self.session = Session(response.liveview)
        # Background tasks started and not yet run, in order: (name, request), the
        # request None for one cancelled before it ran.
        self._tasks: list[tuple[str, background.AsyncRequest | None]] = []
        #: What the last ``async`` handler sent while it ran: ``stream`` messages and
        #: ``push_state`` patches, in order.
        self.streamed: list[dict[str, Any]] = []
        #: Broadcasts the view sent (``self.broadcast``), in order: ``(group, event,
        #: payload)``.
        self.broadcasts: list[tuple[str, str, dict[str, Any]]] = []
        #: The groups the view is subscribed to (``self.subscribe``).
        self.groups: set[str] = set()
        #: The last reply: ``mounted`` after construction, then each event's.
        self.reply: dict[str, Any] = self.session.mounted()
        self._start_tasks(self.reply)
        self._channel_ops()

    # -- what the client sends ------------------------------------------------------

    def event(self, name: str, /, **params: Any) -> dict[str, Any]:
        """Send the event ``name`` with ``params`` (as ``dj-click`` and friends do):
        the reply (``patch``, ``redirect`` or ``error`` with a ``code``). ``name`` is
        positional only, so a form's own ``name`` field can be one of ``params``. An ``async
        def`` handler runs to its end; what it streamed meanwhile is in ``streamed``."""
        return self._send(lambda: self._event(name, params, None))

    def targeted_event(self, element_id: str, name: str, /, **params: Any) -> dict[str, Any]:
        """Send the event ``name`` from an element with ``dj-target="#element_id"``:
        only that element's children are patched now (the rest follows with the next
        reply)."""
        return self._send(lambda: self._event(name, params, None, element_id))

    def _event(
        self, name: str, params: dict[str, Any], component: str | None, scope: str | None = None
    ) -> dict[str, Any]:
        self.streamed = []
        target, method, params = self.session.handler_for(name, params, component)
        if not self.session.is_async(target, method):
            return self.session.call(target, method, params, scope)

        async def record(message: dict[str, Any]) -> None:
            self.streamed.append(message)

        # async_to_sync: the renders (sync_to_async) run in this thread, with its
        # database connection, as the test's own queries do.
        return async_to_sync(self.session.acall)(target, method, params, record)

    def navigate(self, url: str, mode: str = "patch") -> dict[str, Any]:
        """Follow a ``dj-patch`` (``mode="patch"``, also back/forward) or ``dj-navigate``
        (``mode="navigate"``) link to ``url``: the reply, a ``patch`` with ``"url"``
        when the view's ``handle_params`` took it, else ``navigate`` (another LiveView,
        with the page token to mount it) or ``redirect`` (a page load)."""
        return self._send(lambda: self.session.navigate(url, mode))

    def upload(self, name: str, files: list[tuple[str, bytes, str]]) -> dict[str, Any]:
        """Choose ``files`` (``(filename, content, mime type)``) for the
        ``<input dj-upload="name">`` and send the accepted ones in chunks, as the
        browser does (:mod:`djust.uploads`): the last reply (the start's, with the
        refusals, when none was accepted)."""
        entries = [
            {"id": str(i), "name": f, "size": len(data), "type": mime} for i, (f, data, mime) in enumerate(files)
        ]
        reply = self._send(lambda: self.session.upload(name, entries))
        if reply.get("type") != "patch":
            return reply
        size = reply["upload"]["chunk"]
        for entry_id in reply["upload"]["accepted"]:
            data = files[int(entry_id)][1]
            for offset in range(0, max(len(data), 1), size):
                header = {"name": name, "id": entry_id, "offset": offset}
                piece = data[offset : offset + size]
                reply = self._send(lambda h=header, p=piece: self.session.upload_chunk(h, p))
                if reply.get("type") != "patch":
                    return reply
        return reply

    @property
    def url(self) -> str:
        """The page's URL (path and query) after the last live patch."""
        return self.session.url

    def component_event(self, component_id: str, name: str, /, **params: Any) -> dict[str, Any]:
        """Send the event ``name`` from inside the live component ``component_id`` (as
        a ``dj-click`` in its template does): its handler runs; the reply."""
        return self._send(lambda: self._event(name, params, component_id))

    def live_component(self, component_id: str) -> Any:
        """The live component with id ``component_id`` (``KeyError`` if the last render
        has none)."""
        return components.live_components(self.session.view)[component_id]

    def model(self, field: str, value: Any) -> dict[str, Any]:
        """Set a ``dj-model`` field as the browser does (``value`` as the field holds
        it: text, a boolean for a checkbox): the reply."""
        return self._send(lambda: self.session.model(field, value))

    def await_async(self, name: str | None = None) -> dict[str, Any]:
        """Run the background tasks started so far (only task ``name`` when given), in
        the order they were started, each followed by the view's
        ``handle_async_result`` and a re-render, as the socket does when a task ends:
        the last reply (a ``patch`` with ``"done": [name]``). A task's own exception
        goes to ``handle_async_result``; what that raises propagates. ``AssertionError``
        when no such task is pending."""
        chosen = [t for t in self._tasks if name is None or t[0] == name]
        if not chosen:
            raise AssertionError(f"no background task {name or ''} is pending (pending: {self.pending_async})".strip())
        for task in chosen:
            if task not in self._tasks:
                continue  # superseded or cancelled by an earlier task's result
            self._tasks.remove(task)
            task_name, request = task
            result: Any = None
            error: BaseException | None = asyncio.CancelledError() if request is None else None
            if request is not None:
                try:
                    result = background.run_inline(request)
                except Exception as exc:  # noqa: BLE001 - handle_async_result decides
                    error = exc
            self._send(lambda n=task_name, r=result, e=error: self.session.async_result(n, r, e))
            self.reply["done"] = [task_name]
        return self.reply

    @property
    def pending_async(self) -> list[str]:
        """The names of the background tasks started and not yet run (``await_async``)."""
        return [name for name, _ in self._tasks]

    def _send(self, action: Any) -> dict[str, Any]:
        try:
            self.reply = action()
        except EventError as exc:
            self.reply = {"type": "error", "code": exc.code, "message": str(exc)}
        self._start_tasks(self.reply)
        self._channel_ops()
        return self.reply

    # -- broadcast and presence (djust.presence) --------------------------------------

    #: Deliveries one message may cause (a handle_info that broadcasts to its own group).
    MAX_DELIVERIES = 100

    def _channel_ops(self) -> None:
        """The view's subscribe/broadcast/track requests, carried out as for a socket
        alone on its channel layer: a broadcast to a group the view is subscribed to
        comes back to it (``handle_info``, a re-render: the new ``reply``), and a
        tracked presence lists the view itself."""
        view = self.session.view
        for _ in range(self.MAX_DELIVERIES):
            ops = presence.take_requests(view)
            if not ops:
                return
            for op in ops:
                kind = op[0]
                if kind == "subscribe":
                    self.groups.add(op[1])
                elif kind == "unsubscribe":
                    self.groups.discard(op[1])
                elif kind == "broadcast":
                    message = op[1]
                    self.broadcasts.append((message["group"], message["event"], message["payload"]))
                    if message["group"] in self.groups:
                        self.reply = self.session.info(message["event"], message["payload"])
                elif kind == "track":
                    tracked = view.__dict__.get("_djust_presence")
                    if tracked is not None:
                        tracked["self"] = self.PRESENCE_ID
                        reply = self.session.presence("join", self.PRESENCE_ID, op[2])
                        self.reply = reply or self.reply
        raise AssertionError(f"more than {self.MAX_DELIVERIES} broadcasts delivered for one message (a loop?)")

    #: The member id of the tested view's own presence.
    PRESENCE_ID = "test-client|"

    def receive_broadcast(self, group: str, event: str, **payload: Any) -> dict[str, Any]:
        """Another view (or ``djust.presence.broadcast``) sent ``event`` to ``group``:
        ``handle_info(event, **payload)`` and the ``patch`` reply. ``AssertionError``
        when the view is not subscribed to ``group``."""
        if group not in self.groups:
            raise AssertionError(f"the view is not subscribed to {group!r} (its groups: {sorted(self.groups)})")
        return self._send(lambda: self.session.info(event, payload))

    def presence_join(self, member_id: str, **meta: Any) -> dict[str, Any]:
        """Another member joins the view's presence group with ``meta``
        (``handle_presence_join``): the reply (``patch``; the last one when nothing
        changed)."""
        return self._send(lambda: self.session.presence("join", member_id, meta) or self.reply)

    def presence_leave(self, member_id: str) -> dict[str, Any]:
        """A member leaves (``handle_presence_leave``): the reply, as for a join."""
        return self._send(lambda: self.session.presence("leave", member_id, None) or self.reply)

    def assert_broadcast(self, group: str, event: str, payload: dict[str, Any] | None = None) -> None:
        """The view broadcast ``event`` to ``group`` (with exactly ``payload``, when
        given) since the client was made."""
        for g, e, p in self.broadcasts:
            if g == group and e == event and (payload is None or p == payload):
                return
        raise AssertionError(f"no broadcast {event!r} to {group!r} (broadcasts: {self.broadcasts})")

    def _start_tasks(self, reply: dict[str, Any]) -> None:
        """The view's ``start_async``/``cancel_async`` requests, as the consumer treats
        them: a start supersedes a pending task of its name, a cancel turns it into a
        ``CancelledError`` result; the started ones go in ``reply["pending"]``."""
        pending = []
        for request in self.session.take_async():
            queued = [t for t in self._tasks if t[0] == request.name]
            if request.callback is None:
                for t in queued:
                    self._tasks[self._tasks.index(t)] = (request.name, None)
                continue
            for t in queued:
                self._tasks.remove(t)
            self._tasks.append((request.name, request))
            pending.append(request.name)
        if pending:
            reply["pending"] = pending

    # -- what the test reads --------------------------------------------------------

    @property
    def view(self) -> Any:
        """The LiveView instance."""
        return self.session.view

    @property
    def state(self) -> dict[str, Any]:
        """The view's public state (what its template sees), validated as for a render."""
        return live_state.validate(self.session.view)

    @property
    def html(self) -> str:
        """The LiveView root's HTML (with ``dj-id``s) after the last render."""
        return self.session.html

    @property
    def patches(self) -> list[dict[str, Any]]:
        """The patches of the last event (``docs/protocol.md``); ``[]`` when the last
        reply was not a patch."""
        return list(self.reply.get("patches", [])) if self.reply.get("type") == "patch" else []

    @property
    def pushed_events(self) -> list[tuple[str, dict[str, Any]]]:
        """The ``(event, payload)`` pairs the view pushed (``push_event``) with the last
        reply, in order; ``[]`` when it pushed none."""
        return [(e["event"], e["payload"]) for e in self.reply.get("events", ())]

    # -- assertions -----------------------------------------------------------------

    def assert_push_event(self, event: str, payload: dict[str, Any] | None = None) -> None:
        """The last reply pushed ``event`` (with exactly ``payload`` when given): fails
        with the events it did push."""
        if not any(name == event and (payload is None or sent == payload) for name, sent in self.pushed_events):
            raise AssertionError(f"no push_event {event!r} with payload {payload!r} in {self.pushed_events}")

    def assert_patched(self, *, op: str | None = None, text: str | None = None) -> None:
        """The last event produced a patch (of kind ``op``; setting text ``text`` when
        given): fails with the patches it did produce."""
        if self.reply.get("type") != "patch":
            raise AssertionError(f"the last reply is not a patch: {self.reply}")
        found = [
            p
            for p in self.patches
            if (op is None or p.get("op") == op) and (text is None or text in str(p.get("text", p.get("html", ""))))
        ]
        if not found:
            raise AssertionError(f"no patch with op={op!r} text={text!r} in {self.patches}")

    def assert_not_patched(self) -> None:
        """The last event changed nothing on the page."""
        if self.reply.get("type") != "patch" or self.patches:
            raise AssertionError(f"expected no patches, got {self.reply}")

    def assert_redirect(self, url: str | None = None) -> None:
        """The last event redirected (to ``url`` when given)."""
        if self.reply.get("type") != "redirect" or (url is not None and self.reply.get("url") != url):
            raise AssertionError(f"expected a redirect to {url!r}, got {self.reply}")

    def assert_error(self, code: str | None = None) -> None:
        """The last message was refused (with ``code`` when given: ``invalid``,
        ``bad_request``, …)."""
        if self.reply.get("type") != "error" or (code is not None and self.reply.get("code") != code):
            raise AssertionError(f"expected an error {code!r}, got {self.reply}")


class LiveComponentTestClient(LiveViewTestClient):
    """A :class:`~djust.components.LiveComponent` mounted alone, in a minimal LiveView
    whose template is ``{% live_component ComponentClass id="component" **props %}``:
    ``LiveComponentTestClient(Cart, user=None, **props)``. ``event(name, **params)``
    goes to the component; ``component`` is the instance; ``sent_to_parent`` lists the
    ``(event, params)`` it sent with ``send_parent``. Prop names must be identifiers.
    The rest (``html``, ``patches``, the assertions) is :class:`LiveViewTestClient`'s.
    """

    def __init__(self, component_class: type, user: Any = None, **props: Any) -> None:
        self.sent_to_parent: list[tuple[str, dict[str, Any]]] = []
        super().__init__(_component_host(component_class, props, self.sent_to_parent), user=user)

    @property
    def component(self) -> Any:
        """The component instance."""
        return components.live_components(self.session.view)["component"]

    def event(self, name: str, /, **params: Any) -> dict[str, Any]:
        """Send the event ``name`` from inside the component: the reply."""
        return self.component_event("component", name, **params)

    def update(self, **props: Any) -> dict[str, Any]:
        """Render again with the props given at construction changed to ``props`` (as
        a parent does; the component's ``update`` runs): the reply."""
        unknown = set(props) - set(self.session.view._props)
        if unknown:
            raise TypeError(f"only the props given at construction can change, not {sorted(unknown)}")
        self.session.view._props.update(props)
        return self._send(self.session.patch)


def _prop_name(name: str) -> str:
    if not name.isidentifier():
        raise TypeError(f"a prop name must be an identifier, not {name!r}")
    return name


def _component_host(component_class: type, props: dict[str, Any], inbox: list) -> type:
    """A LiveView class that renders only ``component_class`` with ``props``."""
    from djust.live_view import LiveView
    from djust.template import backend

    names = sorted(props)
    passed = " ".join(f"{_prop_name(name)}=props.{name}" for name in names)
    source = f'<div dj-root dj-view="djust.testing.ComponentHost">{{% live_component component id="component" {passed} %}}</div>'
    path = socket_mount.class_path(component_class)

    class ComponentHost(LiveView):
        def mount(self, request: Any, **kwargs: Any) -> None:
            self._props = dict(props)

        def get_template(self) -> Any:
            return backend().from_string(source)

        def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
            context = super().get_context_data(**kwargs)
            context.update(props=self._props, component=path)
            return context

        def handle_info(self, event: str, **params: Any) -> None:
            inbox.append((event, params))

    return ComponentHost


def _memory_session() -> SessionBase:
    """A session kept in memory (no database, no cookie)."""

    class MemorySession(SessionBase):
        def exists(self, session_key: str) -> bool:
            return False

        def create(self) -> None:
            self._session_key = self._get_new_session_key()

        def save(self, must_create: bool = False) -> None:
            if self.session_key is None:
                self.create()

        def delete(self, session_key: str | None = None) -> None:
            self._session_cache = {}

        def load(self) -> dict[str, Any]:
            return {}

    return MemorySession()
