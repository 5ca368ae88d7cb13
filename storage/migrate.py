"""Alembic migrations (`storage/migrations`), runnable from code and by `intake db`.

`upgrade(url)` from synchronous code (the CLI), `await upgrade_async(url)` from a
running event loop (the service at start-up, tests). `prepare_database(url)` is what
a server calls at start: check the database is reachable (clear message otherwise),
then bring the schema to the newest version.
"""

from __future__ import annotations

import asyncio
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import URL, Connection, event, text
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.pool import ConnectionPoolEntry

from storage.disk_faults import recent_disk_fault
from storage.engine import check_database, create_engine, safe_url

# Two servers starting at once on one PostgreSQL database migrate one after the other.
MIGRATION_LOCK_KEY = 0x4C48_4D49_4752  # "LHMIGR"

__all__ = [
    "MIGRATION_LOCK_KEY",
    "SchemaNotCurrent",
    "alembic_config",
    "check_schema",
    "current_revision",
    "head_revision",
    "prepare_database",
    "sqlite_check_foreign_keys",
    "sqlite_foreign_keys_off",
    "upgrade",
    "upgrade_async",
]


def _script_location() -> str:
    return str(Path(str(resources.files("storage").joinpath("migrations"))))


def alembic_config(url: str | URL | None = None) -> Config:
    """An Alembic configuration for our migrations (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", _script_location())
    if url is not None:
        rendered = url.render_as_string(hide_password=False) if isinstance(url, URL) else url
        config.attributes["database_url"] = rendered
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


async def upgrade_async(url: str | URL, revision: str = "head") -> None:
    """Migrate the database at `url` to `revision` in one transaction."""
    engine = create_engine(url)
    try:
        if engine.dialect.name == "sqlite":
            sqlite_foreign_keys_off(engine)
        async with engine.connect() as connection, connection.begin():
            if engine.dialect.name == "postgresql":
                await connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
                )

            def run(sync_connection: Connection) -> None:
                config = alembic_config(url)
                config.attributes["connection"] = sync_connection
                command.upgrade(config, revision)

            await connection.run_sync(run)
            if engine.dialect.name == "sqlite":
                await sqlite_check_foreign_keys(connection)
    except Exception as error:
        # A full disk, not what failed while cleaning up after it (Alembic dropping its
        # temporary table in a transaction that SQLite had already rolled back).
        fault = recent_disk_fault(engine)
        if fault is None or isinstance(error, type(fault)):
            raise
        raise fault from None
    finally:
        await engine.dispose()


def sqlite_foreign_keys_off(engine: AsyncEngine) -> None:
    """For a migration engine, before it connects: SQLite changes a column's type by
    copying the table (Alembic batch mode), which foreign keys would refuse while rows
    refer to it. The pragma works outside a transaction only, so it is set as each
    connection opens; `sqlite_check_foreign_keys` checks the references at the end."""

    def off(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys=OFF")
        finally:
            cursor.close()

    event.listen(engine.sync_engine, "connect", off)


async def sqlite_check_foreign_keys(connection: AsyncConnection) -> None:
    """At the end of a migration: every reference still holds (else roll back)."""
    problems = (await connection.exec_driver_sql("PRAGMA foreign_key_check")).all()
    if problems:
        raise RuntimeError(f"the migration broke {len(problems)} foreign key reference(s)")


def upgrade(url: str | URL, revision: str = "head") -> None:
    """`upgrade_async` for synchronous callers (not from inside an event loop)."""
    asyncio.run(upgrade_async(url, revision))


async def current_revision(url: str | URL) -> str | None:
    """The schema version of the database at `url` (None: not migrated yet)."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:

            def read(sync_connection: Connection) -> str | None:
                return MigrationContext.configure(sync_connection).get_current_revision()

            return await connection.run_sync(read)
    finally:
        await engine.dispose()


class SchemaNotCurrent(RuntimeError):
    """The database's schema is not the newest one this code needs."""


async def check_schema(url: str | URL) -> None:
    """Raise `SchemaNotCurrent` unless the database is migrated to the newest version."""
    current, head = await current_revision(url), head_revision()
    if current != head:
        raise SchemaNotCurrent(
            f"the database at {safe_url(url)} has schema version {current or 'none'}, "
            f"this version of the bot needs {head}; run `intake db upgrade`"
        )


async def prepare_database(url: str | URL) -> None:
    """At server start: raise `DatabaseUnavailable` with a clear message when the
    database cannot be reached, else migrate it to the newest schema."""
    await check_database(url)
    await upgrade_async(url)
