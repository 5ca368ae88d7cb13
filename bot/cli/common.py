"""What every `intake` command shares: exit codes, one way to fail with a clear
message, and opening the database (`--database-url`, the encryption key, the schema).

Heavy imports stay inside the functions, so `intake route` starts fast.
"""

from __future__ import annotations

import sys
from typing import NoReturn

import click

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_UNAVAILABLE",
    "database_ready",
    "database_url_option",
    "default_locale",
    "fail",
    "resolve_database_url",
]

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
    must be reachable and (`migrate`: is brought) up to date; the URL. Stops with a
    clear message (exit 1) otherwise."""
    import asyncio

    from bot.encryption_keys import EncryptionSetupError, open_database
    from bot.settings import get_settings
    from storage.engine import DatabaseUnavailable
    from storage.migrate import SchemaNotCurrent

    url = resolve_database_url(database_url)

    def notify(message: str) -> None:
        click.echo(f"intake {command}: {message}", err=True)

    try:
        asyncio.run(open_database(get_settings(), url, notify=notify, migrate=migrate))
    except (DatabaseUnavailable, SchemaNotCurrent, EncryptionSetupError) as error:
        fail(command, str(error))
    return url
