"""What every `intake` command shares: exit codes, one way to fail with a clear
message, and opening the database (`--database-url`, the encryption key, the schema):
`database_ready` for every command that uses the data, `data_prepared` for the two
that may make it (`intake init`, `intake serve`; see `bot.local_data`).

Heavy imports stay inside the functions, so `intake route` starts fast.
"""

from __future__ import annotations

import sys
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

if TYPE_CHECKING:
    from bot.settings import Settings

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_UNAVAILABLE",
    "data_prepared",
    "database_ready",
    "database_url_option",
    "default_locale",
    "fail",
    "on_database",
    "resolve_database_url",
]

T = TypeVar("T")

EXIT_UNAVAILABLE = 1  # a database, key or file that cannot be used; problems found
EXIT_BAD_INPUT = 2  # the command's own input is wrong

# `--database-url`, for every command that opens the database with `database_ready`.
database_url_option = click.option(
    "--database-url",
    envvar="DATABASE_URL",
    default=None,
    metavar="URL",
    help="Database to use (default: the DATABASE_URL setting).",
)


def fail(command: str, message: str, code: int = EXIT_UNAVAILABLE) -> NoReturn:
    """Say what is wrong, each line as `intake COMMAND: ...` on stderr, and exit."""
    for line in message.splitlines() or [""]:
        click.echo(f"intake {command}: {line}", err=True)
    sys.exit(code)


def default_locale() -> str:
    from bot.settings import get_settings

    return get_settings().default_locale


def resolve_database_url(given: str | None) -> str:
    """The URL given with --database-url, or the DATABASE_URL setting."""
    if given:
        return given
    from bot.settings import get_settings

    return get_settings().database_url


def database_ready(command: str, database_url: str | None, *, migrate: bool = False) -> str:
    """Configure this process's encryption key and check it fits the database, which
    must be there, reachable and (`migrate`: is brought) up to date; the URL. Makes
    no folder, key or database: stops with a clear message (exit 1) instead, naming
    where it looked and saying what to do (`intake init`, INTAKE_HOME)."""
    import asyncio

    from bot.encryption_keys import EncryptionSetupError, open_database
    from bot.local_data import MissingLocalData, require_database
    from bot.settings import get_settings
    from storage.engine import DatabaseUnavailable
    from storage.migrate import SchemaNotCurrent

    url = resolve_database_url(database_url)
    settings = get_settings()

    def notify(message: str) -> None:
        click.echo(f"intake {command}: {message}", err=True)

    try:
        require_database(settings, url)
        asyncio.run(open_database(settings, url, notify=notify, migrate=migrate))
    except (
        MissingLocalData,
        DatabaseUnavailable,
        SchemaNotCurrent,
        EncryptionSetupError,
    ) as error:
        fail(command, str(error))
    return url


def on_database(command: str, work: Coroutine[Any, Any, T]) -> T:
    """Run `work`, a command's use of the database once `database_ready` said yes; a
    database that fails meanwhile (gone, a full disk, damage found) stops the command
    with its one line (exit 1), never a traceback. Nothing of the failed unit of work
    was kept."""
    import asyncio

    from storage.engine import DatabaseUnavailable

    try:
        return asyncio.run(work)
    except DatabaseUnavailable as error:
        fail(command, str(error))


def data_prepared(command: str, settings: Settings, url: str) -> list[str]:
    """For `intake init` and `intake serve` only: make what the local install is
    missing and migrate (`bot.local_data.prepare`); what was made. Stops with a clear
    message (exit 1) when the database cannot be reached, the key does not fit or the
    disk cannot take the new files (then it has made nothing)."""
    import asyncio

    from bot.encryption_keys import EncryptionSetupError
    from bot.local_data import prepare
    from storage.engine import DatabaseUnavailable

    try:
        return asyncio.run(prepare(settings, url))
    except (DatabaseUnavailable, EncryptionSetupError) as error:
        fail(command, str(error))
    except OSError as error:  # the data directory cannot be written (full, read-only)
        fail(
            command,
            f"cannot write {error.filename or settings.intake_home}: {error.strerror}; is "
            "its disk full, or the folder not writable? Free space there (or correct "
            "INTAKE_HOME) and start again; nothing was made",
        )
