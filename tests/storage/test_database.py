"""Engines and units of work: SQLite settings, an unreachable database at start, and
a database lost in the middle of an update."""

from __future__ import annotations

import asyncio
import re
import socket
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.conversations import ConversationKey
from storage.database import Database
from storage.engine import (
    DatabaseUnavailable,
    _libpq_options_to_server_settings,
    check_database,
    create_engine,
    safe_url,
)
from storage.unit_of_work import UnitOfWork
from tests.factories.databases import SECRET, Backend
from tests.factories.environment import POSTGRES_URL

KEY = ConversationKey.for_user(SECRET, "telegram", 31337)


async def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(
    tmp_path: Path,
) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path}/new/folder/intake.db")
    try:
        async with database.unit_of_work(write=False) as uow:
            pragmas = {
                name: (await uow.session.execute(text(f"PRAGMA {name}"))).scalar_one()
                for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
            }
        assert pragmas == {
            "journal_mode": "wal",
            "foreign_keys": 1,
            "busy_timeout": 15000,
            "synchronous": 2,
        }
        assert (tmp_path / "new" / "folder" / "intake.db").exists()
    finally:
        await database.dispose()


async def test_sqlite_readers_do_not_wait_for_a_writer(backend: Backend) -> None:
    writer_db, reader_db = backend.database(), backend.database()
    try:
        writing, done = asyncio.Event(), asyncio.Event()

        async def write() -> None:
            async with writer_db.unit_of_work() as uow:
                await uow.audit.record("update_applied", "update", 1)
                writing.set()
                await done.wait()

        writer = asyncio.create_task(write())
        await writing.wait()
        async with asyncio.timeout(5), reader_db.unit_of_work(write=False) as uow:
            assert await uow.audit.events() == []  # the writer has not committed
        done.set()
        await writer
    finally:
        await writer_db.dispose()
        await reader_db.dispose()


async def test_a_read_only_unit_of_work_cannot_lock_a_conversation(database: Database) -> None:
    with pytest.raises(RuntimeError, match="writing unit of work"):
        async with database.unit_of_work(write=False) as uow:
            await uow.lock_conversation(KEY)


@pytest.mark.postgres
async def test_postgres_read_only_unit_of_work_refuses_writes(postgres: Backend) -> None:
    database = postgres.database()
    try:
        with pytest.raises(DBAPIError, match="read-only"):
            async with database.unit_of_work(write=False) as uow:
                await uow.audit.record("update_applied", "update", 1)
    finally:
        await database.dispose()


async def test_rollback_only_keeps_nothing(database: Database) -> None:
    async with database.unit_of_work() as uow:
        await uow.updates.mark_processed("telegram", 5)
        uow.rollback_only()
    async with database.unit_of_work(write=False) as uow:
        assert not await uow.updates.is_processed("telegram", 5)


def closed_port() -> int:
    """A port nothing listens on (bound and released; nothing else here takes it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("scheme", ["postgresql+asyncpg", "postgresql"])
async def test_an_unreachable_database_gives_a_clear_message_without_the_password(
    scheme: str,
) -> None:
    port = closed_port()
    with pytest.raises(DatabaseUnavailable) as caught:
        await check_database(f"{scheme}://intake:s3cret-pw@127.0.0.1:{port}/intake", seconds=5)
    message = str(caught.value)
    assert re.match(
        rf"the database at postgresql(\+asyncpg)?://intake:\*\*\*@127\.0\.0\.1:{port}/intake "
        r"is not reachable: ",
        message,
    ), message
    assert "s3cret-pw" not in message


async def test_a_sqlite_file_that_cannot_be_created_gives_a_clear_message(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    with pytest.raises(DatabaseUnavailable, match="cannot create the folder"):
        await check_database(f"sqlite+aiosqlite:///{blocker}/intake.db")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://root@localhost/intake", "unsupported database 'mysql'"),
        ("sqlite+aiosqlite://", "use a file"),
        ("not a url", "DATABASE_URL is not usable"),
    ],
)
async def test_an_unusable_database_url_is_explained(url: str, message: str) -> None:
    with pytest.raises(DatabaseUnavailable, match=message):
        await check_database(url)


async def test_a_unit_of_work_on_an_unreachable_database_raises_database_unavailable() -> None:
    database = Database(f"postgresql+asyncpg://intake@127.0.0.1:{closed_port()}/intake")
    try:
        with pytest.raises(DatabaseUnavailable, match="not reachable"):
            async with database.unit_of_work():
                pass
    finally:
        await database.dispose()


def test_libpq_options_become_asyncpg_server_settings() -> None:
    url, settings = _libpq_options_to_server_settings(
        make_url(
            "postgresql+asyncpg://u@h/db?options=-csearch_path%3Dregion_a%20-cstatement_timeout%3D5000"
        )
    )
    assert settings == {"search_path": "region_a", "statement_timeout": "5000"}
    assert "options" not in url.query
    assert safe_url("postgresql://u:pw@h/db") == "postgresql://u:***@h/db"


@pytest.mark.postgres
async def test_postgres_check_database_succeeds(postgres: Backend) -> None:
    await check_database(postgres.url)
    await check_database(POSTGRES_URL)


@pytest.mark.postgres
async def test_a_database_lost_mid_update_keeps_nothing_and_the_update_runs_again(
    postgres: Backend,
) -> None:
    database = postgres.database()
    killer = create_engine(postgres.url)

    async def update_cut_off_midway() -> None:
        async with database.unit_of_work() as uow:
            await uow.lock_conversation(KEY)
            assert await uow.updates.mark_processed("telegram", 4242)
            await uow.conversations.save(
                KEY,
                flow_id="intake",
                flow_version="1",
                state={"node": "age"},
                language="nl",
                expires_at=uow.now() + timedelta(days=1),
                expected_version=None,
            )
            await uow.audit.record("update_applied", "update", 4242)
            await terminate_connection_of(uow, killer)
            await uow.outbox.enqueue("telegram", KEY.user_hash, "31337", {"text": "Hoi"})

    try:
        with pytest.raises(DatabaseUnavailable, match="not reachable"):
            await update_cut_off_midway()
        # The database is back (a new connection): nothing of that update was kept ...
        async with database.unit_of_work(write=False) as uow:
            assert not await uow.updates.is_processed("telegram", 4242)
            assert await uow.conversations.load(KEY) is None
            assert await uow.audit.events() == []
            assert await uow.outbox.pending_count() == 0
        # ... so it is processed again, once.
        async with database.unit_of_work() as uow:
            await uow.lock_conversation(KEY)
            assert await uow.updates.mark_processed("telegram", 4242)
        async with database.unit_of_work() as uow:
            assert not await uow.updates.mark_processed("telegram", 4242)
    finally:
        await database.dispose()
        await killer.dispose()


@pytest.mark.postgres
async def test_a_database_lost_at_commit_keeps_nothing(postgres: Backend) -> None:
    database = postgres.database()
    killer = create_engine(postgres.url)

    async def update_cut_off_at_commit() -> None:
        async with database.unit_of_work() as uow:
            assert await uow.updates.mark_processed("telegram", 99)
            await uow.flush()
            await terminate_connection_of(uow, killer)
            # leaving the block commits, on a connection that is gone

    try:
        with pytest.raises(DatabaseUnavailable):
            await update_cut_off_at_commit()
        async with database.unit_of_work(write=False) as uow:
            assert not await uow.updates.is_processed("telegram", 99)
    finally:
        await database.dispose()
        await killer.dispose()


async def terminate_connection_of(uow: UnitOfWork, killer: AsyncEngine) -> None:
    """Cut the unit of work's connection from the server side, as a crash would."""
    pid = (await uow.session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
    async with killer.connect() as other:
        await other.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
