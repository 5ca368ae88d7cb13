"""Processed update ids: each channel update is applied once.

`mark_processed` inserts the id in the caller's unit of work, together with the
update's effects: when the unit of work rolls back (an error, a lost database), the
id is not kept and the update will be processed again. When two servers receive the
same update at once, PostgreSQL makes the second insert wait for the first
transaction and then report the id as taken, so only one of them applies it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Table, bindparam, delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.engine import Clock
from storage.tables import ProcessedUpdateRow

__all__ = ["ProcessedUpdateStore", "SqlProcessedUpdateStore"]


class ProcessedUpdateStore(Protocol):
    async def mark_processed(self, channel: str, update_id: str | int) -> bool: ...

    async def is_processed(self, channel: str, update_id: str | int) -> bool: ...

    async def forget_before(self, cutoff: datetime) -> int: ...


_TABLE: Table = ProcessedUpdateRow.__table__  # type: ignore[attr-defined]


def _mark(insert: Callable[[Table], Any]) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING, built once per dialect (every
    message runs it)."""
    return (
        insert(_TABLE)
        .values(
            channel=bindparam("channel"),
            update_id=bindparam("update_id"),
            processed_at=bindparam("processed_at", type_=_TABLE.c.processed_at.type),
        )
        .on_conflict_do_nothing(index_elements=["channel", "update_id"])
        .returning(_TABLE.c.update_id)
    )


_MARK = {"postgresql": _mark(postgresql_insert), "sqlite": _mark(sqlite_insert)}


class SqlProcessedUpdateStore:
    def __init__(self, session: AsyncSession, clock: Clock, dialect: str) -> None:
        self._session, self._clock, self._dialect = session, clock, dialect

    async def mark_processed(self, channel: str, update_id: str | int) -> bool:
        """Record the update; True when it is new, False when it was processed before
        (then apply nothing)."""
        params = {"channel": channel, "update_id": str(update_id), "processed_at": self._clock()}
        result = await self._session.execute(_MARK[self._dialect], params)
        return result.first() is not None

    async def is_processed(self, channel: str, update_id: str | int) -> bool:
        result = await self._session.scalars(
            select(ProcessedUpdateRow.update_id).where(  # type: ignore[call-overload]
                col(ProcessedUpdateRow.channel) == channel,
                col(ProcessedUpdateRow.update_id) == str(update_id),
            )
        )
        return result.first() is not None

    async def forget_before(self, cutoff: datetime) -> int:
        """Drop ids processed before `cutoff` (channels stop redelivering after a day)."""
        statement = (
            delete(ProcessedUpdateRow)
            .where(col(ProcessedUpdateRow.processed_at) < cutoff)
            .returning(col(ProcessedUpdateRow.update_id))
            .execution_options(synchronize_session=False)
        )
        return len((await self._session.execute(statement)).all())
