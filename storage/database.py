"""The database of one running service: its engine, its clock, and units of work."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.disk_faults import recent_disk_fault
from storage.engine import Clock, create_engine, ping, utc_now
from storage.reference_codes import new_reference_code
from storage.unit_of_work import UnitOfWork

__all__ = ["Database"]


class Database:
    """`Database(settings.database_url)`; one per process, closed with `dispose()`.

    `clock` gives every timestamp (tests pass a fixed one); `new_reference_code`
    makes reference codes (tests pass a deterministic one).
    """

    def __init__(
        self,
        url: str | URL,
        *,
        clock: Clock = utc_now,
        new_reference_code: Callable[[], str] = new_reference_code,
        engine: AsyncEngine | None = None,
    ) -> None:
        self.engine = engine or create_engine(url)
        self.clock = clock
        self._new_code = new_reference_code

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

    async def dispose(self) -> None:
        await self.engine.dispose()
