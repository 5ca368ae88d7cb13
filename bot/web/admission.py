"""Back-pressure for the web chat: at most so many of its requests use the database at
once in this process, fewer than the connection pool holds.

A request over the limit waits a short while for a place; when none comes free it
raises `WebChatBusy` (a `storage.engine.DatabaseBusy`) before it touched the
database, so nothing was written, and the chat's fault page answers 503 with
`Retry-After` in the person's language (`bot.web.fault_pages`). The pool itself then
never runs dry because of the chat: the dashboard and Telegram keep their share, and
nobody waits the whole pool timeout for a connection.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from storage.engine import DatabaseBusy

__all__ = ["Admission", "WebChatBusy", "admission_limit"]


class WebChatBusy(DatabaseBusy):
    """Every place for the web chat's database work stayed taken for the admission
    wait: too many people at once for this process; nothing was written."""


def admission_limit(pool_size: int, max_overflow: int) -> int:
    """The web chat's share of a pool of `pool_size` + `max_overflow` connections:
    three quarters, at least one."""
    return max(1, (pool_size + max_overflow) * 3 // 4)


class Admission:
    """At most `limit` holders at once; the next waits up to `wait` seconds."""

    def __init__(self, limit: int, wait: float) -> None:
        if limit < 1:
            raise ValueError("the admission limit must be at least 1")
        self.limit, self.wait = limit, wait
        self._places = asyncio.Semaphore(limit)
        self.in_use = 0
        self.refused = 0  # how many were turned away (metrics, the benchmark)

    @asynccontextmanager
    async def place(self) -> AsyncIterator[None]:
        """Hold a place for the block; `WebChatBusy` when none came free in time."""
        try:
            await asyncio.wait_for(self._places.acquire(), self.wait)
        except TimeoutError:
            self.refused += 1
            raise WebChatBusy("too many web chat requests at once in this process") from None
        self.in_use += 1
        try:
            yield
        finally:
            self.in_use -= 1
            self._places.release()
