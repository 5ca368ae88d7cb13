"""The data directory (INTAKE_HOME, docs/operations.md): a local install's secret key,
encryption key and SQLite database, and who may make them.

Only `intake init` and `intake serve` make the folder, a key or a database
(`prepare`). Every other command needs them there already (`require_database`, and
`bot.encryption_keys` for the key) and otherwise stops with a message that names the
folder it looked in and says what to do; it creates nothing. So a command started
from the wrong folder (a cron job, a typo) cannot make an empty database and a new key
beside the real ones.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError

from bot.encryption_keys import open_database
from bot.key_files import write_new_key_file
from bot.settings import MissingLocalData, Settings

__all__ = ["MissingLocalData", "describe", "prepare", "require_database", "sqlite_file"]


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL, absolute (None: a server database)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None  # reaching it says what is wrong with the URL
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).expanduser().absolute()


def describe(url: str) -> str:
    """Where the data is, for people: the SQLite file, or the URL without its password."""
    from storage.engine import safe_url

    return str(sqlite_file(url) or safe_url(url))


def require_database(settings: Settings, url: str) -> None:
    """For every command but `intake init` and `intake serve`: a SQLite database must be
    there already (a server database is checked when it is reached). Raises
    `MissingLocalData` naming what is missing, where it looked and what to do."""
    file = sqlite_file(url)
    if file is None or file.is_file():
        return
    home = settings.intake_home
    if file.parent != home:
        raise MissingLocalData(
            f"no database at {file}: correct DATABASE_URL (or --database-url), or run "
            "`intake init` to make a new one there"
        )
    if not home.is_dir():
        raise MissingLocalData(
            f"no data directory at {home}: set INTAKE_HOME to the folder that holds the "
            "keys and the database (the default is ./var in the working folder), or run "
            "`intake init` to make a new one there"
        )
    raise MissingLocalData(
        f"no database in the data directory {home}: set INTAKE_HOME to the folder that "
        "holds it, or run `intake init` to make a new one there"
    )


def _make_secret_key(path: Path) -> bool:
    """A new secret key at `path` (mode 0600); never replaces one (False then)."""
    return write_new_key_file(path, secrets.token_urlsafe(48))


async def prepare(settings: Settings, url: str) -> list[str]:
    """For `intake init` and `intake serve`: make what a local install is missing (the
    data directory, the SQLite database, the encryption key, the secret key), bring
    the schema up to date and check the key; what was made, one sentence each. Never
    replaces a key. Raises `DatabaseUnavailable` or `EncryptionSetupError` before
    anything is made when the database cannot be reached or the key is unusable.

    All or nothing: when it fails half way (a full disk), it removes what it made:
    a new database file, and with it the keys made for it, and the folders it made,
    so that no empty key, no empty database and no half-migrated file is left for
    the next start to trip over. What was there before it is never removed."""
    home = settings.intake_home
    file = sqlite_file(url)
    new_file = file is not None and not file.exists()
    keys = (settings.encryption_key_file, settings.secret_key_file)
    new_keys = [key for key in keys if not key.exists()]
    new_folders = _missing_folders(home, *([file.parent] if file is not None else []))
    try:
        return await _prepare(settings, url, file if new_file else None)
    except BaseException:
        if file is not None and new_file:
            _remove_database(file)
            for key in new_keys:
                key.unlink(missing_ok=True)
        for folder in new_folders:  # the deepest first; a folder with files stays
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise


async def _prepare(settings: Settings, url: str, new_file: Path | None) -> list[str]:
    home = settings.intake_home
    had_home = home.is_dir()
    made: list[str] = []
    notify: Callable[[str], None] = made.append
    if new_file is not None and new_file.parent == home:
        home.mkdir(mode=0o700, parents=True, exist_ok=True)  # the keys' folder: owner only
    await open_database(settings, url, notify=notify, migrate=True, create=True)
    if new_file is not None:
        made.insert(0, f"made a new database at {new_file}")
    if settings.secret_key is None and _make_secret_key(settings.secret_key_file):
        made.append(f"made a new secret key in {settings.secret_key_file} (or set SECRET_KEY)")
    if not had_home and home.is_dir():
        made.insert(0, f"made the data directory {home}")
    return made


def _missing_folders(*folders: Path) -> list[Path]:
    """The folders that are not there yet among `folders` and their parents, the
    deepest first."""
    missing: set[Path] = set()
    for folder in folders:
        while not folder.exists() and folder != folder.parent:
            missing.add(folder)
            folder = folder.parent
    return sorted(missing, key=lambda path: len(path.parts), reverse=True)


def _remove_database(file: Path) -> None:
    """A SQLite database this start made, with the files SQLite keeps beside it."""
    for path in (file, *(Path(f"{file}{suffix}") for suffix in ("-wal", "-shm", "-journal"))):
        path.unlink(missing_ok=True)
