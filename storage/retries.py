"""Running a unit of work again when that is safe: `Database.run(work)`.

A unit of work that fails before its commit kept nothing, so it may run again from the
start in a fresh transaction on a fresh connection. That is done, a bounded number of
times with a short pause, for:

- a lost or refused connection (`storage.engine.is_connection_error`: the server
  restarted, `pg_terminate_backend`, a network blip; a ping at checkout after an idle
  spell (`storage.engine.IDLE_PING_AFTER`, not on every checkout) already
  replaces connections that died while idle);
- a serialization failure or a deadlock (`storage.engine.is_conflict`).

Never again: an error once COMMIT was sent (the outcome is unknown: the caller
answers "try again", and the update id or form id makes a second try count once), a
pool that stayed full (`DatabaseBusy`: it waited the pool timeout already; running
again would only make the queue longer), and every other error (a bug does not go
away by trying again). After the last attempt the error surfaces as
`DatabaseUnavailable` (or the conflict itself).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from storage.engine import DatabaseBusy, DatabaseUnavailable, is_conflict, is_connection_error
from storage.unit_of_work import UnitOfWork

__all__ = ["RetryPolicy", "Work", "retry_reason", "run_with_retries"]

T = TypeVar("T")
Work = Callable[[UnitOfWork], Awaitable[T]]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """At most `attempts` runs in all; before run n+1 a pause of `pauses[n-1]` seconds
    (the last one repeats), with up to half of it again at random so that many
    requests hit by one outage do not all come back at the same moment."""

    attempts: int = 3
    pauses: tuple[float, ...] = (0.05, 0.25)

    def pause(self, failed_runs: int) -> float:
        base = self.pauses[min(failed_runs, len(self.pauses)) - 1] if self.pauses else 0.0
        return base * (1 + random.random() / 2)  # noqa: S311 - jitter, not a secret


def retry_reason(error: BaseException) -> str | None:
    """Why a unit of work that failed before its commit may run again: "connection" or
    "conflict"; None when it may not."""
    if isinstance(error, DatabaseBusy) or (
        isinstance(error, DatabaseUnavailable) and not error.retryable
    ):
        return None
    if is_conflict(error):
        return "conflict"
    if is_connection_error(error):
        return "connection"
    return None


async def run_with_retries(
    begin: Callable[[], UnitOfWork],
    work: Work[T],
    policy: RetryPolicy,
    on_retry: Callable[[str], None] | None = None,
) -> T:
    """`work` in a unit of work from `begin()`, committed; run again under `policy`.
    `on_retry(reason)` hears of each new run (metrics)."""
    failed_runs = 0
    while True:
        uow = begin()
        try:
            async with uow:
                return await work(uow)
        except Exception as error:
            failed_runs += 1
            reason = None if uow.committing else retry_reason(error)
            if reason is None or failed_runs >= policy.attempts:
                raise
            log.warning("unit of work: %s error, running it again", reason)
            if on_retry is not None:
                on_retry(reason)
        await asyncio.sleep(policy.pause(failed_runs))
