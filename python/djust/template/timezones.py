"""``{% timezone %}`` for djust's engine: the engine enters Django's
``timezone.override(tz)`` before the tag's body renders and leaves it after, so
everything inside (the engine's own conversions, a project's filters and tags) sees
that zone as current, as with Django's ``TimezoneNode``. The overrides entered on a
thread are kept on a stack of that thread: ``{% timezone %}`` tags nest.

Source: ``django/templatetags/tz.py``, Django 5.2.
"""

from __future__ import annotations

import threading
from typing import Any

from django.utils import timezone

_entered = threading.local()


def enter(tz: Any) -> None:
    """Enter ``timezone.override(tz)``: a zone name, a ``tzinfo``, or ``None`` (the
    default zone). An unknown name raises Django's (``zoneinfo``'s) error."""
    override = timezone.override(tz)
    override.__enter__()
    stack = getattr(_entered, "stack", None)
    if stack is None:
        stack = _entered.stack = []
    stack.append(override)


def leave() -> None:
    """Leave the override ``enter`` entered last on this thread."""
    stack = getattr(_entered, "stack", None)
    if stack:
        stack.pop().__exit__(None, None, None)
