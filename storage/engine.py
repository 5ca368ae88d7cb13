"""Engines for `DATABASE_URL`: SQLite (embedded default) or PostgreSQL (asyncpg).

SQLite runs in WAL mode with foreign keys on, a busy timeout, `synchronous=FULL` (a
committed answer survives a power cut) and `BEGIN IMMEDIATE` for writing transactions,
so writers queue instead of failing halfway. PostgreSQL URLs may carry libpq-style
`options=-c name=value` (e.g. a `search_path`); they become asyncpg server settings.
A pooled PostgreSQL connection is pinged at checkout only after it sat idle for
`IDLE_PING_AFTER` seconds (no round trip per message; `_ping_when_idle`).

The pool (`PoolOptions`) is sized for the people one process serves at once
(docs/operations.md). What a database error means is decided here, once:
`is_connection_error` (gone or busy: nothing was kept, try again later),
`is_conflict` (a serialization failure or deadlock: run the unit of work again) and
`fault_kind` (the kind for pages, logs and metrics, never the error's text).
"""

from __future__ import annotations

import asyncio
import os
import shlex
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import URL, event, make_url, text
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    DisconnectionError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

__all__ = [
    "DATABASE_ERRORS",
    "IDLE_PING_AFTER",
    "SQLITE_BUSY_TIMEOUT_MS",
    "Clock",
    "DatabaseBusy",
    "DatabaseUnavailable",
    "PoolOptions",
    "check_database",
    "create_engine",
    "fault_kind",
    "is_conflict",
    "is_connection_error",
    "ping",
    "safe_url",
    "unavailable_error",
    "utc_now",
]

SQLITE_BUSY_TIMEOUT_MS = 15_000
IDLE_PING_AFTER = 10.0  # seconds unused after which a PostgreSQL connection is pinged
_RETURNED = "returned_at"  # the pool entry's info: when it was last checked in
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached (or stayed busy); nothing of the unit of work was
    kept. The message names the database without its password and no personal data.
    `kind` names it for pages, logs and metrics; `retryable`: running the unit of work
    again at once may help (not for a full disk or a damaged file)."""

    kind = "database_unavailable"
    retryable = True


def safe_url(url: str | URL) -> str:
    """The URL without its password, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<not a database URL>"


class DatabaseBusy(DatabaseUnavailable):
    """Every connection of the pool stayed in use for the pool timeout: the process
    serves more people at once than its pool holds (overload); nothing was kept."""

    kind = "database_busy"


@dataclass(frozen=True)
class PoolOptions:
    """The connection pool of one process (`DATABASE_POOL_*`, docs/operations.md): `size`
    connections kept open, up to `max_overflow` more under load, and how long a unit of
    work waits for one (`timeout`, seconds) before `DatabaseBusy`."""

    size: int = 10
    max_overflow: int = 10
    timeout: float = 15.0

    def engine_options(self) -> dict[str, Any]:
        return {
            "pool_size": self.size,
            "max_overflow": self.max_overflow,
            "pool_timeout": self.timeout,
        }


# PostgreSQL SQLSTATEs: connection exceptions (class 08), the server shutting down or
# starting (57P01-57P03, also `pg_terminate_backend`), too many connections (53300).
_GONE_STATES = ("57P01", "57P02", "57P03", "53300")
# A serialization failure or a deadlock: the transaction can simply run again.
_CONFLICT_STATES = ("40001", "40P01")


def _sqlstate(error: BaseException) -> str:
    orig = getattr(error, "orig", None) or error
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return state if isinstance(state, str) else ""


def _driver_errors() -> tuple[type[Exception], ...]:
    """The drivers' own errors, which can escape SQLAlchemy's wrapping while a new
    connection is set up (e.g. asyncpg's "connection is closed")."""
    import sqlite3

    import asyncpg

    return (asyncpg.PostgresError, asyncpg.InterfaceError, sqlite3.Error)


def _driver_connection_error(error: BaseException) -> bool:
    import asyncpg

    if isinstance(error, asyncpg.InterfaceError | asyncpg.PostgresConnectionError):
        return True
    state = _sqlstate(error) if isinstance(error, asyncpg.PostgresError) else ""
    return state.startswith("08") or state in _GONE_STATES


def is_connection_error(error: BaseException) -> bool:
    """Whether `error` means the database went away or stayed busy (retry later)."""
    if isinstance(error, DatabaseUnavailable | OSError | asyncio.TimeoutError | PoolTimeout):
        return True
    if _driver_connection_error(error):
        return True
    if isinstance(error, DBAPIError):
        state = _sqlstate(error)
        if error.connection_invalidated or isinstance(error, InterfaceError):
            return True
        if state.startswith("08") or state in _GONE_STATES:
            return True
        # SQLite reports a missing table as an OperationalError too; that is a bug or
        # an unmigrated database, not an outage.
        return isinstance(error, OperationalError) and "no such " not in str(error.orig)
    return False


def _sqlite_busy(error: BaseException) -> bool:
    """SQLite's busy timeout ran out: other writers held the database all that time."""
    return isinstance(error, OperationalError) and "database is locked" in str(error.orig)


def is_conflict(error: BaseException) -> bool:
    """Whether `error` is a serialization failure or a deadlock: nothing was kept, and
    the same unit of work may simply run again."""
    return isinstance(error, DBAPIError) and _sqlstate(error) in _CONFLICT_STATES


# What the web apps catch as a database fault (their fault pages, `webkit.faults`).
DATABASE_ERRORS: tuple[type[Exception], ...] = (DatabaseUnavailable, SQLAlchemyError)


def fault_kind(error: BaseException) -> str | None:
    """The kind of a database fault, for pages, logs and metrics: "database_busy" (the
    pool stayed full), "database_unavailable" (gone, or refusing), "database_error"
    (any other database error, e.g. a damaged file); None when `error` is not one."""
    if isinstance(error, DatabaseBusy | PoolTimeout):
        return "database_busy"
    if isinstance(error, DatabaseUnavailable):
        return error.kind
    database: tuple[type[Exception], ...] = (SQLAlchemyError, *_driver_errors())
    if not isinstance(error, database):
        return None
    return "database_unavailable" if is_connection_error(error) else "database_error"


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


def _ping_when_idle(engine: AsyncEngine) -> None:
    """Ping a pooled PostgreSQL connection at checkout only when it sat unused for
    `idle` seconds: a busy process (every message checks one out) pays no round trip,
    where `pool_pre_ping` costs one per checkout. A connection that died in use (the
    server restarted under load) fails its statement: SQLAlchemy then drops every
    connection of the pool made before, and `Database.run` runs the unit of work again
    (`storage/retries.py`). A dead idle one is replaced here, unseen."""
    pool = engine.sync_engine.pool
    dialect = engine.sync_engine.dialect
    idle = IDLE_PING_AFTER

    def checkin(_dbapi: Any, record: ConnectionPoolEntry) -> None:
        record.info[_RETURNED] = time.monotonic()

    def checkout(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
        returned = record.info.get(_RETURNED)
        if returned is None or time.monotonic() - returned < idle:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as error:  # a dead connection: the pool connects afresh
            raise DisconnectionError() from error

    event.listen(pool, "checkin", checkin)
    event.listen(pool, "checkout", checkout)


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DatabaseUnavailable(
            f"cannot create the folder {folder} for the SQLite database: {error.strerror}"
        ) from None


def create_engine(
    url: str | URL, *, pool: PoolOptions | None = None, **engine_options: Any
) -> AsyncEngine:
    """An async engine for `url`; `sqlite://` and `postgresql://` get their async driver,
    and a pool of `pool` (default `PoolOptions()`).

    A SQLite file's folder is created when missing (`DatabaseUnavailable` when that
    is not possible).
    """
    parsed = make_url(url)
    engine_options = (pool or PoolOptions()).engine_options() | engine_options
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
        options = {"connect_args": connect_args}
        engine = create_async_engine(parsed, **(options | engine_options))
        if not engine_options.get("pool_pre_ping"):
            _ping_when_idle(engine)
        return _watch(engine)
    raise ValueError(
        f"unsupported database {backend!r} in {safe_url(parsed)}; use sqlite or postgresql"
    )


def _watch(engine: AsyncEngine) -> AsyncEngine:
    """A full disk or a damaged file raises a named error (`storage.disk_faults`)."""
    from storage.disk_faults import watch_disk_faults

    watch_disk_faults(engine)
    return engine


def unavailable_error(url: str | URL, error: BaseException) -> DatabaseUnavailable:
    """The `DatabaseUnavailable` (or, for a pool that stayed full, `DatabaseBusy`) for a
    connection error; it names the database without its password."""
    if isinstance(error, PoolTimeout | DatabaseBusy) or _sqlite_busy(error):
        return DatabaseBusy(f"no free connection to the database at {safe_url(url)} in time")
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
