"""Checks that a bot keeps to Telegram's sending limits.

Telegram asks bots to send about one message per second per chat and at most 30 per
second overall; a short burst is tolerated. Both limits are token buckets here: a chat
may send `per_chat_burst` messages at once and then one per second; all chats together
`global_burst` at once and then 30 per second. Every send without a token left is a
`RateViolation`. By default the fake only records violations, so a test can assert

    assert api.rate_violations == []

With `RateLimits(enforce=True)` it answers 429 with `retry_after` instead, as Telegram
does for a bot that floods.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["RateLimitChecker", "RateLimits", "RateViolation"]


@dataclass(frozen=True)
class RateLimits:
    per_chat_per_second: float = 1.0
    per_chat_burst: float = 3.0
    global_per_second: float = 30.0
    global_burst: float = 30.0
    enforce: bool = False


@dataclass(frozen=True)
class RateViolation:
    scope: str  # "chat" or "global"
    chat_id: int
    method: str
    time: float  # time.monotonic()


@dataclass
class _Bucket:
    capacity: float
    rate: float
    tokens: float
    updated: float

    def refill(self, now: float) -> None:
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def wait_seconds(self) -> int:
        return max(1, math.ceil((1.0 - self.tokens) / self.rate))


@dataclass
class RateLimitChecker:
    limits: RateLimits = field(default_factory=RateLimits)
    clock: Callable[[], float] = time.monotonic
    violations: list[RateViolation] = field(default_factory=list)
    _chats: dict[int, _Bucket] = field(default_factory=dict)
    _global: _Bucket | None = None

    def _buckets(self, chat_id: int, now: float) -> tuple[_Bucket, _Bucket]:
        limits = self.limits
        if self._global is None:
            self._global = _Bucket(
                limits.global_burst, limits.global_per_second, limits.global_burst, now
            )
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = _Bucket(
                limits.per_chat_burst, limits.per_chat_per_second, limits.per_chat_burst, now
            )
            self._chats[chat_id] = chat
        chat.refill(now)
        self._global.refill(now)
        return chat, self._global

    def admit(self, chat_id: int, method: str) -> int | None:
        """Count one message to `chat_id`.

        Returns None when it may go out; when enforcing and the limit is hit, the
        `retry_after` seconds to answer with (nothing is counted then).
        """
        now = self.clock()
        chat, overall = self._buckets(chat_id, now)
        found: list[RateViolation] = []
        if chat.tokens < 1.0:
            found.append(RateViolation("chat", chat_id, method, now))
        if overall.tokens < 1.0:
            found.append(RateViolation("global", chat_id, method, now))
        self.violations.extend(found)
        if found and self.limits.enforce:
            blocking = [b for b in (chat, overall) if b.tokens < 1.0]
            return max(b.wait_seconds() for b in blocking)
        chat.tokens = max(0.0, chat.tokens - 1.0)
        overall.tokens = max(0.0, overall.tokens - 1.0)
        return None
