"""The WebSocket side of LiveViews (Django Channels): the transport, its limits and its
errors. What a message does to the mounted view is :class:`djust.session.Session`'s.

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
- ``{"type": "event", "name": "inc", "params": {"value": ..., "id": "7"}, "ref": 3}``
  (``"target": "results"`` from ``dj-target="#results"``: only that element is patched):
  call the ``@event_handler`` named ``name`` with ``params`` as keyword arguments,
  re-render and answer ``{"type": "patch", "patches": [...], "v": n, "ref": 3}``
  (``docs/protocol.md``; ``patches`` may be empty). With ``"component": "cart"`` (an
  event from inside a ``{% live_component %}``'s root, marked ``dj-component``), the
  handler is the live component's (:mod:`djust.components`).
- ``{"type": "model", "field": "title", "value": "Hi", "ref": 4}``: ``dj-model`` — set
  the public state attribute ``field`` to ``value``, converted to the attribute's type
  (:mod:`djust.model_binding`), and answer with patches as for an event. Only fields
  the page binds with ``dj-model`` in its last render are accepted.

Events the view pushes (``self.push_event(name, payload)`` in ``mount`` or a handler)
ride on the ``mounted`` or ``patch`` reply as ``"events": [{"event": name, "payload":
{...}}, ...]``, in order; the client dispatches them after applying the reply.

Background work (:mod:`djust.background`): the reply to a message whose handler called
``self.start_async(...)`` (or a ``@background`` handler) lists the tasks it started,
``"pending": [name, ...]``; each task runs as an asyncio task of this socket, and when
it ends the view's ``handle_async_result`` runs and an unrequested ``patch`` (or
``error``) goes out with ``"done": [name]``. Messages and task results are handled one
at a time per socket, in order; a closed socket or a new mount cancels its tasks.

Live navigation (:mod:`djust.navigation`): ``{"type": "navigate", "url": "/shop/?page=2",
"mode": "patch" | "navigate", "ref": 5}`` (a ``dj-patch``/``dj-navigate`` link, the
browser's back/forward) is answered with a ``patch`` carrying ``"url"`` when it is the
same path of the mounted LiveView in ``patch`` mode (``handle_params`` runs); with
``{"type": "navigate", "url", "replace", "session"}`` when it is another LiveView of
the same ``live_session``, a page token the client then mounts with (that mount counts
against the event rate, not the mount rate); else with a ``redirect``. A handler's
``live_patch``/``live_redirect`` produce the same replies. The ``mounted`` reply
carries ``"routes"``, the route map of the view's ``live_session``.

An ``async def`` handler runs on the event loop and may stream
(:mod:`djust.streaming`): ``{"type": "stream", "ops": [...]}`` messages and
``push_state`` patches go out while it runs, before its reply.

Uploads (:mod:`djust.uploads`): ``{"type": "upload", "name", "entries": [...]}`` when
files are chosen, then binary frames (a 2-byte header length, a JSON header, the bytes)
for each accepted file; each is answered with a patch carrying ``"upload"``. Binary
frames that are not upload chunks are refused with ``bad_frame``.

Kept state (:mod:`djust.persistence`): the ``mounted`` reply carries ``"sid"``, the key
the view's state is kept under after each message; a reconnecting client mounts with
``"restore": sid`` and, when the record fits, gets ``"restored": true`` and the view as
it was instead of a new ``mount()``.

Broadcast and presence (:mod:`djust.presence`): the socket joins channel layer groups
for its views; a broadcast runs their ``handle_info`` and sends an unrequested ``patch``,
a presence change too. ``{"type": "cursor", "x", "y"}`` (a live cursor over
``dj-cursors``) gets no reply; the other members get ``{"type": "cursor", "id", "x", "y",
"meta"}`` (``"gone": true`` when the member leaves).

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

import asyncio
import inspect
import json
import logging
import secrets
import traceback
from typing import Any

from asgiref.sync import sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from djust import _rust, background, conf, navigation, origin, presence, profiling, state_backends, uploads
from djust import mount as socket_mount
from djust.ratelimit import TokenBucket
from djust.session import EventError, Session, one_line

logger = logging.getLogger("djust")


def view_id_of(content: dict[str, Any]) -> str:
    """A message's ``view_id`` (``""`` when absent or not a string)."""
    value = content.get("view_id", "")
    return value if isinstance(value, str) else ""


def _reject_constant(name: str) -> Any:
    # JSON has no NaN or Infinity; Python's parser would accept them.
    raise ValueError(f"{name} is not JSON")


class LiveViewConsumer(AsyncWebsocketConsumer):
    """``websocket_urlpatterns`` in :mod:`djust.routing` routes here."""

    #: The LiveViews mounted over this socket, by the client's ``view_id`` (``""`` for a
    #: page's one or first view; more with ``{% live_render %}``).
    sessions: dict[str, Session]
    #: This socket's id in profiling (spans' ``session``, ``get_view_state``).
    profile_id = ""
    #: Running background tasks by view id and name (:mod:`djust.background`).
    tasks: dict[tuple[str, str], asyncio.Task[Any]]
    #: Held while a message or a task's result is handled and its reply sent.
    lock: asyncio.Lock
    #: The page token of the last ``navigate`` reply, until the client mounts with it.
    issued: str | None = None
    #: Channel layer groups this socket joined (:mod:`djust.presence`) → the view ids
    #: that asked for them.
    joined: dict[str, set[str]]
    #: Tracked presences by view id: ``(presence key, member id)``.
    tracking: dict[str, tuple[str, str]]
    #: The presence heartbeat, while a view tracks one.
    beat: asyncio.Task[Any] | None = None

    async def websocket_connect(self, message: dict[str, Any]) -> None:
        refusal = origin.refusal(self.scope)
        if refusal is not None:
            logger.warning("djust: refused a WebSocket handshake: %s", refusal)
            # Closing before accepting refuses the handshake (HTTP 403).
            await self.close()
            return
        event_limit = conf.rate_limit("EVENT_RATE_LIMIT")
        mount_limit = conf.rate_limit("MOUNT_RATE_LIMIT")
        cursor_limit = conf.rate_limit("CURSOR_RATE_LIMIT")
        self.events = TokenBucket(event_limit) if event_limit else None
        self.mounts = TokenBucket(mount_limit) if mount_limit else None
        self.cursors = TokenBucket(cursor_limit) if cursor_limit else None
        if profiling.ENABLED:
            self.profile_id = secrets.token_hex(8)
        self.tasks = {}
        self.sessions = {}
        self.joined = {}
        self.tracking = {}
        self.lock = asyncio.Lock()
        await self.accept()

    async def websocket_disconnect(self, message: dict[str, Any]) -> None:
        self.drop_tasks()
        for view_id in list(getattr(self, "sessions", {})):
            await self.keep_state(view_id, closing=True)
            await self.leave_channels(view_id)
        if self.beat is not None:
            self.beat.cancel()
        for session in getattr(self, "sessions", {}).values():
            uploads.discard_all(session.view)  # the temporary files of unfinished uploads
        await super().websocket_disconnect(message)

    def drop_tasks(self, view_id: str | None = None) -> None:
        """Cancel every task (of the view ``view_id`` only, when given); their results
        are dropped (the view is going away)."""
        tasks = getattr(self, "tasks", {})
        for key in [k for k in tasks if view_id is None or k[0] == view_id]:
            tasks.pop(key).cancel()

    def session_of(self, content: dict[str, Any], before: str = "event") -> Session:
        """The mounted view a message is for (its ``view_id``); :class:`EventError` when
        none is mounted under that id."""
        session = self.sessions.get(view_id_of(content))
        if session is None:
            raise EventError(f"{before} before mount", "bad_request")
        return session

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        limit = conf.max_message_size()
        if text_data is None:
            await self.receive_chunk(bytes_data or b"", limit)
            return
        if len(text_data) > limit or (len(text_data) * 4 > limit and len(text_data.encode("utf-8", "replace")) > limit):
            await self.refuse("too_large", f"the message is larger than {limit} bytes (DJUST['MAX_MESSAGE_SIZE'])")
            return
        try:
            content = json.loads(text_data, parse_constant=_reject_constant)
        except RecursionError:
            await self.refuse("bad_frame", "the message nests too deeply")
            return
        except ValueError as exc:  # JSONDecodeError, a number too long to read, NaN
            await self.refuse("bad_frame", f"the message is not JSON: {one_line(str(exc), 80)}")
            return
        await self.receive_json(content)

    async def receive_chunk(self, frame: bytes, limit: int) -> None:
        """A binary frame: a chunk of an upload (:mod:`djust.uploads`), or refused."""
        if len(frame) > limit:
            await self.refuse("too_large", f"the message is larger than {limit} bytes (DJUST['MAX_MESSAGE_SIZE'])")
            return
        try:
            header, data = uploads.parse_frame(frame)
        except uploads.UploadError as exc:
            await self.refuse("bad_frame", f"binary frames are upload chunks: {exc}")
            return
        ref = header.get("ref") if isinstance(header.get("ref"), int) else None
        if not isinstance(header.get("view_id", ""), str) or len(header.get("view_id", "")) > 64:
            await self.refuse("bad_frame", "a message's view_id is a string of at most 64 characters", ref)
            return
        content = {"type": "chunk", "view_id": header.get("view_id", ""), "name": header.get("name"), "header": header}
        await self.answer(lambda c: self.chunk(c, data), content, ref, None)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        ref = content.get("ref") if isinstance(content, dict) else None
        if not (isinstance(ref, int) and not isinstance(ref, bool)) and not (isinstance(ref, str) and len(ref) <= 64):
            ref = None
        if not isinstance(content, dict):
            await self.refuse("bad_frame", "a message must be a JSON object", ref)
            return
        if not isinstance(content.get("view_id", ""), str) or len(content.get("view_id", "")) > 64:
            await self.refuse("bad_frame", "a message's view_id is a string of at most 64 characters", ref)
            return
        # A refusal names the view the message was for, so its page routes it there.
        view_id = view_id_of(content)
        kind = content.get("type")
        if kind == "cursor":
            await self.cursor(content, ref, view_id)
            return
        if kind == "mount":
            handler, bucket = self.mount, self.mounts
            if self.issued is not None and content.get("session") == self.issued:
                # The mount a live navigation asked for counts as an event, not a page load.
                self.issued, bucket = None, self.events
        elif kind in ("event", "model", "navigate", "upload"):
            handler = {"event": self.event, "model": self.model, "navigate": self.navigate, "upload": self.upload}[kind]
            bucket = self.events
        else:
            await self.refuse("bad_frame", f"unknown message type {one_line(repr(kind), 40)}", ref, view_id=view_id)
            return
        if bucket is not None and not bucket.take():
            await self.refuse(
                "rate_limited",
                f"too many {kind} messages: try again in {bucket.retry_after():.1f} s",
                ref,
                log=f"{kind} {one_line(repr(content.get('name') or content.get('field') or ''), 60)}",
                view_id=view_id,
            )
            return
        if not profiling.ENABLED:
            await self.answer(handler, content, ref, None)
            return
        name = content.get("name") if kind == "event" else content.get("field") if kind == "model" else ""
        session = self.sessions.get(view_id_of(content))
        view = profiling.view_path(session.view) if session is not None and kind != "mount" else ""
        with profiling.span(kind, view, name if isinstance(name, str) else "") as span:
            span.session = self.profile_id
            await self.answer(handler, content, ref, span)

    async def answer(self, handler: Any, content: dict[str, Any], ref: Any, span: Any) -> None:
        """Run ``handler`` in a worker thread, start the background tasks it asked for,
        encode its reply and send it (each part timed into ``span`` when profiling is
        on). One message or task result at a time: ``self.lock``."""
        view_id = view_id_of(content)
        async with self.lock:
            if handler == self.mount:
                self.drop_tasks(view_id)
                await self.leave_channels(view_id)
            try:
                if inspect.iscoroutinefunction(handler):
                    reply = await handler(content)
                else:
                    reply = await sync_to_async(handler)(content)
            except Exception as exc:  # noqa: BLE001 - every failure becomes a message
                if span is not None:
                    span.error = type(exc).__name__
                    profiling.recorder.last_traceback = profiling.traceback_record(span, exc)
                reply = self.error(exc, content)
            if reply.get("type") == "navigate":
                self.issued = reply.get("session")
            await self.finish(reply, view_id, ref, span)

    async def finish(self, reply: dict[str, Any], view_id: str, ref: Any = None, span: Any = None) -> None:
        """Send ``reply`` for the view ``view_id`` (under ``self.lock``) with what goes
        with every reply: the background tasks the view asked for started, its state
        kept before a reply that shows it (so a client never sees a state a shared
        store lacks), and its channel requests carried out after."""
        self.start_tasks(reply, view_id)
        shows_state = reply.get("type") in ("mounted", "patch")
        if shows_state:
            await self.keep_state(view_id)
        if view_id:
            reply["view_id"] = view_id
        await self.send_reply(reply, ref, span)
        if shows_state:
            await self.carry_out(view_id)

    async def call_view(self, call: Any, *args: Any, content: dict[str, Any]) -> Any:
        """``call(*args)`` (a :class:`Session` method) in a worker thread; the ``error``
        reply for ``content`` (what the log line names) when it raises."""
        try:
            return await sync_to_async(call)(*args)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a message
            return self.error(exc, content)

    # -- broadcast and presence (djust.presence) -------------------------------------

    async def carry_out(self, view_id: str) -> None:
        """Carry out the view's subscribe/unsubscribe/broadcast/track/untrack requests
        of the message just answered, on the channel layer."""
        session = self.sessions.get(view_id)
        if session is None:
            return
        ops = presence.take_requests(session.view)
        if not ops:
            return
        layer = self.channel_layer
        if layer is None:
            _warn_no_layer()
            return
        for op in ops:
            kind = op[0]
            if kind == "subscribe":
                await self.join_group(presence.layer_group("b", op[1]), view_id)
            elif kind == "unsubscribe":
                await self.leave_group(presence.layer_group("b", op[1]), view_id)
            elif kind == "broadcast":
                await layer.group_send(presence.layer_group("b", op[1]["group"]), op[1])
            elif kind == "track":
                await self.untrack(view_id)
                key, meta = op[1], op[2]
                own = f"{self.channel_name}|{view_id}"
                tracked = session.view.__dict__.get("_djust_presence")
                if tracked is not None:
                    tracked["self"] = own
                self.tracking[view_id] = (key, own)
                group = presence.layer_group("p", key)
                await self.join_group(group, view_id)
                await layer.group_send(
                    group, presence.presence_message("join", key, own, meta, reply_to=self.channel_name)
                )
                if self.beat is None or self.beat.done():
                    self.beat = asyncio.create_task(self.heartbeat())
            elif kind == "untrack":
                await self.untrack(view_id)

    async def join_group(self, group: str, view_id: str) -> None:
        """Join the layer group ``group`` for the view ``view_id``; beyond
        ``DJUST["MAX_GROUPS_PER_CONNECTION"]`` groups, refused with a warning."""
        if group not in self.joined:
            if len(self.joined) >= conf.max_groups_per_connection():
                logger.warning(
                    "djust: refused a subscription: %d groups are joined on this connection "
                    "(DJUST['MAX_GROUPS_PER_CONNECTION'])",
                    len(self.joined),
                )
                return
            await self.channel_layer.group_add(group, self.channel_name)
        self.joined.setdefault(group, set()).add(view_id)

    async def leave_group(self, group: str, view_id: str) -> None:
        views = self.joined.get(group)
        if views is None:
            return
        views.discard(view_id)
        if not views:
            del self.joined[group]
            await self.channel_layer.group_discard(group, self.channel_name)

    async def untrack(self, view_id: str) -> None:
        """The view ``view_id`` leaves its presence group (the others hear ``leave``)."""
        tracked = self.tracking.pop(view_id, None)
        if tracked is None or self.channel_layer is None:
            return
        key, own = tracked
        group = presence.layer_group("p", key)
        await self.channel_layer.group_send(group, presence.presence_message("leave", key, own))
        await self.leave_group(group, view_id)

    async def leave_channels(self, view_id: str) -> None:
        """The view ``view_id`` goes away (a new mount, a closed socket): its presence
        and its subscriptions end."""
        if self.channel_layer is None:
            return
        await self.untrack(view_id)
        for group in [g for g, views in self.joined.items() if view_id in views]:
            await self.leave_group(group, view_id)

    async def cursor(self, content: dict[str, Any], ref: Any, view_id: str) -> None:
        """``{"type": "cursor", "x", "y"}``: the pointer over the view's ``dj-cursors``
        element (fractions, 0 to 1), sent to the other members of its presence group as
        it is (no render). Over ``CURSOR_RATE_LIMIT`` a position is dropped without a
        reply (the next one supersedes it); a malformed one is refused."""
        x, y = content.get("x"), content.get("y")
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1 for v in (x, y)):
            await self.refuse("bad_request", "a cursor has x and y between 0 and 1", ref, view_id=view_id)
            return
        tracked = self.tracking.get(view_id)
        if tracked is None or self.channel_layer is None:
            await self.refuse("bad_request", "cursors need a view that tracks presence", ref, view_id=view_id)
            return
        if self.cursors is not None and not self.cursors.take():
            return
        session = self.sessions.get(view_id)
        meta = presence.own_meta(session.view) if session is not None else {}
        key, own = tracked
        cursor = presence.presence_message("cursor", key, own, meta, x=x, y=y)
        await self.channel_layer.group_send(presence.layer_group("p", key), cursor)

    async def djust_broadcast(self, message: dict[str, Any]) -> None:
        """A broadcast from the channel layer: ``handle_info(event, **payload)`` on each
        view of this socket subscribed to its group, and their patches."""
        group = message.get("group")
        if not isinstance(group, str):
            return
        async with self.lock:
            for view_id in sorted(self.joined.get(presence.layer_group("b", group), ())):
                session = self.sessions.get(view_id)
                if session is None:
                    continue
                content = {"type": "broadcast", "name": message.get("event"), "view_id": view_id}
                reply = await self.call_view(
                    session.info, message.get("event"), message.get("payload"), content=content
                )
                await self.finish(reply, view_id)

    async def djust_presence(self, message: dict[str, Any]) -> None:
        """A presence message (``join``, ``here``, ``heartbeat``, ``leave``) for the views
        of this socket tracking its key: their lists change, and their pages."""
        key, op, member = message.get("key"), message.get("op"), message.get("id")
        if not isinstance(member, str) or op not in ("join", "here", "heartbeat", "leave", "cursor"):
            return
        if op == "cursor":
            # Straight to the other members' pages: no state, no render.
            for view_id, (tracked_key, own) in list(self.tracking.items()):
                if tracked_key == key and member != own:
                    cursor = {"type": "cursor", "id": member, "x": message.get("x"), "y": message.get("y")}
                    await self.send_message({**cursor, "meta": message.get("meta") or {}}, view_id)
            return
        async with self.lock:
            for view_id, (tracked_key, own) in list(self.tracking.items()):
                session = self.sessions.get(view_id)
                if tracked_key != key or session is None:
                    continue
                if op == "join" and member != own and isinstance(message.get("reply_to"), str):
                    here = presence.presence_message("here", key, own, presence.own_meta(session.view))
                    await self.channel_layer.send(message["reply_to"], here)
                content = {"type": "presence", "name": op, "view_id": view_id}
                reply = await self.call_view(session.presence, op, member, message.get("meta"), content=content)
                if reply is not None:
                    await self.finish(reply, view_id)
                if op == "leave" and member != own:
                    await self.send_message({"type": "cursor", "id": member, "gone": True}, view_id)

    async def heartbeat(self) -> None:
        """While a view tracks a presence: announce it every ``PRESENCE_HEARTBEAT``
        seconds, and drop members not heard of for three."""
        interval = conf.presence_heartbeat()
        while self.tracking:
            await asyncio.sleep(interval)
            async with self.lock:
                for view_id, (key, own) in list(self.tracking.items()):
                    session = self.sessions.get(view_id)
                    if session is None:
                        continue
                    beat = presence.presence_message("heartbeat", key, own, presence.own_meta(session.view))
                    await self.channel_layer.group_send(presence.layer_group("p", key), beat)
                    content = {"type": "presence", "name": "sweep", "view_id": view_id}
                    reply = await self.call_view(session.presence, "sweep", own, None, content=content)
                    if reply is not None:
                        await self.finish(reply, view_id)

    async def keep_state(self, view_id: str, closing: bool = False) -> None:
        """Keep the view's state for a reconnect (:mod:`djust.persistence`). With a
        store the workers share (Redis), before each reply that shows it is sent, so a
        worker that dies loses only the reply; with the memory backend, which dies
        with its process anyway, once, when the socket closes (``closing``): no cost
        per event."""
        session = self.sessions.get(view_id)
        store = state_backends.backend()
        if session is not None and store is not None and (closing or store.shared):
            try:
                await sync_to_async(session.save_state)()
            except Exception:  # keeping state never breaks the socket
                logger.exception("djust: keeping %s's state failed", type(session.view).__name__)

    def start_tasks(self, reply: dict[str, Any], view_id: str) -> None:
        """Carry out the view's ``start_async``/``cancel_async`` requests of the message
        just handled; list the started tasks in ``reply["pending"]``."""
        session = self.sessions.get(view_id)
        if session is None:
            return
        pending = []
        for request in session.take_async():
            key = (view_id, request.name)
            running = self.tasks.get(key)
            if request.callback is None:
                if running is not None:
                    running.cancel()  # its result: CancelledError, delivered
                continue
            if running is not None:
                del self.tasks[key]  # superseded: dropped without a call
                running.cancel()
            if len(self.tasks) >= background.max_tasks():
                refused = RuntimeError(
                    f"start_async({request.name!r}): {len(self.tasks)} tasks are running on this connection "
                    "(DJUST['MAX_ASYNC_TASKS'])"
                )
                self.tasks[key] = asyncio.create_task(self.run_task(request, view_id, refused))
            else:
                self.tasks[key] = asyncio.create_task(self.run_task(request, view_id))
            pending.append(request.name)
        if pending:
            reply["pending"] = pending

    async def run_task(
        self, request: background.AsyncRequest, view_id: str, refused: BaseException | None = None
    ) -> None:
        """Run one task, then hand its result to the view and send the re-render, unless
        it was superseded or the socket's tasks were dropped meanwhile."""
        result: Any = None
        error: BaseException | None = refused
        if refused is None:
            try:
                result = await background.run(request)
            except asyncio.CancelledError as exc:
                error = exc
            except Exception as exc:  # noqa: BLE001 - the view's handle_async_result decides
                error = exc
        key = (view_id, request.name)
        if self.tasks.get(key) is not asyncio.current_task():
            return
        async with self.lock:
            session = self.sessions.get(view_id)
            if self.tasks.get(key) is not asyncio.current_task() or session is None:
                return
            del self.tasks[key]
            content = {"type": "async", "name": request.name, "view_id": view_id}
            reply = await self.call_view(session.async_result, request.name, result, error, content=content)
            reply["done"] = [request.name]
            await self.finish(reply, view_id)

    async def send_reply(self, reply: dict[str, Any], ref: Any, span: Any) -> None:
        """Encode ``reply`` (with ``ref``) and send it."""
        if ref is not None:
            reply["ref"] = ref
        started = profiling.now() if span is not None else 0
        try:
            # Django's JSON spelling (datetimes, Decimal, UUID), encoded in Rust.
            text = _rust.dumps(reply, compact=True, ensure_ascii=False)
        except (TypeError, ValueError) as exc:
            await self.refuse("server_error", f"the reply could not be encoded: {one_line(str(exc), 80)}", ref)
            return
        if span is None:
            await self.send(text_data=text)
            return
        profiling.add_part(span, "encode", started)
        span.bytes = len(text.encode())
        span.patches = len(reply.get("patches", ()))
        if reply.get("type") == "error" and not span.error:
            span.error = str(reply.get("code", "error"))
        started = profiling.now()
        await self.send(text_data=text)
        profiling.add_part(span, "send", started)

    async def refuse(self, code: str, message: str, ref: Any = None, log: str = "", view_id: str = "") -> None:
        """Answer a message that is not accepted (for the view ``view_id``), log one
        line, keep the socket."""
        logger.warning("djust: refused a message (%s): %s%s", code, message, f" [{log}]" if log else "")
        reply: dict[str, Any] = {"type": "error", "code": code, "message": message}
        if ref is not None:
            reply["ref"] = ref
        if view_id:
            reply["view_id"] = view_id
        await self.send(text_data=json.dumps(reply))

    # The handlers run in a worker thread (sync_to_async): views use the ORM.

    def mount(self, content: dict[str, Any]) -> dict[str, Any]:
        view_id = view_id_of(content)
        limit = conf.max_views_per_connection()
        if view_id not in self.sessions and len(self.sessions) >= limit:
            raise EventError(
                f"{len(self.sessions)} views are mounted on this connection (DJUST['MAX_VIEWS_PER_CONNECTION'])",
                "bad_request",
            )
        view, redirect = socket_mount.mount(self.scope, content)
        if redirect is not None:
            return {"type": "redirect", "url": redirect}
        previous = self.sessions.get(view_id)
        if previous is not None:
            uploads.discard_all(previous.view)
        session = self.sessions[view_id] = Session(view)
        if profiling.ENABLED and (view_id == "" or len(self.sessions) == 1):
            profiling.sessions[self.profile_id] = session
        return session.mounted()

    async def event(self, content: dict[str, Any]) -> dict[str, Any]:
        session = self.session_of(content)
        view_id = view_id_of(content)
        target, method, params = session.handler_for(
            content.get("name"), content.get("params"), content.get("component")
        )
        if session.is_async(target, method):
            return await session.acall(target, method, params, lambda m: self.send_message(m, view_id))
        return await sync_to_async(session.call)(target, method, params, content.get("target"))

    async def send_message(self, message: dict[str, Any], view_id: str = "") -> None:
        """Send a message of the server's own (a stream, a mid-handler patch, a cursor)
        for the view ``view_id``."""
        if view_id:
            message["view_id"] = view_id
        await self.send_reply(message, None, None)

    def navigate(self, content: dict[str, Any]) -> dict[str, Any]:
        return self.session_of(content, "navigate").navigate(content.get("url"), content.get("mode", "patch"))

    def upload(self, content: dict[str, Any]) -> dict[str, Any]:
        return self.session_of(content, "upload").upload(content.get("name"), content.get("entries"))

    def chunk(self, content: dict[str, Any], data: bytes) -> dict[str, Any]:
        return self.session_of(content, "upload").upload_chunk(content["header"], data)

    def model(self, content: dict[str, Any]) -> dict[str, Any]:
        return self.session_of(content, "model update").model(content.get("field"), content.get("value"))

    def describe(self, content: dict[str, Any]) -> tuple[str, str]:
        """For a log line: what the message was (``event 'inc'``, ``mount '/cart/'``)
        and the LiveView it concerns (for a mount, what its URL serves)."""
        kind = content.get("type")
        if kind in ("mount", "navigate"):
            url = content.get("url")
            view = "-"
            if isinstance(url, str) and url.startswith("/") and len(url) <= socket_mount.MAX_URL_LENGTH:
                target = navigation.resolve_live(url.partition("?")[0])
                view = target.view_class.__name__ if target is not None else "no LiveView"
            return f"{kind} {one_line(repr(url), 100)}", view
        session = self.sessions.get(view_id_of(content))
        view = type(session.view).__name__ if session is not None else "-"
        return f"{kind} {one_line(repr(content.get('name') or content.get('field') or ''), 60)}", view

    def error(self, exc: Exception, content: dict[str, Any]) -> dict[str, Any]:
        """The ``error`` reply for a failed message, and its one log line (with the
        traceback only in DEBUG)."""
        what, view = self.describe(content)
        if isinstance(exc, (EventError, socket_mount.MountError)):
            code = exc.code
            message = str(exc)
            logger.warning("djust: refused %s on %s (%s): %s", what, view, code, one_line(message))
        else:
            code = "server_error"
            message = one_line(str(exc), 500) or type(exc).__name__
            if settings.DEBUG:
                logger.exception("djust: %s on %s raised %s", what, view, type(exc).__name__)
            else:
                logger.error("djust: %s on %s raised %s: %s", what, view, type(exc).__name__, one_line(str(exc)))
                message = "The server could not handle this event."
        reply: dict[str, Any] = {"type": "error", "code": code, "message": message}
        if settings.DEBUG and code == "server_error":
            reply["traceback"] = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        return reply


_warned_no_layer = False


def _warn_no_layer() -> None:
    global _warned_no_layer
    if not _warned_no_layer:
        _warned_no_layer = True
        logger.warning(
            "djust: a LiveView subscribed, broadcast or tracked presence, but there is no channel layer: "
            "set CHANNEL_LAYERS (the in-memory layer in one process, channels_redis across workers)"
        )
