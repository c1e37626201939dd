"""Decorators for LiveView methods.

``@event_handler`` (bare or called) marks a method the browser may call: only marked
methods are dispatched (``dj-click="inc"`` calls ``inc``). Handlers receive the event's
parameters as keyword arguments (``value`` and the element's ``data-*`` attributes), so
they should accept ``**kwargs`` (rule V007). ``@debounce(wait=s)`` and
``@throttle(interval=s)`` record a default (sent to the client in milliseconds on
mount) that the client applies to the events bound to that handler. ``@background``
runs the whole handler as background work (:mod:`djust.background`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, overload

F = TypeVar("F", bound=Callable[..., Any])

EVENT_HANDLER = "_djust_event_handler"


@overload
def event_handler(func: F) -> F: ...
@overload
def event_handler(func: None = None, *, name: str | None = None) -> Callable[[F], F]: ...


def event_handler(func: Any = None, *, name: str | None = None) -> Any:
    """Mark a LiveView method as an event handler (``@event_handler`` or
    ``@event_handler(name="other")`` to expose it under another event name)."""

    def mark(f: F) -> F:
        setattr(f, EVENT_HANDLER, name or f.__name__)
        return f

    return mark(func) if func is not None else mark


def debounce(wait: float = 0.3) -> Callable[[F], F]:
    """Default debounce for events bound to this handler: the client sends the event
    once ``wait`` seconds pass without another (upstream's ``@debounce(wait=...)``).
    A ``dj-debounce`` attribute (milliseconds) on the element overrides it."""

    def mark(f: F) -> F:
        f._djust_debounce = round(float(wait) * 1000)  # type: ignore[attr-defined]
        return f

    return mark


def throttle(interval: float = 0.1) -> Callable[[F], F]:
    """Default throttle for events bound to this handler: at most one event per
    ``interval`` seconds, the last one sent when the interval ends. A ``dj-throttle``
    attribute (milliseconds) on the element overrides it."""

    def mark(f: F) -> F:
        f._djust_throttle = round(float(interval) * 1000)  # type: ignore[attr-defined]
        return f

    return mark


def background(func: F) -> F:
    """Run the whole handler as background work: calling it starts
    ``self.start_async(handler, *args, name=<handler name>, **kwargs)`` and returns at
    once, so the reply shows the state as it was and the element keeps its loading
    state until the work ends (upstream djust's ``@background``;
    :mod:`djust.background`). Combine with ``@event_handler``, ``@debounce`` and
    ``@throttle`` in any order."""

    @functools.wraps(func)
    def start(self: Any, *args: Any, **kwargs: Any) -> None:
        self.start_async(functools.partial(func, self), *args, name=func.__name__, **kwargs)

    return start  # type: ignore[return-value]


def handlers(cls: type) -> dict[str, str]:
    """The event names a LiveView class accepts, mapped to method names."""
    found: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        for attr, value in vars(klass).items():
            event = getattr(value, EVENT_HANDLER, None)
            if isinstance(event, str):
                found[event] = attr
    return found
