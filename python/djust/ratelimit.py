"""Per-connection rate limits for the LiveView socket: a token bucket per kind of
message (events, mounts), shaped by ``DJUST["EVENT_RATE_LIMIT"]`` and
``DJUST["MOUNT_RATE_LIMIT"]`` (:mod:`djust.conf`)."""

from __future__ import annotations

import time
from collections.abc import Callable

from djust.conf import RateLimit


class TokenBucket:
    """``burst`` messages at once, refilled at ``rate`` per second. ``clock`` returns
    seconds (``time.monotonic`` by default; tests pass their own)."""

    def __init__(self, limit: RateLimit, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = limit.rate
        self.burst = float(limit.burst)
        self.tokens = float(limit.burst)
        self.clock = clock
        self.last = clock()

    def take(self) -> bool:
        """Spend one token: ``False`` when the bucket is empty (the message is refused)."""
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + max(0.0, now - self.last) * self.rate)
        self.last = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False

    def retry_after(self) -> float:
        """Seconds until the next token."""
        return max(0.0, (1.0 - self.tokens) / self.rate)
