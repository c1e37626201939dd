"""Where a mounted LiveView's state is kept between its socket and the next one.

The view's state (its public attributes, with the URL it is on) is written by
:mod:`djust.state_codec` under the view's key (with a shared store, before each reply
that changes it; with the memory backend, when the socket closes), a random
id the ``mounted`` reply gives the client (``"sid"``). A client that reconnects (its
socket dropped, the worker restarted, a load balancer sent it to another worker)
mounts with ``"restore": sid``; the mount goes through the URL's checks as any mount
does, then, instead of ``mount()``, the view takes the kept state (:mod:`djust.persistence`).

Backends (``DJUST["STATE_BACKEND"]``): :class:`~djust.state_backends.memory.MemoryBackend`
(this process; the default) and :class:`~djust.state_backends.redis.RedisBackend`
(shared by every worker, ``DJUST["STATE_REDIS_URL"]``). Both keep each state for
``DJUST["STATE_TTL"]`` seconds after its last change. A backend that fails raises
:class:`BackendUnavailable`; its callers degrade (the view mounts again) and log.

Source: upstream djust's ``state_backends`` (memory and Redis, TTL, cleanup command).
"""

from __future__ import annotations

import functools
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from django.core.signals import setting_changed

from djust import conf


class BackendUnavailable(Exception):
    """The store could not be reached or answered an error (the message says which)."""


@dataclass(frozen=True)
class BackendStats:
    """What a backend holds: ``entries`` states, ``bytes`` in total (as stored)."""

    entries: int
    bytes: int


class StateBackend(ABC):
    """A key–value store of encoded states with an expiry. Keys are strings of at most
    64 characters; values are bytes; ``ttl`` is in seconds."""

    #: Whether other processes read it (Redis): the socket then writes a view's state
    #: before each reply; else (memory) only when the socket closes.
    shared: bool = False

    @abstractmethod
    def get(self, key: str) -> bytes | None:
        """The value under ``key``, ``None`` when there is none or it expired."""

    @abstractmethod
    def set(self, key: str, value: bytes, ttl: int) -> None:
        """Keep ``value`` under ``key`` for ``ttl`` seconds from now."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Forget ``key`` (nothing happens when it is not there)."""

    @abstractmethod
    def clear_expired(self) -> int:
        """Remove what has expired; how many entries went."""

    @abstractmethod
    def stats(self) -> BackendStats:
        """How many states are kept and their size."""


@functools.cache
def _backend(kind: str | None, **options: Any) -> StateBackend | None:
    if kind == "memory":
        from djust.state_backends.memory import MemoryBackend

        return MemoryBackend(max_entries=options["max_entries"])
    if kind == "redis":
        from djust.state_backends.redis import RedisBackend

        return RedisBackend(options["url"])
    return None


def backend() -> StateBackend | None:
    """The backend ``DJUST["STATE_BACKEND"]`` names (one per process), ``None`` when
    restores are off."""
    kind = conf.state_backend()
    if kind == "memory":
        return _backend(kind, max_entries=conf.state_int("STATE_MAX_ENTRIES"))
    if kind == "redis":
        return _backend(kind, url=conf.state_redis_url())
    return None


def _forget(setting: str, **kwargs: Any) -> None:
    if setting == "DJUST":
        _backend.cache_clear()


setting_changed.connect(_forget)
