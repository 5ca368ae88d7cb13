"""Retention in the running service: `intake serve` purges once a day (a background
task in the app's lifespan); `intake purge` does the same on demand.

The periods come from the settings (RETENTION_*; docs/privacy.md). Each pass is one
unit of work; its counts (never contents) go to the audit log and the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI

from bot.settings import Settings
from storage.database import Database
from storage.engine import DatabaseUnavailable
from storage.retention import RetentionPolicy, purge

__all__ = ["FIRST_PASS_AFTER", "PASS_EVERY", "purge_daily", "purge_once", "retention_policy"]

FIRST_PASS_AFTER = 60.0  # seconds after start: let the service settle first
PASS_EVERY = 24 * 3600.0
log = logging.getLogger(__name__)

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def retention_policy(settings: Settings) -> RetentionPolicy:
    return RetentionPolicy(
        conversation=timedelta(days=settings.retention_conversation_days),
        closed=timedelta(days=settings.retention_closed_days),
        after_handover=timedelta(days=settings.retention_after_handover_days),
        accepted=timedelta(days=settings.retention_accepted_days),
        outbox_done=timedelta(days=settings.retention_outbox_days),
        outbox_pending=timedelta(days=settings.retention_outbox_pending_days),
        processed_updates=timedelta(days=settings.retention_processed_updates_days),
    )


async def purge_once(
    database: Database, policy: RetentionPolicy, *, dry_run: bool = False
) -> dict[str, int]:
    async with database.unit_of_work() as uow:
        return await purge(uow, policy, dry_run=dry_run)


async def purge_daily(
    database: Database,
    policy: RetentionPolicy,
    *,
    first_after: float = FIRST_PASS_AFTER,
    every: float = PASS_EVERY,
) -> None:
    """Purge after `first_after` seconds, then every `every` seconds, until cancelled.
    A failed pass is logged (its type only) and tried again at the next one."""
    await asyncio.sleep(first_after)
    while True:
        try:
            counts = await purge_once(database, policy)
            summary = " ".join(f"{name}={count}" for name, count in counts.items() if count)
            log.info("retention purge done: %s", summary or "nothing due")
        except DatabaseUnavailable:
            log.warning("retention purge skipped: the database is not reachable")
        except Exception as error:  # the service goes on; the next pass tries again
            log.error("retention purge failed: %s", type(error).__name__)
        await asyncio.sleep(every)


@asynccontextmanager
async def daily_purge(settings: Settings, database: Database) -> AsyncIterator[None]:
    """The daily purge as a background task while the block runs (`intake serve`)."""
    task = asyncio.create_task(
        purge_daily(database, retention_policy(settings)), name="retention-purge"
    )
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
