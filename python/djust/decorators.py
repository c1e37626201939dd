"""Decorators for LiveView methods.

``@event_handler`` (bare or called) marks a method the browser may call: only marked
methods are dispatched (``dj-click="inc"`` calls ``inc``). Handlers receive the event's
parameters as keyword arguments (``value`` and the element's ``data-*`` attributes), so
they should accept ``**kwargs`` (rule V007). ``@debounce(ms)`` and ``@throttle(ms)``
record a default the client applies to the events bound to that handler.
"""

from __future__ import annotations

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


def debounce(wait_ms: int) -> Callable[[F], F]:
    """Default ``dj-debounce`` (milliseconds) for events bound to this handler."""

    def mark(f: F) -> F:
        f._djust_debounce = int(wait_ms)  # type: ignore[attr-defined]
        return f

    return mark


def throttle(interval_ms: int) -> Callable[[F], F]:
    """Default ``dj-throttle`` (milliseconds) for events bound to this handler."""

    def mark(f: F) -> F:
        f._djust_throttle = int(interval_ms)  # type: ignore[attr-defined]
        return f

    return mark


def handlers(cls: type) -> dict[str, str]:
    """The event names a LiveView class accepts, mapped to method names."""
    found: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        for attr, value in vars(klass).items():
            event = getattr(value, EVENT_HANDLER, None)
            if isinstance(event, str):
                found[event] = attr
    return found
