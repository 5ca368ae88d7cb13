"""The database of one running service: its engine and pool, its clock, and units of
work (`unit_of_work()`, or `run(work)`: run again when that is safe)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.disk_faults import recent_disk_fault
from storage.engine import Clock, PoolOptions, create_engine, ping, utc_now
from storage.reference_codes import new_reference_code
from storage.retries import RetryPolicy, Work, run_with_retries
from storage.unit_of_work import UnitOfWork

T = TypeVar("T")

__all__ = ["Database"]


class Database:
    """`Database(settings.database_url)`; one per process, closed with `dispose()`.

    `clock` gives every timestamp (tests pass a fixed one); `new_reference_code`
    makes reference codes (tests pass a deterministic one); `pool` sizes the
    connection pool (`DATABASE_POOL_*`); `retries` says how often `run` tries.
    """

    def __init__(
        self,
        url: str | URL,
        *,
        clock: Clock = utc_now,
        new_reference_code: Callable[[], str] = new_reference_code,
        engine: AsyncEngine | None = None,
        pool: PoolOptions | None = None,
        retries: RetryPolicy | None = None,
    ) -> None:
        self.engine = engine or create_engine(url, pool=pool)
        self.clock = clock
        self._new_code = new_reference_code
        self.retries = retries or RetryPolicy()
        # Told of each unit of work run again, with the reason (metrics).
        self.retry_listeners: list[Callable[[str], None]] = []

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def unit_of_work(self, *, write: bool = True) -> UnitOfWork:
        """A transaction with every store; `write=False` for read-only requests (on
        SQLite it then does not wait for writers; on PostgreSQL it is READ ONLY)."""
        return UnitOfWork(self.engine, self.clock, write=write, new_reference_code=self._new_code)

    async def ping(self, *, seconds: float = 2.0) -> None:
        """A trivial query on this database's pool (readiness, `/readyz`); raises
        `DatabaseUnavailable` when it does not answer within `seconds`, and for a while
        after a write failed or the file showed damage (`storage.disk_faults`)."""
        await ping(self.engine, seconds=seconds)
        fault = recent_disk_fault(self.engine)
        if fault is not None:
            raise fault

    async def run(self, work: Work[T], *, write: bool = True) -> T:
        """`work(uow)` in a unit of work, committed; run again from the start after a
        lost connection or a serialization failure before the commit, as
        `self.retries` allows (`storage/retries.py`)."""
        return await run_with_retries(
            lambda: self.unit_of_work(write=write), work, self.retries, self._retried
        )

    def _retried(self, reason: str) -> None:
        for listener in self.retry_listeners:
            listener(reason)

    async def dispose(self) -> None:
        await self.engine.dispose()
