"""Streaming from ``async`` event handlers: send parts of the page while the handler
runs (the token-by-token answer of an LLM, a long job's progress), upstream djust's
``stream_to``/``stream_insert``/``stream_text``/``stream_delete``/``push_state``.

A stream is named, and goes to the element with ``dj-stream="name"`` in the LiveView's
root (or the element a ``target`` CSS selector names). What a stream adds to it are
*stream items*: elements the client marks ``dj-stream-item``, which patches do not
count or touch, so the server's own children of that element are diffed as usual. In
an ``async def`` handler:

- ``await self.stream_to(name, target=None)`` starts a stream: the container's earlier
  items are removed and it gets ``data-stream-active`` (removed when the handler ends);
- ``await self.stream_insert(name, html_or_item, at="append" | "prepend")`` adds an
  item: HTML (a ``str`` is HTML: escape what users wrote, or use ``stream_text``) or,
  when the view names a template for the stream in ``stream_templates``, an object
  rendered with it (context: ``item`` and ``view``);
- ``await self.stream_text(name, text)`` appends text (shown as text, never parsed) to
  the stream's last text item;
- ``await self.stream_delete(name, selector_or_id)`` removes the items with that
  ``id`` (or matching that CSS selector);
- ``await self.push_state()`` renders the view now and sends the patch.

Stream operations are sent as ``{"type": "stream", "ops": [...]}`` messages, at most
one per :data:`FRAME_SECONDS` (consecutive text for the same stream merged), always
before a ``push_state`` patch and before the handler's own reply.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

#: The shortest time between two ``stream`` messages (one animation frame).
FRAME_SECONDS = 0.016

#: The most operations one ``stream`` message carries (more wait for the next frame).
MAX_OPS = 500


class StreamError(RuntimeError):
    """A stream method used where no stream can go: outside an ``async`` event handler
    running over a socket (or the test client)."""


class Outbox:
    """The stream operations of one handler run and how they leave: ``send`` (a
    coroutine function taking the message) and ``render`` (a coroutine function
    returning the ``patch`` reply of a render now)."""

    def __init__(
        self,
        send: Callable[[dict[str, Any]], Awaitable[None]],
        render: Callable[[], Awaitable[dict[str, Any]]],
    ) -> None:
        self.send = send
        self.render = render
        self.ops: list[dict[str, Any]] = []
        self.started: list[str] = []
        self.last = 0.0
        self.timer: asyncio.Task[None] | None = None

    async def add(self, op: dict[str, Any]) -> None:
        """Queue ``op``; send the queue now if a frame has passed since the last send,
        else once it has."""
        last = self.ops[-1] if self.ops else None
        if (
            op["op"] == "text"
            and last is not None
            and last["op"] == "text"
            and last["name"] == op["name"]
            and last.get("target") == op.get("target")
        ):
            last["text"] += op["text"]
        else:
            self.ops.append(op)
        if op["op"] == "start" and op["name"] not in self.started:
            self.started.append(op["name"])
        wait = self.last + FRAME_SECONDS - time.monotonic()
        if wait <= 0 or len(self.ops) >= MAX_OPS:
            await self.flush()
        elif self.timer is None:
            self.timer = asyncio.ensure_future(self._later(wait))

    async def _later(self, wait: float) -> None:
        await asyncio.sleep(wait)
        self.timer = None
        await self.flush()

    async def flush(self) -> None:
        """Send what is queued (one ``stream`` message)."""
        ops, self.ops = self.ops, []
        if ops:
            self.last = time.monotonic()
            await self.send({"type": "stream", "ops": ops})

    async def push_state(self) -> None:
        """Send the queued operations, then a render's patch."""
        await self.flush()
        await self.send(await self.render())

    async def close(self) -> None:
        """The handler ended: mark the started streams done and send the rest."""
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        for name in self.started:
            self.ops.append({"op": "done", "name": name})
        await self.flush()


def outbox_of(view: Any) -> Outbox:
    """The outbox of the handler ``view`` is running; :class:`StreamError` if none."""
    outbox = view.__dict__.get("_djust_outbox")
    if outbox is None:
        raise StreamError(
            "stream methods and push_state work only in an `async def` event handler of a mounted LiveView"
        )
    return outbox


def check_name(name: Any) -> str:
    if not isinstance(name, str) or not name:
        raise TypeError(f"a stream name must be a non-empty string, not {name!r}")
    return name


def op(kind: str, name: Any, target: Any = None, **fields: Any) -> dict[str, Any]:
    """A stream operation, its name and target checked."""
    out: dict[str, Any] = {"op": kind, "name": check_name(name)}
    if target is not None:
        if not isinstance(target, str) or not target:
            raise TypeError(f"a stream target is a CSS selector, not {target!r}")
        out["target"] = target
    out.update(fields)
    return out
