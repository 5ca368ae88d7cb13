"""`Database.run`: a unit of work runs again after a lost connection or a serialization
failure before its commit (bounded), never after COMMIT was sent, never for a full
pool, and never for an ordinary error; the pool is sized by `PoolOptions`."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError

from storage import engine as engine_module
from storage.database import Database
from storage.engine import (
    DatabaseBusy,
    DatabaseUnavailable,
    PoolOptions,
    create_engine,
    fault_kind,
    is_connection_error,
    unavailable_error,
)
from storage.retries import RetryPolicy
from storage.unit_of_work import UnitOfWork
from tests.factories.databases import Backend

QUICK = RetryPolicy(attempts=3, pauses=(0.0,))


async def count_probe(database: Database, update_id: str) -> int:
    async with database.unit_of_work(write=False) as uow:
        found = await uow.session.scalar(
            text("SELECT count(*) FROM processed_updates WHERE update_id = :u"), {"u": update_id}
        )
    return int(found or 0)


async def test_a_lost_connection_before_the_commit_runs_the_whole_unit_again(
    backend: Backend,
) -> None:
    database = backend.database(retries=QUICK)
    heard: list[str] = []
    database.retry_listeners.append(heard.append)
    runs = 0

    async def work(uow: UnitOfWork) -> str:
        nonlocal runs
        runs += 1
        await uow.updates.mark_processed("probe", "lost-once")
        if runs == 1:
            raise ConnectionResetError("the server went away")  # an OSError: gone
        return "done"

    try:
        assert await database.run(work) == "done"
        assert (runs, heard) == (2, ["connection"])
        assert await count_probe(database, "lost-once") == 1  # the first run kept nothing
    finally:
        await database.dispose()


async def test_the_retries_are_bounded(backend: Backend) -> None:
    database = backend.database(retries=QUICK)
    runs = 0

    async def work(uow: UnitOfWork) -> None:
        nonlocal runs
        runs += 1
        raise ConnectionResetError("still gone")

    try:
        with pytest.raises(DatabaseUnavailable) as raised:
            await database.run(work)
        assert runs == 3
        assert fault_kind(raised.value) == "database_unavailable"
    finally:
        await database.dispose()


async def test_an_ordinary_error_is_not_run_again(backend: Backend) -> None:
    database = backend.database(retries=QUICK)
    runs = 0

    async def work(uow: UnitOfWork) -> None:
        nonlocal runs
        runs += 1
        raise KeyError("a bug")

    try:
        with pytest.raises(KeyError):
            await database.run(work)
        assert runs == 1
    finally:
        await database.dispose()


async def test_a_connection_lost_while_committing_is_not_run_again(backend: Backend) -> None:
    """After COMMIT was sent the outcome is unknown: the caller says "try again" and
    the update id makes the second try count once."""
    database = backend.database(retries=QUICK)
    runs = 0

    def lose(connection: Any) -> None:
        raise ConnectionResetError("lost while committing")

    async def work(uow: UnitOfWork) -> None:
        nonlocal runs
        runs += 1
        await uow.updates.mark_processed("probe", "commit-lost")

    event.listen(database.engine.sync_engine, "commit", lose)
    try:
        with pytest.raises(DatabaseUnavailable):
            await database.run(work)
        assert runs == 1
    finally:
        event.remove(database.engine.sync_engine, "commit", lose)
        await database.dispose()


async def test_a_full_pool_answers_busy_after_its_timeout_and_is_not_run_again(
    backend: Backend,
) -> None:
    database = backend.database(
        pool=PoolOptions(size=1, max_overflow=0, timeout=0.2), retries=QUICK
    )
    runs = 0

    async def work(uow: UnitOfWork) -> None:
        nonlocal runs
        runs += 1

    try:
        async with database.engine.connect():  # the pool's one connection, held
            with pytest.raises(DatabaseBusy) as raised:
                await database.run(work, write=False)
        assert runs == 0 and fault_kind(raised.value) == "database_busy"
        await database.run(work, write=False)  # free again
        assert runs == 1
    finally:
        await database.dispose()


@pytest.mark.postgres
async def test_a_serialization_failure_runs_the_unit_again(postgres: Backend) -> None:
    database = postgres.database(retries=QUICK)
    heard: list[str] = []
    database.retry_listeners.append(heard.append)
    async with database.unit_of_work() as uow:
        await uow.updates.mark_processed("probe", "row")
    snapshot_taken, other_committed = asyncio.Event(), asyncio.Event()
    runs = 0

    async def work(uow: UnitOfWork) -> None:
        nonlocal runs
        runs += 1
        await uow.session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
        await uow.session.execute(text("SELECT count(*) FROM processed_updates"))
        if runs == 1:
            snapshot_taken.set()
            await other_committed.wait()
        await uow.session.execute(
            text("UPDATE processed_updates SET processed_at = now() WHERE update_id = 'row'")
        )

    async def other() -> None:
        await snapshot_taken.wait()
        async with database.unit_of_work() as uow:
            await uow.session.execute(
                text("UPDATE processed_updates SET processed_at = now() WHERE update_id = 'row'")
            )
        other_committed.set()

    try:
        await asyncio.gather(database.run(work), other())
        assert (runs, heard) == (2, ["conflict"])
    finally:
        await database.dispose()


def test_the_kinds_of_database_faults() -> None:
    import sqlite3

    import asyncpg
    from sqlalchemy.exc import DatabaseError, OperationalError

    closed = asyncpg.InterfaceError("connection is closed")  # escapes SQLAlchemy's wrapping
    assert fault_kind(closed) == "database_unavailable"
    assert fault_kind(asyncpg.AdminShutdownError("terminating connection")) == (
        "database_unavailable"
    )
    gone = OperationalError("SELECT 1", {}, sqlite3.OperationalError("unable to open database"))
    assert fault_kind(gone) == "database_unavailable"
    damaged = DatabaseError("SELECT 1", {}, sqlite3.DatabaseError("file is not a database"))
    assert fault_kind(damaged) == "database_error"
    locked = OperationalError("BEGIN", {}, sqlite3.OperationalError("database is locked"))
    assert isinstance(unavailable_error("sqlite:///x.db", locked), DatabaseBusy)
    assert fault_kind(KeyError("a bug")) is None


@pytest.mark.postgres
@pytest.mark.parametrize("idle_ping_after", [0.0, 3600.0])
async def test_a_connection_that_died_while_idle_is_replaced_only_after_an_idle_spell(
    postgres: Backend, monkeypatch: pytest.MonkeyPatch, idle_ping_after: float
) -> None:
    """No ping on every checkout (issue 18): a connection back in the pool for longer
    than `IDLE_PING_AFTER` is pinged and, dead, replaced unseen; one used just now is
    not pinged, so its death shows at its first statement (`Database.run` runs the
    unit of work again then, see above)."""
    monkeypatch.setattr(engine_module, "IDLE_PING_AFTER", idle_ping_after)
    engine = create_engine(postgres.url)
    killer = create_engine(postgres.url)
    try:
        async with engine.connect() as conn:
            pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        async with killer.connect() as conn:
            await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        await asyncio.sleep(0.1)
        if idle_ping_after == 0.0:
            async with engine.connect() as conn:
                again = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            assert again != pid
        else:
            with pytest.raises(DBAPIError) as lost:
                async with engine.connect() as conn:
                    await conn.execute(text("SELECT pg_backend_pid()"))
            assert is_connection_error(lost.value)
    finally:
        await engine.dispose()
        await killer.dispose()
