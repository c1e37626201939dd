"""A mounted LiveView's state, kept after each message and restored on reconnect.

:func:`save` writes the view's public state (:func:`djust.state.validate`), the URL it
is on and who it belongs to (the LiveView class, the browser's binding from
:func:`djust.mount.binding`) into the state backend under the view's key
(:func:`new_key`, given to the client as the ``mounted`` reply's ``"sid"``). Nothing
is written when the encoded state did not change.

:func:`restore` runs inside a mount, after the URL's middleware, decorators,
``login_required``, ``check_permissions`` and the page token have all passed: it gives
the view the kept state instead of calling ``mount()``, when the record is for this
class, this browser, and this URL (path and query). Anything else (no record, an
expired or forged one, another browser's, a store that is down) is a normal mount; a
store that is down is logged as a warning (at most once a minute), never raised.

Private attributes (``_name``) are not state and are not kept: a view that needs them
sets them again in :meth:`djust.LiveView.restored`, which runs after a restore. Its
broadcast subscriptions and tracked presence are kept, and taken up again
(:mod:`djust.presence`).
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from typing import Any

from django.utils.crypto import constant_time_compare

from djust import conf, presence, state, state_backends, state_codec
from djust import mount as socket_mount

logger = logging.getLogger("djust")

_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")
#: View classes whose state was reported as large (logged once each).
_warned_large: set[str] = set()
#: When an unavailable store was last logged (monotonic seconds).
_outage_logged = -1e9


def new_key() -> str:
    """A fresh, unguessable key for a mounted view's state (24 URL-safe characters)."""
    return secrets.token_urlsafe(18)


def valid_key(value: Any) -> bool:
    """Whether ``value`` is shaped like a key :func:`new_key` makes."""
    return isinstance(value, str) and _KEY.fullmatch(value) is not None


def _outage(what: str, exc: Exception) -> None:
    global _outage_logged
    now = time.monotonic()
    if now - _outage_logged >= 60:
        _outage_logged = now
        logger.warning("djust: the state backend is unavailable (%s): %s; views mount again on reconnect", what, exc)


def record_of(view: Any) -> dict[str, Any]:
    """What is kept of ``view``: class, browser binding, URL, embedded or not, state."""
    return {
        "v": socket_mount.class_path(type(view)),
        "b": socket_mount.binding(view.request),
        "u": view.__dict__.get("_djust_url") or "",
        "e": bool(view.__dict__.get("_djust_embedded")),
        "s": state.validate(view),
        "c": presence.channels_of(view),
    }


def save(view: Any, key: str, last: str | None = None) -> str | None:
    """Keep ``view``'s state under ``key``: the digest of what was written (or of what
    was already there, ``last``), for the next call to skip an unchanged state."""
    store = state_backends.backend()
    if store is None:
        return last
    view_name = socket_mount.class_path(type(view))
    try:
        data = state_codec.dumps(record_of(view), compress_over=conf.state_int("STATE_COMPRESS_OVER"))
    except state_codec.StateCodecError as exc:
        if view_name not in _warned_large:
            _warned_large.add(view_name)
            logger.warning("djust: %s's state cannot be kept for a reconnect: %s", view_name, exc)
        return last
    digest = state_codec.digest(data)
    if digest == last:
        return last
    warn_over = conf.state_int("STATE_WARN_OVER")
    if len(data) > warn_over and view_name not in _warned_large:
        _warned_large.add(view_name)
        logger.warning(
            "djust: %s keeps %d bytes of state (over DJUST['STATE_WARN_OVER'] = %d): keep querysets and large "
            "data out of public attributes, or build them in a property",
            view_name,
            len(data),
            warn_over,
        )
    try:
        store.set(key, data, conf.state_int("STATE_TTL"))
    except state_backends.BackendUnavailable as exc:
        _outage("save", exc)
        return last
    return digest


def restore(view: Any, request: Any, key: Any, embedded: bool) -> bool:
    """Give ``view`` (being mounted for ``request``) the state kept under ``key``;
    whether it did (else the caller mounts)."""
    store = state_backends.backend()
    if store is None or not valid_key(key):
        return False
    try:
        data = store.get(key)
    except state_backends.BackendUnavailable as exc:
        _outage("restore", exc)
        return False
    if data is None:
        return False
    try:
        record = state_codec.loads(data)
    except state_codec.StateCodecError as exc:
        logger.warning("djust: a kept state could not be restored (the view mounts again): %s", exc)
        return False
    url = request.get_full_path()
    fits = (
        record.get("v") == socket_mount.class_path(type(view))
        and isinstance(record.get("b"), str)
        and constant_time_compare(record["b"], socket_mount.binding(request))
        and record.get("e") == embedded
        and (embedded or record.get("u") == url)
        and isinstance(record.get("s"), dict)
    )
    if not fits:
        return False
    for name, value in record["s"].items():
        if isinstance(name, str) and not name.startswith("_"):
            setattr(view, name, value)
    if embedded:
        view._djust_embedded = True
    else:
        view._djust_url = url
    view._djust_state_key = key
    presence.resume(view, record.get("c"))
    view.restored(request)
    return True
