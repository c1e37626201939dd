"""The in-process state backend: a dict bounded by ``DJUST["STATE_MAX_ENTRIES"]``
(the least recently written go first), entries expiring ``ttl`` seconds after their
last write (dropped when read, and swept every 256 writes). A reconnect to the same process restores; another process does not see it
(use the Redis backend with several workers)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from djust.state_backends import BackendStats, StateBackend


class MemoryBackend(StateBackend):
    """States in this process's memory; thread-safe (Django's sync threads and the
    event loop both use it)."""

    def __init__(self, max_entries: int = 10_000, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_entries = max_entries
        self.clock = clock
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()
        self._writes = 0

    def get(self, key: str) -> bytes | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            expires, value = found
            if expires <= self.clock():
                del self._entries[key]
                return None
            return value

    def set(self, key: str, value: bytes, ttl: int) -> None:
        self._writes += 1
        if self._writes % 256 == 0:
            self.clear_expired()  # what is never read again goes too
        with self._lock:
            self._entries.pop(key, None)
            self._entries[key] = (self.clock() + ttl, value)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def delete(self, key: str) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def clear_expired(self) -> int:
        now = self.clock()
        with self._lock:
            gone = [key for key, (expires, _) in self._entries.items() if expires <= now]
            for key in gone:
                del self._entries[key]
        return len(gone)

    def stats(self) -> BackendStats:
        with self._lock:
            return BackendStats(len(self._entries), sum(len(v) for _, v in self._entries.values()))
