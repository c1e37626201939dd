"""The Redis state backend: every worker process reads and writes the same store
(``DJUST["STATE_REDIS_URL"]``), so a client that reconnects to another worker gets its
view back. Keys are ``djust:state:<key>`` with Redis's own expiry (``SET … EX ttl``),
so nothing needs cleaning; :meth:`RedisBackend.clear_expired` removes keys left
without an expiry (none are written so). Uses ``redis`` from PyPI, with 2-second
timeouts: a store that does not answer is :class:`BackendUnavailable`, never a hang."""

from __future__ import annotations

from typing import Any

from djust.state_backends import BackendStats, BackendUnavailable, StateBackend

PREFIX = "djust:state:"


class RedisBackend(StateBackend):
    """States in Redis at ``url`` (``redis://host:port/db``)."""

    shared = True

    def __init__(self, url: str, timeout: float = 2.0) -> None:
        try:
            import redis
        except ImportError as exc:
            raise BackendUnavailable(
                'DJUST["STATE_BACKEND"] = "redis" needs the redis package: pip install redis'
            ) from exc
        self._errors: tuple[type[BaseException], ...] = (redis.RedisError, OSError)
        self.client: Any = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        self.url = url

    def _call(self, what: str, *args: Any, **kwargs: Any) -> Any:
        try:
            return getattr(self.client, what)(*args, **kwargs)
        except self._errors as exc:
            raise BackendUnavailable(f"Redis at {self.url}: {type(exc).__name__}: {exc}") from exc

    def get(self, key: str) -> bytes | None:
        return self._call("get", PREFIX + key)

    def set(self, key: str, value: bytes, ttl: int) -> None:
        self._call("set", PREFIX + key, value, ex=ttl)

    def delete(self, key: str) -> None:
        self._call("delete", PREFIX + key)

    def _keys(self) -> list[bytes]:
        try:
            return list(self.client.scan_iter(match=PREFIX + "*", count=500))
        except self._errors as exc:
            raise BackendUnavailable(f"Redis at {self.url}: {type(exc).__name__}: {exc}") from exc

    def clear_expired(self) -> int:
        gone = 0
        for key in self._keys():
            if self._call("ttl", key) == -1:
                gone += self._call("delete", key)
        return gone

    def stats(self) -> BackendStats:
        entries = size = 0
        for key in self._keys():
            entries += 1
            size += self._call("strlen", key) or 0
        return BackendStats(entries, size)
