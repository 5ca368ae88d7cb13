"""A SQLite file checked before the service uses it: a damaged file (random bytes, a
copy cut off in the middle, a page overwritten) stops every start with one line that
names the file and says what to do, and is left byte for byte as it was.

`check_sqlite_file(url)` runs `PRAGMA quick_check` (every page read once, without
matching each index to its table: about 0.2 s for 200 MB from the page cache) on a
connection of its own, before the engine's first connection (whose settings, such as
WAL mode, could write to the file). That connection writes nothing:

- `PRAGMA query_only` refuses every change;
- a write-ahead log or rollback journal with content (left by a process that
  stopped) is not applied: the file is then opened read-only. Otherwise the
  connection is the file's only one and, closing, removes the empty -wal and -shm
  files it made, as SQLite always does.

Only damage stops here (`storage.disk_faults.DatabaseDamaged`); any other problem
(a file that cannot be opened, a lock) is left to the engine's own connection, which
says what it is.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import URL, make_url
from sqlalchemy.exc import ArgumentError

from storage.disk_faults import damaged, is_damage

__all__ = ["check_sqlite_file"]

_BUSY_TIMEOUT_SECONDS = 15.0


def _existing_file(url: str | URL) -> Path | None:
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    file = Path(str(parsed.database)).expanduser().absolute()
    return file if file.is_file() else None


def _has_content(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except FileNotFoundError:
        return False


def _problem(file: Path) -> str | None:
    """What `quick_check` finds wrong with `file` (None: nothing, or not damage)."""
    pending = any(_has_content(Path(f"{file}{suffix}")) for suffix in ("-wal", "-journal"))
    uri = f"file:{quote(str(file))}" + ("?mode=ro" if pending else "")
    try:
        connection = sqlite3.connect(
            uri, uri=True, timeout=_BUSY_TIMEOUT_SECONDS, isolation_level=None
        )
    except sqlite3.Error as error:
        return str(error) if is_damage(error) else None
    try:
        connection.execute("PRAGMA query_only = ON")
        rows = connection.execute("PRAGMA quick_check(1)").fetchall()
    except sqlite3.Error as error:
        return str(error) if is_damage(error) else None
    finally:
        connection.close()
    if rows == [("ok",)]:
        return None
    lines = [line for row in rows for line in str(row[0]).splitlines()]
    found = [line for line in lines if line and not line.startswith("***")]
    return f"quick_check: {(found or lines or ['not ok'])[0]}"


async def check_sqlite_file(url: str | URL) -> None:
    """Raise `DatabaseDamaged` when the SQLite file of `url` exists and is damaged;
    nothing for a server database or a file that is not there yet."""
    file = _existing_file(url)
    if file is None:
        return
    problem = await asyncio.to_thread(_problem, file)
    if problem is not None:
        raise damaged(file, problem)
