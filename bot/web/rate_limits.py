"""Rate limits of the web chat: token buckets in memory, per session and per address.

A bucket holds up to `capacity` tokens and gains `per_second` tokens a second; a post
takes one, and is refused (HTTP 429, a clear message, nothing changed) when the
bucket is empty. Buckets live in this process only: with several server processes
each keeps its own, so the limits multiply (see docs/webchat.md). Addresses are kept
in memory only, never written or logged; the least recently used buckets are dropped
beyond `max_keys`.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from bot.web.config import Bucket

__all__ = ["TokenBuckets"]


class TokenBuckets:
    def __init__(
        self,
        bucket: Bucket,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        self.bucket = bucket
        self._clock = clock
        self._max_keys = max_keys
        self._state: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def _level(self, key: str, now: float) -> float:
        tokens, since = self._state.get(key, (self.bucket.capacity, now))
        return min(self.bucket.capacity, tokens + (now - since) * self.bucket.per_second)

    def allows(self, key: str) -> bool:
        """True (and one token taken) when `key` may go ahead now."""
        with self._lock:
            now = self._clock()
            tokens = self._level(key, now)
            allowed = tokens >= 1
            self._state[key] = (tokens - 1 if allowed else tokens, now)
            self._state.move_to_end(key)
            while len(self._state) > self._max_keys:
                self._state.popitem(last=False)
            return allowed

    def retry_after(self, key: str) -> int:
        """Whole seconds until `key` has a token again."""
        with self._lock:
            tokens = self._level(key, self._clock())
        if tokens >= 1 or self.bucket.per_second <= 0:
            return 0
        return max(1, int((1 - tokens) / self.bucket.per_second + 0.999))
