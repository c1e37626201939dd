"""``dj-model`` updates: the value a client sends for a bound field, converted to the
type the state attribute already has (or is annotated with), or refused.

The browser sends what a form field holds: text for inputs and selects, ``true`` /
``false`` for a checkbox, a list of texts for a multiple select. Written as is, a
``{"a": 1}`` would land in an ``int`` counter and break the next handler that adds to
it, so each update is converted as a Django form field would convert it:

=====================  ============================================================
attribute is           the client's value must be
=====================  ============================================================
``bool``               a boolean, or ``"true"``/``"false"``/``"on"``/``"off"``/``"1"``/``"0"``/``""``
``int``                an integer, or text ``int()`` reads (``"42"``, ``" -7 "``)
``float``              a number, or text ``float()`` reads (not ``nan``/``inf``)
``Decimal``            a number or text ``Decimal()`` reads (finite)
``str``                text (a number becomes its text)
``list``               a list of texts and numbers (a multiple select)
``None`` (unset)       text, a boolean, a number, or ``None``
=====================  ============================================================

An annotation on the class (``count: int = 0``) wins over the current value's type.
Anything else (a dict, a list into a number, text that is not a number) raises
:class:`BadValue`; the consumer answers it with an error and the attribute keeps its
value.
"""

from __future__ import annotations

import math
import types
import typing
from decimal import Decimal, InvalidOperation
from typing import Any

_TRUE = {"true", "on", "1", "yes"}
_FALSE = {"false", "off", "0", "no", ""}
_MAX_TEXT = 100_000


class BadValue(ValueError):
    """A ``dj-model`` value that does not fit its attribute."""


def target_type(view: Any, field: str) -> type | None:
    """The type ``field`` takes: its class annotation (``Optional[X]`` is ``X``), else
    the type of its current value, else ``None`` (unset or ``None``)."""
    try:
        hints = typing.get_type_hints(type(view))
    except Exception:  # noqa: BLE001 - unresolvable annotations: fall back to the value
        hints = {}
    hint = hints.get(field)
    if hint is not None:
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        origin = typing.get_origin(hint)
        if origin in (list, typing.List):  # noqa: UP006 - typing.List still appears in old code
            return list
        if args and origin in (typing.Union, types.UnionType) and len(args) == 1:
            hint = args[0]
        if isinstance(hint, type):
            return hint
    current = getattr(view, field, None)
    return None if current is None else type(current)


def coerce(view: Any, field: str, value: Any) -> Any:
    """``value`` as the type of ``view.field`` (see the module documentation); raises
    :class:`BadValue` with a message that names the field and the expected type."""
    kind = target_type(view, field)
    if isinstance(value, str) and len(value) > _MAX_TEXT:
        raise BadValue(f"{field}: the value is longer than {_MAX_TEXT} characters")
    try:
        return _convert(kind, value)
    except (TypeError, ValueError, InvalidOperation, OverflowError) as exc:
        expected = kind.__name__ if kind is not None else "text, a number or a boolean"
        raise BadValue(f"{field} takes {expected}, not {_describe(value)}") from exc


def _describe(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text[:40] + '…' if len(text) > 40 else text}"


def _convert(kind: type | None, value: Any) -> Any:
    if isinstance(value, (dict, set)):
        raise TypeError("a mapping")
    if kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise ValueError("not a boolean")
    if kind is int:
        if isinstance(value, (bool, list, float)):
            raise TypeError("not an integer")
        if isinstance(value, int):
            return value
        if isinstance(value, str) and len(value.strip()) <= 100:
            return int(value.strip())
        raise ValueError("not an integer")
    if kind is float:
        if isinstance(value, (bool, list)):
            raise TypeError("not a number")
        number = float(value.strip() if isinstance(value, str) else value)
        if not math.isfinite(number):
            raise ValueError("not finite")
        return number
    if kind is Decimal:
        if isinstance(value, (bool, list)):
            raise TypeError("not a number")
        number = Decimal(value.strip() if isinstance(value, str) else str(value))
        if not number.is_finite():
            raise ValueError("not finite")
        return number
    if kind is str:
        if isinstance(value, str):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        raise TypeError("not text")
    if kind is list:
        items = value if isinstance(value, list) else [value]
        if not all(isinstance(i, (str, int, float)) and not isinstance(i, bool) for i in items):
            raise TypeError("not a list of texts")
        return list(items)
    if kind is None:
        if value is None or isinstance(value, (str, bool, int, float)):
            return value
        raise TypeError("not a scalar")
    # Another type (a date, an enum, a model): the client cannot build one.
    raise TypeError(f"{kind.__name__} cannot be set from the browser")
