"""Test bookkeeping of a Telegram intake: which updates are done, how often, and how
many messages each queued (it lives in the tests; the intake only tells listeners)."""

from __future__ import annotations

import asyncio

from bot.telegram.intake import TelegramIntake, UpdateDone

__all__ = ["HandledUpdates"]


class HandledUpdates:
    """Listens to an intake; `wait` until an update was handled `times` times."""

    def __init__(self, intake: TelegramIntake) -> None:
        self._times: dict[int, int] = {}
        self._queued: dict[int, int] = {}
        self._changed = asyncio.Event()
        intake.listen(self.record)

    def record(self, done: UpdateDone) -> None:
        self._times[done.update_id] = self._times.get(done.update_id, 0) + 1
        self._queued[done.update_id] = done.queued
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    def times(self, update_id: int) -> int:
        """How often the update was handled so far."""
        return self._times.get(update_id, 0)

    async def wait(self, update_id: int, times: int = 1) -> int:
        """Until this update was handled `times` times (a redelivered update); the
        number of messages its last handling queued."""
        while self._times.get(update_id, 0) < times:
            await self._changed.wait()
        return self._queued.get(update_id, 0)
