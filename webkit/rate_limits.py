"""Rate limits: token buckets in memory, per key (a browser session, a client address).

A bucket holds up to `capacity` tokens and gains `per_second` tokens a second; a
request takes one, and is refused (the app answers HTTP 429 with a clear message and
changes nothing) when the bucket is empty. Buckets live in this process only: with
several server processes each keeps its own, so the limits multiply. Keys are kept in
memory only, never written or logged; the least recently used are dropped beyond
`max_keys`.

An app's rate-limit dependency names the buckets a request takes a token from, each
with its key, and asks `take_tokens`: None (go ahead) or the seconds to wait.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request

__all__ = ["Bucket", "TokenBuckets", "client_address", "take_tokens"]


@dataclass(frozen=True)
class Bucket:
    capacity: float
    per_second: float


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


def take_tokens(*takes: tuple[TokenBuckets, str]) -> int | None:
    """A token from each bucket for its key, in order, stopping at the first bucket
    that refuses: None when every bucket allowed, else the whole seconds (at least
    one) until the refusing bucket has a token again (for `Retry-After`)."""
    for buckets, key in takes:
        if not buckets.allows(key):
            return max(1, buckets.retry_after(key))
    return None


def client_address(request: Request) -> str:
    """The client's address (behind a proxy: as uvicorn's `--proxy-headers` gives it)."""
    return request.client.host if request.client else "unknown"
