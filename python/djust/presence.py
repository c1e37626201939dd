"""Presence and broadcast: who else is on a page, and one user's action reaching other
users' views, over Channels' channel layer (the in-memory layer in one process, the
Redis layer across worker processes).

**Broadcast** (Phoenix's PubSub): a view calls ``self.subscribe(group)`` (in ``mount``
or a handler); ``self.broadcast(group, event, payload)`` from any handler, or
:func:`broadcast` from anywhere in the project (a signal, a task, a management command),
reaches every view subscribed to ``group`` on every worker, the sender's included: each
runs ``handle_info(event, **payload)`` and its page is patched.

**Presence** (Phoenix's Presence): a view with :class:`PresenceMixin` calls
``self.track_presence(meta)``; every view tracking the same ``presence_key`` then lists
the others (``list_presences()``, ``presence_count()``) and hears of joins and leaves
(``handle_presence_join``/``handle_presence_leave``), re-rendered as they happen. There is
no central list: each socket announces itself to the group (``join``), the members
answer the newcomer (``here``), a closing socket says ``leave``, and every member
repeats itself each ``DJUST["PRESENCE_HEARTBEAT"]`` seconds, so a member whose worker
died without a word is dropped after three missed beats.

The view only records what it asks for (``_djust_channel_ops``); the socket's consumer
carries it out after the message (:mod:`djust.consumer`), as it does for background
work. A view restored after a reconnect (:mod:`djust.persistence`) keeps its
subscriptions and its tracked presence.

Source: Phoenix.PubSub and Phoenix.Presence; upstream djust's ``PresenceMixin`` (the
method names). Differences from upstream: no cache or database holds the list (a
member announces itself and answers newcomers), so it needs only the channel layer.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from djust import conf

#: The channel layer message types (Channels calls the consumer's method of that name,
#: dots as underscores).
BROADCAST = "djust.broadcast"
PRESENCE = "djust.presence"

MAX_GROUP_LENGTH = 200
#: Entries of a presence list one view keeps (members beyond it are not listed).
MAX_MEMBERS = 1000


def layer_group(kind: str, group: str) -> str:
    """The channel layer's name for the djust group ``group`` (any text): Channels
    allows only short ASCII names, so it is a digest. ``kind``: ``"b"`` (broadcast) or
    ``"p"`` (presence)."""
    return f"djust.{kind}.{hashlib.blake2b(group.encode(), digest_size=16).hexdigest()}"


def check_group(group: Any) -> str:
    """``group`` when it is a non-empty string of at most 200 characters;
    ``TypeError`` otherwise."""
    if not isinstance(group, str) or not group or len(group) > MAX_GROUP_LENGTH:
        raise TypeError(f"a group is a non-empty string of at most {MAX_GROUP_LENGTH} characters, not {group!r}")
    return group


def broadcast_message(group: str, event: str, payload: dict[str, Any] | None) -> dict[str, Any]:
    """The channel layer message of a broadcast (checked: ``TypeError`` for a bad
    group, event or payload)."""
    from djust.live_view import push_event_message

    checked = push_event_message(event, payload)  # the same rules as a push: a name, a JSON object
    return {"type": BROADCAST, "group": check_group(group), "event": checked["event"], "payload": checked["payload"]}


def broadcast(group: str, event: str, payload: dict[str, Any] | None = None) -> None:
    """Send ``event`` with ``payload`` to every LiveView subscribed to ``group``, from
    synchronous code anywhere in the project (a view, a signal handler, a command).
    Does nothing without a channel layer (``CHANNEL_LAYERS``)."""
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    message = broadcast_message(group, event, payload)
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(layer_group("b", group), message)


async def abroadcast(group: str, event: str, payload: dict[str, Any] | None = None) -> None:
    """:func:`broadcast` for ``async`` code."""
    from channels.layers import get_channel_layer

    message = broadcast_message(group, event, payload)
    layer = get_channel_layer()
    if layer is not None:
        await layer.group_send(layer_group("b", group), message)


def presence_message(
    op: str, key: str, member: str, meta: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    """A presence message on the channel layer: ``op`` (``join``, ``here``,
    ``heartbeat``, ``leave``, ``cursor``) of ``member`` in the group of ``key``, with
    its ``meta`` and ``extra`` fields (``reply_to`` of a join, ``x``/``y`` of a cursor)."""
    message: dict[str, Any] = {"type": PRESENCE, "op": op, "key": key, "id": member, **extra}
    if meta is not None:
        message["meta"] = meta
    return message


def own_meta(view: Any) -> dict[str, Any]:
    """The meta ``view`` tracks its presence with (``{}`` when it tracks none)."""
    tracked = view.__dict__.get("_djust_presence")
    return tracked["meta"] if tracked else {}


def request(view: Any, op: tuple[Any, ...]) -> None:
    """Record a channel operation of ``view`` for its consumer to carry out."""
    view.__dict__.setdefault("_djust_channel_ops", []).append(op)


def take_requests(view: Any) -> list[tuple[Any, ...]]:
    """The channel operations ``view`` asked for since the last call (and forget them)."""
    return view.__dict__.pop("_djust_channel_ops", None) or []


def channels_of(view: Any) -> dict[str, Any]:
    """What a view is subscribed to and tracks, as kept with its state:
    ``{"groups": [...], "presence": [key, meta] | None}``."""
    tracked = view.__dict__.get("_djust_presence")
    return {
        "groups": sorted(view.__dict__.get("_djust_groups", ())),
        "presence": [tracked["key"], tracked["meta"]] if tracked else None,
    }


def resume(view: Any, kept: Any) -> None:
    """Ask again for what :func:`channels_of` kept (a restored view)."""
    if not isinstance(kept, dict):
        return
    for group in kept.get("groups") or ():
        if isinstance(group, str):
            view.subscribe(group)
    tracked = kept.get("presence")
    if (
        isinstance(tracked, list)
        and len(tracked) == 2
        and isinstance(tracked[1], dict)
        and hasattr(view, "track_presence")
    ):
        view.track_presence(tracked[1])


class PresenceMixin:
    """Presence for a LiveView (``class DocumentView(PresenceMixin, LiveView)``).

    ``presence_key`` names the group of views that see each other; it is formatted
    with the view's attributes (``"document:{doc_id}"``). In ``mount``, call
    ``self.track_presence({"name": request.user.username})``."""

    presence_key: str = ""

    def _presence(self) -> dict[str, Any] | None:
        return self.__dict__.get("_djust_presence")

    def track_presence(self, meta: dict[str, Any] | None = None) -> None:
        """Join this view's presence group with ``meta`` (a JSON object: a name, a
        colour): the other members list it, and this view lists them.
        ``TypeError`` for a bad key or meta."""
        key = check_group(self.presence_key.format(**vars(self)) if self.presence_key else "")
        meta = dict(meta or {})
        from djust.live_view import push_event_message

        push_event_message("presence", meta)  # a JSON object, as a payload is
        members = (self._presence() or {}).get("members", {})
        self.__dict__["_djust_presence"] = {"key": key, "meta": meta, "members": members, "self": None}
        request(self, ("track", key, meta))

    def untrack_presence(self) -> None:
        """Leave the presence group (the others see a leave)."""
        tracked = self.__dict__.pop("_djust_presence", None)
        if tracked is not None:
            request(self, ("untrack", tracked["key"]))

    def list_presences(self) -> list[dict[str, Any]]:
        """The members of the group, this view included once its join is seen, in the
        order they joined: ``[{"id": ..., **meta}, ...]`` (``id`` is the socket's and
        view's, unique per tab)."""
        tracked = self._presence()
        if tracked is None:
            return []
        members = sorted(tracked["members"].values(), key=lambda m: (m["joined"], m["id"]))
        return [{**m["meta"], "id": m["id"]} for m in members]

    def presence_count(self) -> int:
        """How many members the group has (this view included)."""
        tracked = self._presence()
        return len(tracked["members"]) if tracked is not None else 0

    def handle_presence_join(self, presence: dict[str, Any]) -> None:
        """Another member joined (``{"id", **meta}``); the page re-renders after it.
        Does nothing by default."""

    def handle_presence_leave(self, presence: dict[str, Any]) -> None:
        """A member left, closed its socket or stopped answering; the page re-renders
        after it. Does nothing by default."""

    # The consumer's side.

    def presence_seen(self, op: str, member_id: str, meta: dict[str, Any]) -> bool:
        """A ``join``, ``here`` or ``heartbeat`` of ``member_id`` arrived: list it (with
        ``handle_presence_join`` for another member's first ``join`` or ``heartbeat``).
        Whether the list changed."""
        tracked = self._presence()
        if tracked is None or not isinstance(meta, dict):
            return False
        members = tracked["members"]
        now = time.monotonic()
        known = members.get(member_id)
        if known is not None:
            known["seen"] = now
            if known["meta"] == meta:
                return False
            known["meta"] = meta
            return True
        if len(members) >= MAX_MEMBERS:
            return False
        members[member_id] = {"id": member_id, "meta": meta, "seen": now, "joined": now}
        if op != "here" and member_id != tracked.get("self"):
            self.handle_presence_join({**meta, "id": member_id})
        return True

    def presence_gone(self, member_id: str) -> bool:
        """``member_id`` left: unlisted, ``handle_presence_leave``. Whether it was
        listed."""
        tracked = self._presence()
        if tracked is None:
            return False
        gone = tracked["members"].pop(member_id, None)
        if gone is None:
            return False
        self.handle_presence_leave({**gone["meta"], "id": member_id})
        return True

    def presence_sweep(self) -> bool:
        """Drop members not heard of for three heartbeats. Whether any went."""
        tracked = self._presence()
        if tracked is None:
            return False
        limit = time.monotonic() - 3 * conf.presence_heartbeat()
        stale = [m for m, entry in tracked["members"].items() if entry["seen"] < limit and m != tracked.get("self")]
        for member_id in stale:
            self.presence_gone(member_id)
        return bool(stale)
