"""Background work for LiveViews: ``start_async``, ``cancel_async``,
``handle_async_result`` and ``@background`` (:func:`djust.decorators.background`) (Phoenix LiveView's ``start_async`` /
``cancel_async`` / ``handle_async``; upstream djust's names and arguments).

A handler (or ``mount``) asks for work with ``self.start_async(callback, *args,
name=None, **kwargs)``; the request waits on the view until the message's reply is
built (so the browser sees the state set before it, such as a spinner), then the
transport runs it:

- over the socket (:mod:`djust.consumer`) as an asyncio task: an ``async def``
  callback on the event loop, a plain one in a worker thread (Django's database
  connections handled as by Channels' ``database_sync_to_async``);
- in :class:`djust.testing.LiveViewTestClient`, when the test calls ``await_async()``.

When the callback ends, ``handle_async_result(name, result=..., error=...)`` runs on
the view (with the exception when it raised, or ``asyncio.CancelledError`` after
``cancel_async(name)``), the view re-renders, and the browser gets the patch (with
the events pushed meanwhile) and ``"done": [name]``, which ends the loading state of
the element whose event started the task (the reply that started it said ``"pending":
[name]``). The default ``handle_async_result`` ignores results and cancellations and
re-raises errors, which the client receives as the usual ``error`` reply.

The callback runs concurrently with the view's later events: what it assigns to
``self`` may interleave with a handler's changes. Returning the value and assigning it
in ``handle_async_result`` (which runs between events) avoids that. A thread cannot be
interrupted: after ``cancel_async`` a plain callback runs to its end, and its result
is dropped. Starting a task under the name of a running one supersedes it: the older
one's result is dropped without a call.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from channels.db import database_sync_to_async

from djust import conf


@dataclass
class AsyncRequest:
    """What a view asked for during one message: start ``callback(*args, **kwargs)``
    as task ``name``, or (``callback is None``) cancel task ``name``."""

    name: str
    callback: Callable[..., Any] | None
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)


def request_start(view: Any, callback: Any, args: tuple[Any, ...], name: Any, kwargs: dict[str, Any]) -> None:
    """Record ``view.start_async(...)`` (checked here, so a mistake points at the call)."""
    if not callable(callback):
        raise TypeError(f"start_async: the callback must be callable, not {type(callback).__name__}")
    if name is None:
        name = getattr(callback, "__name__", None) or type(callback).__name__
    if not isinstance(name, str) or not name:
        raise TypeError(f"start_async: the task name must be a non-empty string, not {name!r}")
    view.__dict__.setdefault("_async_requests", []).append(AsyncRequest(name, callback, tuple(args), dict(kwargs)))


def request_cancel(view: Any, name: Any) -> None:
    """Record ``view.cancel_async(name)``."""
    if not isinstance(name, str) or not name:
        raise TypeError(f"cancel_async: the task name must be a non-empty string, not {name!r}")
    view.__dict__.setdefault("_async_requests", []).append(AsyncRequest(name, None))


def take_requests(view: Any) -> list[AsyncRequest]:
    """The requests ``view`` made since the last call (and forget them)."""
    return view.__dict__.pop("_async_requests", None) or []


async def run(request: AsyncRequest) -> Any:
    """Run a start request's callback to its end (``async def`` on the loop, else in a
    worker thread) and return its result; its exception propagates."""
    callback = request.callback
    assert callback is not None
    if inspect.iscoroutinefunction(callback):
        return await callback(*request.args, **request.kwargs)
    return await database_sync_to_async(callback, thread_sensitive=False)(*request.args, **request.kwargs)


def run_inline(request: AsyncRequest) -> Any:
    """Run a start request's callback in this thread (the test client's way)."""
    callback = request.callback
    assert callback is not None
    result = callback(*request.args, **request.kwargs)
    if inspect.isawaitable(result):
        return asyncio.run(_awaited(result))
    return result


async def _awaited(awaitable: Any) -> Any:
    return await awaitable


def max_tasks() -> int:
    """``DJUST["MAX_ASYNC_TASKS"]``: tasks one socket may run at once."""
    return conf.max_async_tasks()
