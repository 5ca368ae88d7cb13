"""A full disk, made without root and without filling a real disk: each way makes the
write fail at the moment, and with the error, that a full disk gives.

- `sqlite_full(database)`: `PRAGMA max_page_count` set to the file's size on each of
  the database's connections: a write that needs one more page fails with
  SQLITE_FULL ("database or disk is full"), SQLite's error for a full disk.
- `postgres_full(url, table)`: a trigger that raises SQLSTATE 53100 (disk_full) on an
  INSERT into `table`, as PostgreSQL does when it cannot extend a file.
- `file_size_limit(size)`: for a subprocess (`preexec_fn`): RLIMIT_FSIZE, so a write
  that would make any file larger than `size` bytes fails (EFBIG; SQLite says "disk
  I/O error") where a full disk fails with ENOSPC. Python ignores SIGXFSZ, so the
  process lives on to say so. POSIX (Linux, macOS); a tmpfs would need root.
"""

from __future__ import annotations

import resource
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, text

from storage.database import Database
from storage.engine import create_engine


@asynccontextmanager
async def sqlite_full(database: Database) -> AsyncIterator[None]:
    """While inside: the SQLite file of `database` cannot grow by one page."""
    sync_engine = database.engine.sync_engine

    def cannot_grow(dbapi_connection: Any, _record: object) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA page_count")
            pages = cursor.fetchone()[0]
            cursor.execute(f"PRAGMA max_page_count = {int(pages)}")
        finally:
            cursor.close()

    event.listen(sync_engine, "connect", cannot_grow)
    await database.engine.dispose()  # every connection from now on is limited
    try:
        yield
    finally:
        event.remove(sync_engine, "connect", cannot_grow)
        await database.engine.dispose()


@asynccontextmanager
async def postgres_full(url: str, table: str) -> AsyncIterator[None]:
    """While inside: an INSERT into `table` fails as on a full disk (SQLSTATE 53100)."""
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(f'DROP TRIGGER IF EXISTS disk_is_full ON "{table}"'))
            await connection.execute(
                text(
                    "CREATE OR REPLACE FUNCTION disk_is_full() RETURNS trigger "
                    "LANGUAGE plpgsql AS $$ BEGIN "
                    "RAISE EXCEPTION 'could not extend file: No space left on device' "
                    "USING ERRCODE = 'disk_full'; END $$"
                )
            )
            await connection.execute(
                text(
                    f'CREATE TRIGGER disk_is_full BEFORE INSERT ON "{table}" '
                    "FOR EACH ROW EXECUTE FUNCTION disk_is_full()"
                )
            )
        yield
    finally:
        async with engine.begin() as connection:
            await connection.execute(text(f'DROP TRIGGER IF EXISTS disk_is_full ON "{table}"'))
            await connection.execute(text("DROP FUNCTION IF EXISTS disk_is_full()"))
        await engine.dispose()


def file_size_limit(size: int) -> Callable[[], None]:
    """A `preexec_fn`: the child may make no file larger than `size` bytes."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    return limit
