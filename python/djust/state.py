"""LiveView state validation (``../shared/spec/runtime-validation.md``).

A LiveView's public state (attributes without a leading underscore) must be
JSON-serialisable with Django's ``DjangoJSONEncoder``, because it is what the template
sees and what a session keeps between events. Services, querysets and open files
belong in private attributes (``self._client``) or are rebuilt on demand.

With ``DEBUG = True`` a value that does not serialise raises ``TypeError`` naming the
attribute, its type and the fix. Without ``DEBUG`` the value is dropped from the state
(with a warning in the ``djust`` logger) so the page keeps working.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

logger = logging.getLogger("djust")

DOCS = "https://github.com/djust-org/djust/blob/main/docs/checks/V006.md"

#: Attributes every view has that are not state.
FRAMEWORK_ATTRIBUTES = frozenset({"request", "args", "kwargs", "head", "template_name", "abstract", "login_required"})


def serializable(value: Any) -> bool:
    """Whether ``value`` can be LiveView state: JSON scalars, ``DjangoJSONEncoder``'s
    types (dates, times, ``Decimal``, ``UUID``, lazy strings), model instances and
    querysets (kept by reference, as upstream djust does), and lists, tuples, sets and
    dicts of those (their contents are checked too, unlike upstream)."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return True
    if _is_model_data(value):
        return True
    if isinstance(value, (list, tuple, set, frozenset)):
        return all(serializable(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, (str, int, float, bool)) and serializable(v) for k, v in value.items())
    try:
        json.dumps(value, cls=DjangoJSONEncoder)
    except (TypeError, ValueError, OverflowError):
        return False
    return True


def _is_model_data(value: Any) -> bool:
    from django.db.models import Model, QuerySet

    return isinstance(value, (Model, QuerySet))


def public_state(view: Any) -> dict[str, Any]:
    """The view's public instance attributes (not callables, not framework attributes)."""
    return {
        name: value
        for name, value in vars(view).items()
        if not name.startswith("_") and name not in FRAMEWORK_ATTRIBUTES and not callable(value)
    }


def validate(view: Any) -> dict[str, Any]:
    """The view's public state, checked: raises ``TypeError`` in DEBUG for a value that
    does not serialise, else logs a warning and leaves it out."""
    state = public_state(view)
    for name, value in list(state.items()):
        if serializable(value):
            continue
        kind = type(value)
        type_name = f"{kind.__module__}.{kind.__qualname__}"
        message = (
            f"{type(view).__name__}.{name} is a {type_name}, which cannot be serialised into LiveView state. "
            f"Keep it in a private attribute (self._{name}) or rebuild it when needed, and store only "
            f"JSON-serialisable data (str, int, float, bool, None, list, dict, date/datetime, Decimal, UUID) "
            f"in public attributes. See {DOCS}"
        )
        if settings.DEBUG:
            raise TypeError(message)
        logger.warning("%s (dropped from the state)", message)
        del state[name]
    return state
