"""A LiveView's state as bytes and back, for the state backends
(:mod:`djust.state_backends`): what a view keeps between a socket and the next one.

The state (the view's public attributes, :func:`djust.state.public_state`) is written as
JSON. Values JSON has no type for are written as tagged objects ``{"__djust__": tag,
...}`` and come back as the same type: ``datetime``, ``date``, ``time``, ``timedelta``,
``Decimal``, ``UUID``, ``tuple``, ``set``, ``frozenset``, dicts whose keys are not all
text, model instances (by model and primary key; fetched again on restore), querysets
(their pickled ``query``, as Django documents for reusing one) and objects that
describe themselves (``__djust_state__``/``__djust_restore__``, such as
:class:`djust.forms.LiveForm`). Anything else goes through the project's JSON encoder
(``DJUST["STATE_ENCODER"]``, Django's ``DjangoJSONEncoder`` by default) and comes back
as what it encoded to (a lazy translation comes back as its text).

The bytes are a one-byte format mark, then the JSON, compressed with zlib when it is
longer than ``compress_over`` bytes, and a MAC (Django's ``salted_hmac`` over the rest,
keyed by ``SECRET_KEY``): a record someone else wrote in the store (which could hold a
pickled query) is refused, never decoded. Errors: :class:`StateCodecError`.

Source: upstream djust's state backends (JSON, zstd over 10 KB); differences: zlib (in
Python's standard library) instead of zstd, types kept rather than flattened, records
authenticated.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import hashlib
import hmac
import json
import math
import pickle
import uuid
import zlib
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.utils.crypto import salted_hmac
from django.utils.module_loading import import_string

TAG = "__djust__"
SALT = "djust.state_codec"
#: Format marks: plain JSON, zlib-compressed JSON.
PLAIN, COMPRESSED = b"J", b"Z"
MAC_BYTES = 32
#: The deepest nesting decoded (the state check allows 256 levels; tags add one each).
MAX_DEPTH = 600


class StateCodecError(ValueError):
    """State that cannot be written (a value with no encoding) or bytes that cannot be
    read back (corrupt, forged, from another ``SECRET_KEY``, or naming a class that is
    gone)."""


def dumps(
    state: dict[str, Any], *, compress_over: int = 10_240, encoder: type[json.JSONEncoder] | None = None
) -> bytes:
    """``state`` as authenticated bytes (see the module documentation)."""
    try:
        text = json.dumps(_encode(state, encoder or _default_encoder(), 0), separators=(",", ":"))
    except (TypeError, ValueError, RecursionError) as exc:
        raise StateCodecError(f"the state cannot be written: {exc}") from exc
    body = text.encode()
    if len(body) > compress_over:
        body = COMPRESSED + zlib.compress(body, 6)
    else:
        body = PLAIN + body
    return body + _mac(body)


def loads(data: bytes, *, max_size: int = 64 * 1024 * 1024) -> dict[str, Any]:
    """The state :func:`dumps` wrote; :class:`StateCodecError` for anything else.
    ``max_size`` bounds the decompressed JSON (bytes)."""
    if len(data) <= MAC_BYTES + 1:
        raise StateCodecError("the stored state is truncated")
    body, mac = data[:-MAC_BYTES], data[-MAC_BYTES:]
    if not hmac.compare_digest(mac, _mac(body)):
        raise StateCodecError("the stored state's MAC does not match (written with another SECRET_KEY, or altered)")
    mark, payload = body[:1], body[1:]
    if mark == COMPRESSED:
        inflater = zlib.decompressobj()
        try:
            payload = inflater.decompress(payload, max_size)
        except zlib.error as exc:
            raise StateCodecError(f"the stored state does not decompress: {exc}") from exc
        if inflater.unconsumed_tail:
            raise StateCodecError(f"the stored state is larger than {max_size} bytes")
    elif mark != PLAIN:
        raise StateCodecError("the stored state has an unknown format")
    try:
        decoded = _decode(json.loads(payload), 0)
    except (
        ValueError,
        TypeError,
        KeyError,
        LookupError,
        ImportError,
        AttributeError,
        RecursionError,
        pickle.PickleError,
        ObjectDoesNotExist,
    ) as exc:
        raise StateCodecError(f"the stored state cannot be read back: {type(exc).__name__}: {exc}") from exc
    if not isinstance(decoded, dict):
        raise StateCodecError("the stored state is not a mapping of attributes")
    return decoded


def _mac(body: bytes) -> bytes:
    return salted_hmac(SALT, body, algorithm="sha256").digest()


def _default_encoder() -> type[json.JSONEncoder]:
    from djust import conf

    return conf.state_encoder()


def _encode(value: Any, encoder: type[json.JSONEncoder], depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise ValueError(f"the state nests more than {MAX_DEPTH} levels")
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            return {TAG: "float", "v": repr(value)}
        return value
    if isinstance(value, list):
        return [_encode(v, encoder, depth + 1) for v in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value) and TAG not in value:
            return {k: _encode(v, encoder, depth + 1) for k, v in value.items()}
        return {
            TAG: "dict",
            "items": [[_encode(k, encoder, depth + 1), _encode(v, encoder, depth + 1)] for k, v in value.items()],
        }
    if isinstance(value, tuple):
        return {TAG: "tuple", "items": [_encode(v, encoder, depth + 1) for v in value]}
    if isinstance(value, (set, frozenset)):
        kind = "set" if isinstance(value, set) else "frozenset"
        return {TAG: kind, "items": [_encode(v, encoder, depth + 1) for v in value]}
    # datetime before date: a datetime is a date.
    if isinstance(value, datetime.datetime):
        return {TAG: "datetime", "v": value.isoformat()}
    if isinstance(value, datetime.date):
        return {TAG: "date", "v": value.isoformat()}
    if isinstance(value, datetime.time):
        return {TAG: "time", "v": value.isoformat()}
    if isinstance(value, datetime.timedelta):
        return {TAG: "timedelta", "v": [value.days, value.seconds, value.microseconds]}
    if isinstance(value, decimal.Decimal):
        return {TAG: "decimal", "v": str(value)}
    if isinstance(value, uuid.UUID):
        return {TAG: "uuid", "v": str(value)}
    if hasattr(type(value), "__djust_state__") and hasattr(type(value), "__djust_restore__"):
        cls = type(value)
        return {
            TAG: "object",
            "class": f"{cls.__module__}.{cls.__qualname__}",
            "v": _encode(value.__djust_state__(), encoder, depth + 1),
        }
    model = _model_kind(value)
    if model == "instance":
        if value.pk is None:
            raise TypeError(f"an unsaved {type(value).__name__} has no primary key to be kept by")
        return {TAG: "model", "label": value._meta.label, "pk": _encode(value.pk, encoder, depth + 1)}
    if model == "queryset":
        query = base64.b64encode(pickle.dumps(value.query)).decode()
        return {TAG: "queryset", "label": value.model._meta.label, "query": query}
    # The project's encoder decides; the value comes back as what it encodes to.
    return json.loads(json.dumps(value, cls=encoder))


def _decode(value: Any, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise ValueError(f"the stored state nests more than {MAX_DEPTH} levels")
    if isinstance(value, list):
        return [_decode(v, depth + 1) for v in value]
    if not isinstance(value, dict):
        return value
    tag = value.get(TAG)
    if tag is None:
        return {k: _decode(v, depth + 1) for k, v in value.items()}
    if tag == "dict":
        return {_decode(k, depth + 1): _decode(v, depth + 1) for k, v in value["items"]}
    if tag in ("tuple", "set", "frozenset"):
        items = [_decode(v, depth + 1) for v in value["items"]]
        return {"tuple": tuple, "set": set, "frozenset": frozenset}[tag](items)
    if tag == "float":
        return float(value["v"])
    if tag == "datetime":
        return datetime.datetime.fromisoformat(value["v"])
    if tag == "date":
        return datetime.date.fromisoformat(value["v"])
    if tag == "time":
        return datetime.time.fromisoformat(value["v"])
    if tag == "timedelta":
        days, seconds, micros = value["v"]
        return datetime.timedelta(days=days, seconds=seconds, microseconds=micros)
    if tag == "decimal":
        return decimal.Decimal(value["v"])
    if tag == "uuid":
        return uuid.UUID(value["v"])
    if tag == "object":
        cls = import_string(value["class"])
        restore = getattr(cls, "__djust_restore__", None)
        if restore is None:
            raise TypeError(f"{value['class']} has no __djust_restore__")
        return restore(_decode(value["v"], depth + 1))
    if tag == "model":
        return _model(value["label"])._default_manager.get(pk=_decode(value["pk"], depth + 1))
    if tag == "queryset":
        queryset = _model(value["label"])._default_manager.all()
        # Authenticated above (the record's MAC): written by this project, not a client.
        queryset.query = pickle.loads(base64.b64decode(value["query"]))
        return queryset
    raise ValueError(f"unknown tag {tag!r}")


def _model(label: str) -> Any:
    from django.apps import apps

    return apps.get_model(label)


def _model_kind(value: Any) -> str | None:
    try:
        from django.db.models import Model, QuerySet
    except ImportError:  # pragma: no cover - Django is a dependency
        return None
    if isinstance(value, Model):
        return "instance"
    if isinstance(value, QuerySet):
        return "queryset"
    return None


def digest(data: bytes) -> str:
    """A short fingerprint of encoded state (to skip saving what did not change)."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()
