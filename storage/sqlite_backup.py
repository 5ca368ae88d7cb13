"""A backup of a SQLite database, made while the service runs (`intake db backup`).

SQLite's online backup copies the database as one consistent snapshot, with what is
still in the write-ahead log; copying the file itself while the service writes can
give a damaged copy. The copy is written to a temporary file beside the target,
checked (`PRAGMA quick_check`), flushed to the disk and only then given its name,
which must be new: a backup never replaces a file, and a full disk leaves no half
copy. The copy is readable by its owner only. It holds no key: the encryption key is
kept (and backed up) elsewhere (docs/privacy.md, key management).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from pathlib import Path

__all__ = ["BackupFailed", "backup_sqlite"]


class BackupFailed(RuntimeError):
    """No backup was made; the message says why (and nothing half-written was left)."""


def backup_sqlite(file: Path, target: Path) -> int:
    """Copy the SQLite database `file` to the new file `target`; its size in bytes."""
    if target.exists():
        raise BackupFailed(f"{target} is there already: name a new file")
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    except OSError as error:
        raise BackupFailed(f"cannot write in {target.parent}: {error.strerror}") from None
    os.close(fd)
    try:
        _copy(file, Path(temporary))
        os.link(temporary, target)
    except FileExistsError:
        raise BackupFailed(f"{target} is there already: name a new file") from None
    except (OSError, sqlite3.Error) as error:
        raise BackupFailed(
            f"the backup to {target} failed ({error}); is its disk full? Nothing was kept"
        ) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    return target.stat().st_size


def _copy(file: Path, temporary: Path) -> None:
    source = sqlite3.connect(file, timeout=15.0)
    try:
        source.execute("PRAGMA query_only = ON")  # it only reads the database
        copy = sqlite3.connect(temporary)
        try:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")  # one file, nothing beside it
            rows = copy.execute("PRAGMA quick_check(1)").fetchall()
        finally:
            copy.close()
    finally:
        source.close()
    if rows != [("ok",)]:
        raise sqlite3.DatabaseError(f"the copy does not check out: {rows[0][0]}")
    with open(temporary, "rb") as handle:
        os.fsync(handle.fileno())
