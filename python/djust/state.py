"""LiveView state validation (``../shared/spec/runtime-validation.md``).

A LiveView's public state (attributes without a leading underscore) must be
JSON-serialisable with Django's ``DjangoJSONEncoder``, because it is what the template
sees and what a session keeps between events. Services, querysets and open files are
built when needed, in a helper method or a ``@property`` (the pattern ``djust check``'s
V006 recommends too; a private attribute set in ``mount`` is still V006).

Each attribute is walked without recursion, containers included (unlike upstream,
which accepts any list or dict), so a problem is named where it is:
``ProfileView.data['lock'] is a _thread.lock``. A container that contains itself (a
reference cycle) or nests more than :data:`MAX_DEPTH` levels is a problem too, never a
``RecursionError``.

With ``DEBUG = True`` a problem raises :class:`StateError` (a ``TypeError``) naming the
attribute, the path inside it, the type and the fix. Without ``DEBUG`` the attribute is
dropped from the state so the page keeps working, with one warning in the ``djust``
logger per view class, attribute and problem (not one per event).
"""

from __future__ import annotations

import functools
import json
import logging
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

logger = logging.getLogger("djust")

DOCS = "https://github.com/djust-org/djust/blob/main/docs/checks/V006.md"

#: Attributes every view has that are not state.
FRAMEWORK_ATTRIBUTES = frozenset({"request", "args", "kwargs", "head", "template_name", "abstract", "login_required"})

#: How deeply containers may nest inside one attribute.
MAX_DEPTH = 256

#: Warnings already given (view class, attribute, problem), so each is logged once.
_warned: set[tuple[str, str, str]] = set()
_MAX_WARNED = 10_000


class StateError(TypeError):
    """A public attribute that cannot be LiveView state (raised in DEBUG)."""


def serializable(value: Any) -> bool:
    """Whether ``value`` can be LiveView state: JSON scalars, ``DjangoJSONEncoder``'s
    types (dates, times, ``Decimal``, ``UUID``, lazy strings), model instances and
    querysets (kept by reference, as upstream djust does), objects that describe
    themselves as such data (a ``__djust_state__()`` method and a
    ``__djust_restore__(data)`` class method: :class:`djust.forms.LiveForm`), and lists,
    tuples, sets and dicts of those, without cycles and at most :data:`MAX_DEPTH` levels deep."""
    return problem("value", value) is None


def problem(name: str, value: Any) -> tuple[str, str] | None:
    """The first problem in ``value`` (the attribute ``name``): ``(path, what)`` such
    as ``("data['lock']", "is a _thread.lock")``, or ``None`` when it can be state.
    Iterative: any nesting depth or cycle is reported, never recursed into."""
    done: set[int] = set()  # containers already checked (shared ones are fine)
    open_paths: dict[int, str] = {}  # containers on the current path → their path
    stack: list[tuple[Any, str, int, bool]] = [(value, name, 0, False)]
    while stack:
        item, path, depth, leaving = stack.pop()
        if leaving:
            open_paths.pop(id(item), None)
            done.add(id(item))
            continue
        if item is None or isinstance(item, (str, int, float, bool)) or _is_model_data(item):
            continue
        if hasattr(type(item), "__djust_state__"):
            # An object that keeps itself as state (djust.forms.LiveForm): what it
            # keeps is checked in its place.
            try:
                kept = item.__djust_state__()
            except (TypeError, ValueError) as exc:
                return path, f"cannot be kept as state: {exc}"
            stack.append((kept, path, depth + 1, False))
            continue
        if isinstance(item, (list, tuple, set, frozenset, dict)):
            key = id(item)
            if key in open_paths:
                return path, f"refers back to {open_paths[key]} (a reference cycle)"
            if key in done:
                continue
            if depth >= MAX_DEPTH:
                return path, f"nests containers more than {MAX_DEPTH} levels deep"
            open_paths[key] = path
            stack.append((item, path, depth, True))
            if isinstance(item, dict):
                children = []
                for k, v in item.items():
                    if not isinstance(k, (str, int, float, bool)):
                        return f"{path}[{k!r}]", f"has a key of type {_type_name(k)} (keys must be text or numbers)"
                    children.append((v, f"{path}[{k!r}]", depth + 1, False))
            elif isinstance(item, (set, frozenset)):
                children = [(v, f"{path}[…]", depth + 1, False) for v in item]
            else:
                children = [(v, f"{path}[{i}]", depth + 1, False) for i, v in enumerate(item)]
            stack.extend(reversed(children))
            continue
        try:
            json.dumps(item, cls=DjangoJSONEncoder)
        except (TypeError, ValueError, OverflowError, RecursionError):
            return path, f"is a {_type_name(item)}"
    return None


def _type_name(value: Any) -> str:
    kind = type(value)
    return f"{kind.__module__}.{kind.__qualname__}"


@functools.cache
def _model_types() -> tuple[type, ...]:
    from django.db.models import Model, QuerySet

    return (Model, QuerySet)


def _is_model_data(value: Any) -> bool:
    return isinstance(value, _model_types())


def public_state(view: Any) -> dict[str, Any]:
    """The view's public instance attributes (not callables, not framework attributes)."""
    return {
        name: value
        for name, value in vars(view).items()
        if not name.startswith("_") and name not in FRAMEWORK_ATTRIBUTES and not callable(value)
    }


def validate(view: Any) -> dict[str, Any]:
    """The view's public state, checked: raises :class:`StateError` in DEBUG for a value
    that cannot be state, else logs a warning (once per view class, attribute and
    problem) and leaves the attribute out."""
    state = public_state(view)
    view_name = type(view).__name__
    for name, value in list(state.items()):
        found = problem(name, value)
        if found is None:
            continue
        path, what = found
        message = (
            f"{view_name}.{path} {what}, which cannot be serialised into LiveView state. "
            f"Build it when it is needed, in a helper method or a property "
            f"(`@property def {name}(self): return ...`), and store only "
            f"JSON-serialisable data (str, int, float, bool, None, list, dict, date/datetime, Decimal, UUID) "
            f"without reference cycles in attributes. See {DOCS}"
        )
        if settings.DEBUG:
            raise StateError(message)
        key = (f"{type(view).__module__}.{type(view).__qualname__}", name, what)
        if key not in _warned:
            if len(_warned) >= _MAX_WARNED:
                _warned.clear()
            _warned.add(key)
            logger.warning("%s (dropped from the state; logged once)", message)
        del state[name]
    return state
