"""What the disk can do to the database: refuse a write (full, a quota or size limit
reached, read-only, failing) or hold a damaged SQLite file; the errors that surface
then, and the memory of the last one for readiness (`/readyz`).

Every engine (`storage.engine.create_engine`) is watched (`watch_disk_faults`): the
driver's error becomes

- `DatabaseWriteFailed`: a change could not be stored (SQLite: SQLITE_FULL, SQLITE_IOERR
  other than a read, SQLITE_READONLY; PostgreSQL: disk_full 53100, io_error 58030);
- `DatabaseDamaged`: the SQLite file is not a database or is malformed (SQLITE_CORRUPT,
  SQLITE_NOTADB; PostgreSQL: data_corrupted XX001, index_corrupted XX002).

Both are a `DatabaseUnavailable`, so whatever catches that (the CLI's one line, the
fault pages, a unit of work's callers) catches them; the unit of work was rolled back,
so nothing of it was kept. Their messages name the database (a SQLite file by its
path, a server by its URL without password) and say what to do; never a value.

The engine remembers the last such fault for `FAULT_HOLD_SECONDS`; `Database.ping`
reports it meanwhile, so a service whose writes fail is not ready, even though it
still answers `SELECT 1`. After the hold, traffic may come back and show whether the
disk has room again; the next failure starts a new hold.
"""

from __future__ import annotations

import time
import weakref
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import URL, Engine, event, make_url
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import DatabaseUnavailable, safe_url

__all__ = [
    "FAULT_HOLD_SECONDS",
    "DatabaseDamaged",
    "DatabaseWriteFailed",
    "damaged",
    "disk_fault",
    "is_damage",
    "recent_disk_fault",
    "watch_disk_faults",
]

# How long a write that failed keeps the service "not ready" (`Database.ping`).
FAULT_HOLD_SECONDS = 30.0

# SQLite's primary result codes (the extended code's low byte).
_SQLITE_READONLY, _SQLITE_IOERR, _SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_NOTADB = 8, 10, 11, 13, 26
# SQLITE_IOERR_READ and SQLITE_IOERR_SHORT_READ: reading failed, not writing.
_SQLITE_READ_ERRORS = (266, 522)
_PG_WRITE_FAILED = ("53100", "58030")  # disk_full, io_error
_PG_DAMAGED = ("XX001", "XX002")  # data_corrupted, index_corrupted


class DatabaseWriteFailed(DatabaseUnavailable):
    """The database could not store a change: its disk or a quota is full, a size limit
    was reached, its file cannot be written, or the disk fails. The unit of work was
    rolled back; nothing of it was kept."""

    kind = "database_error"
    retryable = False


class DatabaseDamaged(DatabaseUnavailable):
    """The SQLite file is damaged (not a database, or malformed); it is left as it is,
    to be replaced by a backup."""

    kind = "database_error"
    retryable = False


def _where(url: str | URL) -> tuple[str, Path | None]:
    """How messages name the database: a SQLite file by its path."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return safe_url(url), None
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        file = Path(str(parsed.database)).expanduser().absolute()
        return f"the SQLite database {file}", file
    return f"the database at {safe_url(url)}", None


def damaged(file: Path, detail: str) -> DatabaseDamaged:
    """The one line for a damaged SQLite file: which, why, and what to do."""
    return DatabaseDamaged(
        f"the SQLite database {file} is damaged ({detail}) and was left as it was: stop "
        "every process that uses it, move it aside with its -wal and -shm files, and put "
        "back the latest backup (docs/operations.md, backups)"
    )


def _codes(error: BaseException) -> tuple[int | None, str]:
    """SQLite's extended result code, PostgreSQL's SQLSTATE (either may be missing)."""
    orig = getattr(error, "orig", None) or error
    code = getattr(orig, "sqlite_errorcode", None)
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return (code if isinstance(code, int) else None), (state if isinstance(state, str) else "")


def is_damage(error: BaseException) -> bool:
    """Whether `error` says the database's data is damaged (see the module docstring)."""
    code, state = _codes(error)
    return (code is not None and code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB)) or (
        state in _PG_DAMAGED
    )


def _is_write_failure(error: BaseException) -> bool:
    code, state = _codes(error)
    if code is not None:
        primary = code & 0xFF
        if primary == _SQLITE_IOERR:
            return code not in _SQLITE_READ_ERRORS
        return primary in (_SQLITE_FULL, _SQLITE_READONLY)
    return state in _PG_WRITE_FAILED


def _reason(error: BaseException) -> str:
    orig = getattr(error, "orig", None) or error
    lines = str(orig).strip().splitlines()
    return lines[0] if lines else type(orig).__name__


def disk_fault(url: str | URL, error: BaseException) -> DatabaseUnavailable | None:
    """The `DatabaseWriteFailed` or `DatabaseDamaged` that `error` (a driver's error, or
    SQLAlchemy's wrapping of it) means for the database at `url`; None for any other."""
    if isinstance(error, DatabaseWriteFailed | DatabaseDamaged):
        return error
    where, file = _where(url)
    if is_damage(error):
        if file is not None:
            return damaged(file, _reason(error))
        return DatabaseDamaged(
            f"{where} reports damaged data ({_reason(error)}): see the server's log, and "
            "restore from the latest backup if it cannot be repaired"
        )
    if not _is_write_failure(error):
        return None
    if file is not None:
        return DatabaseWriteFailed(
            f"{where} cannot store changes ({_reason(error)}): is its disk full, or the "
            "file or its folder not writable? Free space there (or fix the permissions) "
            "and try again; nothing of the change was kept"
        )
    return DatabaseWriteFailed(
        f"{where} cannot store changes ({_reason(error)}): free space on the database "
        "server's disk and try again; nothing of the change was kept"
    )


@dataclass(frozen=True)
class _Fault:
    error: DatabaseUnavailable
    at: float


_LAST_FAULT: weakref.WeakKeyDictionary[Engine, _Fault] = weakref.WeakKeyDictionary()


def watch_disk_faults(engine: AsyncEngine) -> None:
    """From now on a disk fault on `engine` raises `DatabaseWriteFailed` or
    `DatabaseDamaged` instead of the driver's error, and is remembered (readiness)."""
    url = engine.url

    def translate(context: ExceptionContext) -> BaseException | None:
        if context.is_pre_ping:
            return None
        fault = disk_fault(url, context.original_exception)
        if fault is not None:
            _LAST_FAULT[engine.sync_engine] = _Fault(fault, time.monotonic())
        return fault

    event.listen(engine.sync_engine, "handle_error", translate)


def recent_disk_fault(engine: AsyncEngine) -> DatabaseUnavailable | None:
    """The last disk fault on `engine`, if it is less than `FAULT_HOLD_SECONDS` old."""
    fault = _LAST_FAULT.get(engine.sync_engine)
    if fault is None or time.monotonic() - fault.at >= FAULT_HOLD_SECONDS:
        return None
    return type(fault.error)(str(fault.error))  # a new one to raise, each time
