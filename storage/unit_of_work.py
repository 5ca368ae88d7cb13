"""One unit of work per update or request: one transaction, all stores on it.

    async with database.unit_of_work() as uow:
        await uow.lock_conversation(key)
        if not await uow.updates.mark_processed("telegram", update_id):
            return  # a duplicate: it had its effect already
        conversation = await uow.conversations.load(key)
        ...
        await uow.conversations.save(key, ..., expected_version=...)
        await uow.outbox.enqueue(...)

Leaving the block normally commits; an exception rolls everything back, including the
processed update id. Stores never commit. A lost or busy database surfaces as
`DatabaseUnavailable` (nothing was kept; process the update again later), a pool that
stayed full as its subclass `DatabaseBusy`. `Database.run(work)` runs a unit of work
again after a lost connection or a serialization failure before its commit
(`storage/retries.py`).

Writing units of work on SQLite start with `BEGIN IMMEDIATE`: one writer at a time,
across processes, so conversation updates are applied one by one. On PostgreSQL,
`lock_conversation` takes a transaction-scoped advisory lock on the conversation key,
so two servers apply updates for one conversation one at a time, in arrival order
of the lock requests, while other conversations proceed in parallel.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import weakref
from collections.abc import Callable
from datetime import datetime
from types import TracebackType
from typing import Self

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from storage.audit import SqlAuditLog
from storage.conversations import ConversationKey, SqlConversationStore
from storage.engine import Clock, DatabaseUnavailable, is_connection_error, unavailable_error
from storage.outbox import SqlOutbox
from storage.pre_aanmeldingen import SqlPreAanmeldingStore
from storage.processed_updates import SqlProcessedUpdateStore
from storage.queue import SqlQueue
from storage.reference_codes import new_reference_code
from storage.reports import SqlReports
from storage.staff import SqlStaffUserStore

__all__ = ["UnitOfWork", "advisory_lock_key"]

# SQLite has one writer at a time. Writers of one process queue here, first come first
# served, instead of in SQLite's busy handler, which sleeps in growing steps (up to
# 100 ms) and lets a waiter lose the race again and again: seconds of tail latency
# under load. Other processes still meet the busy timeout.
_SQLITE_WRITERS: weakref.WeakKeyDictionary[AsyncEngine, dict[int, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)


def _sqlite_writer_gate(engine: AsyncEngine) -> asyncio.Lock:
    by_loop = _SQLITE_WRITERS.setdefault(engine, {})
    loop = id(asyncio.get_running_loop())
    gate = by_loop.get(loop)
    if gate is None:
        gate = by_loop[loop] = asyncio.Lock()
    return gate


def advisory_lock_key(key: ConversationKey) -> int:
    """A signed 64-bit number for `pg_advisory_xact_lock`, from the conversation key."""
    digest = hashlib.sha256(f"conversation\x1f{key.channel}\x1f{key.user_hash}".encode())
    return int.from_bytes(digest.digest()[:8], "big", signed=True)


class UnitOfWork:
    """Use through `Database.unit_of_work()`; the stores are attributes."""

    conversations: SqlConversationStore
    updates: SqlProcessedUpdateStore
    pre_aanmeldingen: SqlPreAanmeldingStore
    outbox: SqlOutbox
    audit: SqlAuditLog
    staff: SqlStaffUserStore
    queue: SqlQueue
    reports: SqlReports
    session: AsyncSession

    def __init__(
        self,
        engine: AsyncEngine,
        clock: Clock,
        *,
        write: bool = True,
        new_reference_code: Callable[[], str] = new_reference_code,
    ) -> None:
        self._engine, self._clock, self._write = engine, clock, write
        self._new_code = new_reference_code
        self._connection: AsyncConnection | None = None
        self._rollback_only = False
        # Set once COMMIT is sent: after that a lost connection leaves the outcome
        # unknown, so the unit of work must not simply run again (`storage.retries`).
        self.committing = False
        self.dialect = engine.dialect.name
        self._gate: asyncio.Lock | None = None

    def now(self) -> datetime:
        return self._clock()

    async def __aenter__(self) -> Self:
        if self.dialect == "sqlite" and self._write:
            self._gate = _sqlite_writer_gate(self._engine)
            await self._gate.acquire()
        try:
            return await self._begin()
        except BaseException:
            self._release()
            raise

    def _release(self) -> None:
        gate, self._gate = self._gate, None
        if gate is not None:
            gate.release()

    async def _begin(self) -> Self:
        try:
            connection = await self._engine.connect()
        except Exception as error:
            if is_connection_error(error):
                raise unavailable_error(self._engine.url, error) from None
            raise
        try:
            if self.dialect == "sqlite" and not self._write:
                await connection.execution_options(sqlite_begin="DEFERRED")
            await connection.begin()
            if self.dialect == "postgresql" and not self._write:
                await connection.execute(text("SET TRANSACTION READ ONLY"))
        except Exception as error:
            await connection.close()
            if is_connection_error(error):
                raise unavailable_error(self._engine.url, error) from None
            raise
        self._connection = connection
        # The connection owns the transaction; the session joins it and never commits.
        self.session = AsyncSession(bind=connection, expire_on_commit=False)
        session, clock = self.session, self._clock
        self.conversations = SqlConversationStore(session, clock)
        self.updates = SqlProcessedUpdateStore(session, clock, self.dialect)
        self.pre_aanmeldingen = SqlPreAanmeldingStore(session, clock, self._new_code)
        self.outbox = SqlOutbox(session, clock, self.dialect)
        self.audit = SqlAuditLog(session, clock)
        self.staff = SqlStaffUserStore(session, clock)
        self.queue = SqlQueue(session)
        self.reports = SqlReports(session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            await self._end(exc)
        finally:
            self._release()

    async def _end(self, exc: BaseException | None) -> None:
        connection = self._connection
        assert connection is not None
        self._connection = None
        try:
            if exc is None and not self._rollback_only:
                await self.session.flush()
                self.committing = True
                await connection.commit()
        except Exception as error:
            await self._discard(connection)
            if is_connection_error(error):
                raise unavailable_error(self._engine.url, error) from error
            raise
        else:
            await self._discard(connection)
        lost = isinstance(exc, Exception) and is_connection_error(exc)
        if lost and not isinstance(exc, DatabaseUnavailable):
            raise unavailable_error(self._engine.url, exc) from exc  # type: ignore[arg-type]

    async def _discard(self, connection: AsyncConnection) -> None:
        """Roll back what was not committed and return the connection; a dead
        connection is thrown away by the pool."""
        # Errors here mean the connection is gone; nothing uncommitted was kept.
        with contextlib.suppress(Exception):
            await self.session.close()
            if connection.in_transaction():
                await connection.rollback()
        with contextlib.suppress(Exception):
            await connection.close()

    def rollback_only(self) -> None:
        """Leave the block without committing (e.g. a dry run)."""
        self._rollback_only = True

    async def lock_conversation(self, key: ConversationKey) -> None:
        """Wait until no other unit of work holds this conversation; held until the end
        of this unit of work. (On SQLite the write transaction already serialises.)"""
        if not self._write:
            raise RuntimeError("lock_conversation needs a writing unit of work")
        if self.dialect == "postgresql":
            await self.session.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": advisory_lock_key(key)}
            )

    async def flush(self) -> None:
        await self.session.flush()
