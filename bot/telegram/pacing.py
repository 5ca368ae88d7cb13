"""Telegram's sending limits, kept before a request leaves: about one message per
second per chat, at most 30 per second overall, short bursts tolerated.

Each limit is a GCRA (virtual scheduling) bucket: `reserve()` books the next free
slot and says how long to wait for it, so concurrent senders queue fairly and never
overshoot. A 429 answer's `retry_after` blocks the chat until then (`block`).
Our bursts are smaller than Telegram's, which leaves room for network jitter.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

__all__ = ["Pacer", "SendLimits", "SlotBucket"]

MAX_TRACKED_CHATS = 10_000


@dataclass(frozen=True)
class SendLimits:
    per_chat_per_second: float = 1.0
    per_chat_burst: int = 2
    global_per_second: float = 30.0
    global_burst: int = 20

    def __post_init__(self) -> None:
        if min(self.per_chat_per_second, self.global_per_second) <= 0:
            raise ValueError("send rates must be positive")
        if min(self.per_chat_burst, self.global_burst) < 1:
            raise ValueError("bursts must be at least 1")


class SlotBucket:
    """GCRA: at most `burst` at once, then one per `1 / rate` seconds."""

    def __init__(self, rate: float, burst: int) -> None:
        self.interval = 1.0 / rate
        self.tolerance = (burst - 1) * self.interval
        self.tat = float("-inf")  # theoretical arrival time of the next request

    def reserve(self, now: float) -> float:
        """Book a slot; the seconds to wait until it (0 when it is free now)."""
        tat = max(self.tat, now)
        send_at = max(now, tat - self.tolerance)
        self.tat = tat + self.interval
        return send_at - now

    def block_until(self, until: float) -> None:
        """Nothing before `until` (Telegram asked us to wait)."""
        self.tat = max(self.tat, until + self.tolerance)

    def idle(self, now: float) -> bool:
        return self.tat <= now


class Pacer:
    """Waits before each request so that no chat and not the bot as a whole floods."""

    def __init__(
        self,
        limits: SendLimits | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.limits = limits or SendLimits()
        self._clock = clock
        self._sleep = sleep
        self._chats: dict[str, SlotBucket] = {}
        self._global = SlotBucket(self.limits.global_per_second, self.limits.global_burst)

    def _chat(self, chat: str) -> SlotBucket:
        bucket = self._chats.get(chat)
        if bucket is None:
            if len(self._chats) >= MAX_TRACKED_CHATS:
                now = self._clock()
                self._chats = {k: b for k, b in self._chats.items() if not b.idle(now)}
            limits = self.limits
            bucket = SlotBucket(limits.per_chat_per_second, limits.per_chat_burst)
            self._chats[chat] = bucket
        return bucket

    async def acquire(self, chat: str) -> None:
        """Wait for this chat's next slot, then for the bot's next slot."""
        wait = self._chat(chat).reserve(self._clock())
        if wait > 0:
            await self._sleep(wait)
        wait = self._global.reserve(self._clock())
        if wait > 0:
            await self._sleep(wait)

    def block(self, chat: str, seconds: float) -> None:
        """A 429 for this chat: its next request waits `seconds`."""
        self._chat(chat).block_until(self._clock() + seconds)
