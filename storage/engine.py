"""Engines for `DATABASE_URL`: SQLite (embedded default) or PostgreSQL (asyncpg).

SQLite runs in WAL mode with foreign keys on, a busy timeout, `synchronous=FULL` (a
committed answer survives a power cut) and `BEGIN IMMEDIATE` for writing transactions,
so writers queue instead of failing halfway. PostgreSQL URLs may carry libpq-style
`options=-c name=value` (e.g. a `search_path`); they become asyncpg server settings.
"""

from __future__ import annotations

import asyncio
import os
import shlex
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import URL, event, make_url, text
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import ArgumentError, DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

__all__ = [
    "SQLITE_BUSY_TIMEOUT_MS",
    "Clock",
    "DatabaseUnavailable",
    "check_database",
    "create_engine",
    "is_connection_error",
    "ping",
    "safe_url",
    "unavailable_error",
    "utc_now",
]

SQLITE_BUSY_TIMEOUT_MS = 15_000
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached (or stayed busy); nothing of the unit of work was
    kept. The message names the database without its password and no personal data."""


def safe_url(url: str | URL) -> str:
    """The URL without its password, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<not a database URL>"


def is_connection_error(error: BaseException) -> bool:
    """Whether `error` means the database went away or stayed busy (retry later)."""
    if isinstance(error, DatabaseUnavailable | OSError | asyncio.TimeoutError):
        return True
    if isinstance(error, DBAPIError):
        if error.connection_invalidated or isinstance(error, InterfaceError):
            return True
        # SQLite reports a missing table as an OperationalError too; that is a bug or
        # an unmigrated database, not an outage.
        return isinstance(error, OperationalError) and "no such " not in str(error.orig)
    return False


def _libpq_options_to_server_settings(url: URL) -> tuple[URL, dict[str, str]]:
    options = url.query.get("options")
    if options is None:
        return url, {}
    settings: dict[str, str] = {}
    for part in " ".join(options if isinstance(options, tuple) else (options,)).split("-c"):
        part = part.strip()
        if not part:
            continue
        name, sep, value = part.partition("=")
        if not sep:
            raise ValueError(f"cannot read the PostgreSQL option {part!r}; write -c name=value")
        settings[name.strip()] = value.strip()
    return url.difference_update_query(["options"]), settings


def _sqlite_on_connect(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    # The driver's own transaction handling is switched off; `_sqlite_on_begin` emits BEGIN.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        for pragma in (
            "journal_mode=WAL",
            "foreign_keys=ON",
            f"busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
            "synchronous=FULL",
        ):
            cursor.execute(f"PRAGMA {pragma}")
    finally:
        cursor.close()


def _sqlite_on_begin(connection: Any) -> None:
    mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
    if mode not in ("IMMEDIATE", "DEFERRED"):
        raise ValueError(f"unknown SQLite transaction mode {mode!r}")
    connection.exec_driver_sql(f"BEGIN {mode}")


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DatabaseUnavailable(
            f"cannot create the folder {folder} for the SQLite database: {error.strerror}"
        ) from None


def create_engine(url: str | URL, **engine_options: Any) -> AsyncEngine:
    """An async engine for `url`; `sqlite://` and `postgresql://` get their async driver.

    A SQLite file's folder is created when missing (`DatabaseUnavailable` when that
    is not possible).
    """
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
        database = parsed.database or ""
        if database in ("", ":memory:"):
            raise ValueError(
                "an in-memory SQLite database lives as long as one connection; "
                "use a file, e.g. sqlite+aiosqlite:///./var/intake.db"
            )
        _make_folder(Path(database).expanduser().parent)
        options: dict[str, Any] = {"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}}
        engine = create_async_engine(parsed, **(options | engine_options))
        event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
        event.listen(engine.sync_engine, "begin", _sqlite_on_begin)
        _watch(engine)
        return engine
    if backend == "postgresql":
        parsed, server_settings = _libpq_options_to_server_settings(
            parsed.set(drivername="postgresql+asyncpg")
        )
        connect_args: dict[str, Any] = {"timeout": 10}
        if server_settings:
            connect_args["server_settings"] = server_settings
        options = {"pool_pre_ping": True, "connect_args": connect_args}
        return _watch(create_async_engine(parsed, **(options | engine_options)))
    raise ValueError(
        f"unsupported database {backend!r} in {safe_url(parsed)}; use sqlite or postgresql"
    )


def _watch(engine: AsyncEngine) -> AsyncEngine:
    """A full disk or a damaged file raises a named error (`storage.disk_faults`)."""
    from storage.disk_faults import watch_disk_faults

    watch_disk_faults(engine)
    return engine


def unavailable_error(url: str | URL, error: BaseException) -> DatabaseUnavailable:
    detail = str(getattr(error, "orig", None) or error).strip().splitlines()
    reason = detail[0] if detail else type(error).__name__
    if isinstance(error, DatabaseUnavailable):  # already says what it is (a disk fault)
        return error
    return DatabaseUnavailable(f"the database at {safe_url(url)} is not reachable: {reason}")


async def ping(engine: AsyncEngine, *, seconds: float = 2.0) -> None:
    """A trivial query (`SELECT 1`) within `seconds`, or `DatabaseUnavailable`. A
    SQLite file must still be where it was: an open connection would go on writing to
    a file that was removed, and lose everything at the next start."""
    url = engine.url
    sqlite = engine.dialect.name == "sqlite"
    if sqlite and not await asyncio.to_thread(os.path.exists, url.database or ""):
        raise DatabaseUnavailable(f"the SQLite database {url.database} is not there any more")
    await _select_one(engine, seconds, url)


async def _select_one(engine: AsyncEngine, seconds: float, url: str | URL) -> None:
    """`SELECT 1`; `url` is the database as the person wrote it, for messages."""
    sqlite = engine.dialect.name == "sqlite"
    try:
        async with asyncio.timeout(seconds):
            conn: AsyncConnection
            async with engine.connect() as conn:
                if sqlite:  # a reader: it must not queue behind the writers
                    await conn.execution_options(sqlite_begin="DEFERRED")
                await conn.execute(text("SELECT 1"))
    except TimeoutError:
        raise DatabaseUnavailable(
            f"the database at {safe_url(url)} did not answer within {seconds:g} s"
        ) from None
    except DBAPIError as error:
        raise _start_problem(url, error) from None
    except Exception as error:
        if is_connection_error(error):
            raise _start_problem(url, error) from None
        raise


def _createdb(url: URL) -> str:
    """The `createdb` command that makes the database of a PostgreSQL URL."""
    words = ["createdb"]
    for flag, value in (("-h", url.host), ("-p", url.port), ("-U", url.username)):
        if value:
            words += [flag, str(value)]
    return shlex.join([*words, url.database or ""])


def _start_problem(given: str | URL, error: BaseException) -> DatabaseUnavailable:
    """What went wrong reaching the database, in one line with what to do."""
    url, where = make_url(given), safe_url(given)
    code = getattr(getattr(error, "orig", None), "sqlstate", None)
    detail = str(getattr(error, "orig", None) or error).strip().splitlines()
    reason = detail[0] if detail else type(error).__name__
    if code == "3D000":  # invalid_catalog_name
        return DatabaseUnavailable(
            f"the database at {where} does not exist: make it with `{_createdb(url)}`, "
            "or correct DATABASE_URL"
        )
    if code is not None and code.startswith("28"):  # invalid authorisation
        return DatabaseUnavailable(
            f"the database at {where} refused the login: {reason}; check the user and "
            "password in DATABASE_URL"
        )
    if url.get_backend_name() == "postgresql" and is_connection_error(error):
        return DatabaseUnavailable(
            f"the database at {where} is not reachable: {reason}; start PostgreSQL there, "
            "or correct DATABASE_URL"
        )
    if is_connection_error(error):
        return unavailable_error(url, error)
    return DatabaseUnavailable(f"the database at {where} cannot be used: {reason}")


async def check_database(url: str | URL, *, seconds: float = 10.0) -> None:
    """Connect once and run `SELECT 1`; raise `DatabaseUnavailable` with a one-line
    message (no password) that says what to do when that fails: a server that does
    not answer, a PostgreSQL database that does not exist, a refused login, a damaged
    SQLite file (`DatabaseDamaged`, the file left as it was). For `intake serve` and
    friends at start-up."""
    from storage.sqlite_integrity import check_sqlite_file

    try:
        engine = create_engine(url)
    except (ValueError, ArgumentError) as error:
        raise DatabaseUnavailable(f"DATABASE_URL is not usable: {error}") from None
    try:
        await check_sqlite_file(url)  # a damaged file: before the engine's first connection
        await _select_one(engine, seconds, url)  # a new SQLite file is made here
    finally:
        await engine.dispose()
