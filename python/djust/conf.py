"""djust's settings: the ``DJUST`` dict in the project's Django settings, every key
optional, every limit on by default (``docs/security.md`` explains each)::

    DJUST = {
        # The longest WebSocket message the server reads, in bytes (UTF-8). Longer
        # messages are answered with an error and not parsed.
        "MAX_MESSAGE_SIZE": 64 * 1024,
        # Per connection: events and dj-model updates may come in bursts of `burst`,
        # then `rate` per second (a token bucket). None turns the limit off.
        "EVENT_RATE_LIMIT": {"rate": 20, "burst": 40},
        # Per connection: mounts (a page's first one, and re-mounts after a stale patch).
        "MOUNT_RATE_LIMIT": {"rate": 0.2, "burst": 5},
        # How long, in seconds, the token a page hands its socket (``dj-session``)
        # stays valid: an older page reloads itself instead of mounting.
        "SESSION_MAX_AGE": 14 * 24 * 60 * 60,
        # The profile endpoint's bearer token (``djust.urls``, ``djust profile``); the
        # environment variable DJUST_PROFILE_TOKEN sets it too. Without one the endpoint
        # is served only with DEBUG on, and only to loopback clients.
        "PROFILE_TOKEN": None,
        # Record spans (djust.profiling) even when the endpoint is off (None: when it is on).
        "PROFILE": None,
        # How many spans each process keeps.
        "PROFILE_RING_SIZE": 10_000,
        # With a channel layer shared by the worker processes (Redis), how long the
        # endpoint waits for the other workers' answers, in seconds.
        "PROFILE_WORKERS_TIMEOUT": 0.5,
        # Per connection: background tasks (start_async, @background) running at once.
        # One more is refused: its handle_async_result gets a RuntimeError.
        "MAX_ASYNC_TASKS": 16,
        # Per connection: LiveViews mounted at once (a page's view and the ones it
        # embeds with {% live_render %}).
        "MAX_VIEWS_PER_CONNECTION": 16,
        # Where a mounted LiveView's state is kept between its socket and the next one
        # (djust.state_backends): a reconnect, to this worker or another, restores the
        # view from it instead of mounting again. "memory" (this process), "redis"
        # (shared by the workers; STATE_REDIS_URL) or None (always mount again).
        "STATE_BACKEND": "memory",
        "STATE_REDIS_URL": "redis://127.0.0.1:6379/0",
        # Seconds a kept state outlives its last change; `manage.py djust_clearstate`
        # removes expired ones (Redis expires them by itself).
        "STATE_TTL": 60 * 60,
        # States longer than this (bytes of JSON) are stored zlib-compressed.
        "STATE_COMPRESS_OVER": 10 * 1024,
        # A state longer than this (bytes, as stored) is logged once per view class.
        "STATE_WARN_OVER": 100 * 1024,
        # The memory backend's bound: the oldest states go first beyond it.
        "STATE_MAX_ENTRIES": 10_000,
        # The JSON encoder for values the state codec has no type for.
        "STATE_ENCODER": "django.core.serializers.json.DjangoJSONEncoder",
        # Seconds between a presence member's announcements (djust.presence); one not
        # heard of for three is dropped from the others' lists.
        "PRESENCE_HEARTBEAT": 10,
        # Per connection: channel layer groups joined at once (subscriptions and
        # presence groups of its views); more are refused with a warning.
        "MAX_GROUPS_PER_CONNECTION": 32,
        # Per connection: live cursor positions (djust.presence); over it, a position
        # is dropped without a reply (the next one supersedes it).
        "CURSOR_RATE_LIMIT": {"rate": 20, "burst": 20},
        # Give a LiveView's unevaluated QuerySets the select_related/prefetch_related
        # its template's reads need before each render (djust.query_planning).
        "QUERY_PLANNING": True,
    }

A key that is not known, or a value of the wrong shape, raises
``ImproperlyConfigured`` naming the key; the ``djust`` app checks them at start-up
(``djust.apps``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class RateLimit:
    """A token bucket's shape: ``burst`` at once, then ``rate`` per second."""

    rate: float
    burst: int


DEFAULTS: dict[str, Any] = {
    "MAX_MESSAGE_SIZE": 64 * 1024,
    "EVENT_RATE_LIMIT": {"rate": 20, "burst": 40},
    "MOUNT_RATE_LIMIT": {"rate": 0.2, "burst": 5},
    "SESSION_MAX_AGE": 14 * 24 * 60 * 60,
    "PROFILE_TOKEN": None,
    "PROFILE": None,
    "PROFILE_RING_SIZE": 10_000,
    "PROFILE_WORKERS_TIMEOUT": 0.5,
    "MAX_ASYNC_TASKS": 16,
    "MAX_VIEWS_PER_CONNECTION": 16,
    "STATE_BACKEND": "memory",
    "STATE_REDIS_URL": "redis://127.0.0.1:6379/0",
    "STATE_TTL": 60 * 60,
    "STATE_COMPRESS_OVER": 10 * 1024,
    "STATE_WARN_OVER": 100 * 1024,
    "STATE_MAX_ENTRIES": 10_000,
    "STATE_ENCODER": "django.core.serializers.json.DjangoJSONEncoder",
    "PRESENCE_HEARTBEAT": 10,
    "MAX_GROUPS_PER_CONNECTION": 32,
    "CURSOR_RATE_LIMIT": {"rate": 20, "burst": 20},
    "QUERY_PLANNING": True,
}


def _user_settings() -> dict[str, Any]:
    value = getattr(settings, "DJUST", None) or {}
    if not isinstance(value, dict):
        raise ImproperlyConfigured(f"settings.DJUST must be a dict, not {type(value).__name__}.")
    unknown = sorted(set(value) - set(DEFAULTS))
    if unknown:
        raise ImproperlyConfigured(
            f"Unknown key(s) in settings.DJUST: {', '.join(unknown)}. Known keys: {', '.join(sorted(DEFAULTS))}."
        )
    return value


def _positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ImproperlyConfigured(f"settings.DJUST[{name!r}] must be a positive integer, not {value!r}.")
    return value


def max_message_size() -> int:
    """``MAX_MESSAGE_SIZE``: bytes."""
    return _positive_int("MAX_MESSAGE_SIZE", _user_settings().get("MAX_MESSAGE_SIZE", DEFAULTS["MAX_MESSAGE_SIZE"]))


def max_async_tasks() -> int:
    """``MAX_ASYNC_TASKS``: background tasks per connection."""
    return _positive_int("MAX_ASYNC_TASKS", _user_settings().get("MAX_ASYNC_TASKS", DEFAULTS["MAX_ASYNC_TASKS"]))


def max_views_per_connection() -> int:
    """``MAX_VIEWS_PER_CONNECTION``: LiveViews mounted over one socket."""
    return _positive_int(
        "MAX_VIEWS_PER_CONNECTION",
        _user_settings().get("MAX_VIEWS_PER_CONNECTION", DEFAULTS["MAX_VIEWS_PER_CONNECTION"]),
    )


def session_max_age() -> int:
    """``SESSION_MAX_AGE``: seconds."""
    return _positive_int("SESSION_MAX_AGE", _user_settings().get("SESSION_MAX_AGE", DEFAULTS["SESSION_MAX_AGE"]))


def rate_limit(name: str) -> RateLimit | None:
    """``EVENT_RATE_LIMIT``, ``MOUNT_RATE_LIMIT`` or ``CURSOR_RATE_LIMIT``; ``None``
    when turned off."""
    value = _user_settings().get(name, DEFAULTS[name])
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) != {"rate", "burst"}:
        raise ImproperlyConfigured(
            f'settings.DJUST[{name!r}] must be None or {{"rate": per_second, "burst": count}}, not {value!r}.'
        )
    rate, burst = value["rate"], value["burst"]
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not rate > 0:
        raise ImproperlyConfigured(f"settings.DJUST[{name!r}]['rate'] must be a positive number, not {rate!r}.")
    return RateLimit(rate=float(rate), burst=_positive_int(f"{name}.burst", burst))


def profile_token() -> str | None:
    """``PROFILE_TOKEN``, else the environment's ``DJUST_PROFILE_TOKEN``; ``None`` when
    neither is set (an empty string counts as unset)."""
    import os

    value = _user_settings().get("PROFILE_TOKEN") or os.environ.get("DJUST_PROFILE_TOKEN") or None
    if value is not None and (not isinstance(value, str) or len(value) < 16):
        raise ImproperlyConfigured(
            "settings.DJUST['PROFILE_TOKEN'] (or DJUST_PROFILE_TOKEN) must be a string of at least 16 characters, "
            "such as the output of `python -c 'import secrets; print(secrets.token_urlsafe())'`."
        )
    return value


def profile_endpoint_on() -> bool:
    """Whether the profile endpoint serves: a token is set, or DEBUG is on."""
    return profile_token() is not None or bool(settings.DEBUG)


def profiling_on() -> bool:
    """Whether spans are recorded: ``PROFILE``, else whether the endpoint is on."""
    value = _user_settings().get("PROFILE")
    if value is not None and not isinstance(value, bool):
        raise ImproperlyConfigured(f"settings.DJUST['PROFILE'] must be None, True or False, not {value!r}.")
    return profile_endpoint_on() if value is None else value


def profile_ring_size() -> int:
    """``PROFILE_RING_SIZE``: spans per process."""
    return _positive_int("PROFILE_RING_SIZE", _user_settings().get("PROFILE_RING_SIZE", DEFAULTS["PROFILE_RING_SIZE"]))


def profile_workers_timeout() -> float:
    """``PROFILE_WORKERS_TIMEOUT``: seconds, more than 0 and at most 30."""
    value = _user_settings().get("PROFILE_WORKERS_TIMEOUT", DEFAULTS["PROFILE_WORKERS_TIMEOUT"])
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 30:
        raise ImproperlyConfigured(
            f"settings.DJUST['PROFILE_WORKERS_TIMEOUT'] must be a number of seconds in (0, 30], not {value!r}."
        )
    return float(value)


def state_backend() -> str | None:
    """``STATE_BACKEND``: ``"memory"``, ``"redis"`` or ``None`` (restores off)."""
    value = _user_settings().get("STATE_BACKEND", DEFAULTS["STATE_BACKEND"])
    if value not in ("memory", "redis", None):
        raise ImproperlyConfigured(f'settings.DJUST["STATE_BACKEND"] must be "memory", "redis" or None, not {value!r}.')
    return value


def state_redis_url() -> str:
    """``STATE_REDIS_URL``: a ``redis://``, ``rediss://`` or ``unix://`` URL."""
    value = _user_settings().get("STATE_REDIS_URL", DEFAULTS["STATE_REDIS_URL"])
    if not isinstance(value, str) or not value.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            f'settings.DJUST["STATE_REDIS_URL"] must be a redis://, rediss:// or unix:// URL, not {value!r}.'
        )
    return value


def state_int(name: str) -> int:
    """``STATE_TTL`` (seconds), ``STATE_COMPRESS_OVER``, ``STATE_WARN_OVER`` (bytes)
    or ``STATE_MAX_ENTRIES``: positive integers."""
    return _positive_int(name, _user_settings().get(name, DEFAULTS[name]))


def state_encoder() -> Any:
    """``STATE_ENCODER``: the ``json.JSONEncoder`` subclass at that dotted path."""
    import json

    from django.utils.module_loading import import_string

    path = _user_settings().get("STATE_ENCODER", DEFAULTS["STATE_ENCODER"])
    try:
        cls = import_string(path) if isinstance(path, str) else None
    except ImportError:
        cls = None
    if not (isinstance(cls, type) and issubclass(cls, json.JSONEncoder)):
        raise ImproperlyConfigured(
            f'settings.DJUST["STATE_ENCODER"] must be the dotted path of a json.JSONEncoder subclass, not {path!r}.'
        )
    return cls


def max_groups_per_connection() -> int:
    """``MAX_GROUPS_PER_CONNECTION``: channel layer groups per socket."""
    return _positive_int(
        "MAX_GROUPS_PER_CONNECTION",
        _user_settings().get("MAX_GROUPS_PER_CONNECTION", DEFAULTS["MAX_GROUPS_PER_CONNECTION"]),
    )


def query_planning() -> bool:
    """``QUERY_PLANNING``: ``True`` or ``False``."""
    value = _user_settings().get("QUERY_PLANNING", DEFAULTS["QUERY_PLANNING"])
    if not isinstance(value, bool):
        raise ImproperlyConfigured(f"settings.DJUST['QUERY_PLANNING'] must be True or False, not {value!r}.")
    return value


def presence_heartbeat() -> float:
    """``PRESENCE_HEARTBEAT``: seconds, more than 0 and at most 300."""
    value = _user_settings().get("PRESENCE_HEARTBEAT", DEFAULTS["PRESENCE_HEARTBEAT"])
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 300:
        raise ImproperlyConfigured(
            f"settings.DJUST['PRESENCE_HEARTBEAT'] must be a number of seconds in (0, 300], not {value!r}."
        )
    return float(value)


def validate() -> None:
    """Read every setting once: raises ``ImproperlyConfigured`` for a bad one."""
    max_message_size()
    max_async_tasks()
    max_views_per_connection()
    session_max_age()
    rate_limit("EVENT_RATE_LIMIT")
    rate_limit("MOUNT_RATE_LIMIT")
    rate_limit("CURSOR_RATE_LIMIT")
    profiling_on()
    profile_ring_size()
    profile_workers_timeout()
    state_backend()
    state_redis_url()
    for name in ("STATE_TTL", "STATE_COMPRESS_OVER", "STATE_WARN_OVER", "STATE_MAX_ENTRIES"):
        state_int(name)
    state_encoder()
    presence_heartbeat()
    query_planning()
    max_groups_per_connection()
