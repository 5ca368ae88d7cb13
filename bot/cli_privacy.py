"""`intake purge` and `intake keys new|check|rotate`, and `database_ready`, which every
command that opens the database calls first (the encryption key, then the database).

Registered on `intake` by the import at the bottom of `bot/cli.py`. See
docs/privacy.md (retention, key management).
"""

from __future__ import annotations

import asyncio
import sys
from typing import NoReturn

import click

from bot.cli import main

__all__ = ["database_ready", "database_url_option", "keys", "purge"]

EXIT_UNAVAILABLE = 1
EXIT_BAD_INPUT = 2

# `--database-url`, for every command that opens the database with `database_ready`.
database_url_option = click.option(
    "--database-url",
    envvar="DATABASE_URL",
    default=None,
    metavar="URL",
    help="Database to use (default: the DATABASE_URL setting).",
)


def _fail(command: str, message: str, code: int = EXIT_UNAVAILABLE) -> NoReturn:
    for line in message.splitlines():
        click.echo(f"intake {command}: {line}", err=True)
    sys.exit(code)


def _url(given: str | None) -> str:
    if given:
        return given
    from bot.settings import get_settings

    return get_settings().database_url


def database_ready(command: str, database_url: str | None, *, migrate: bool = False) -> str:
    """Configure this process's encryption key and check it fits the database, which
    must be reachable and (`migrate`: is brought) up to date; the URL. Stops with a
    clear message (exit 1) otherwise."""
    from bot.encryption_keys import EncryptionSetupError, open_database
    from bot.settings import get_settings
    from storage.engine import DatabaseUnavailable
    from storage.migrate import SchemaNotCurrent

    url = _url(database_url)

    def notify(message: str) -> None:
        click.echo(f"intake {command}: {message}", err=True)

    try:
        asyncio.run(open_database(get_settings(), url, notify=notify, migrate=migrate))
    except (DatabaseUnavailable, SchemaNotCurrent, EncryptionSetupError) as error:
        _fail(command, str(error))
    return url


@main.command()
@click.option("--dry-run", is_flag=True, help="Only count what would go; change nothing.")
@database_url_option
def purge(dry_run: bool, database_url: str | None) -> None:
    """Apply the retention periods now (intake serve does this daily)."""
    from bot.maintenance import purge_once, retention_policy
    from bot.settings import get_settings
    from storage.database import Database

    url = database_ready("purge", database_url)

    async def run() -> dict[str, int]:
        database = Database(url)
        try:
            return await purge_once(database, retention_policy(get_settings()), dry_run=dry_run)
        finally:
            await database.dispose()

    counts = asyncio.run(run())
    verb = "would remove" if dry_run else "removed"
    for name, count in counts.items():
        label = name if name == "report_facts_added" else f"{verb} {name}"
        click.echo(f"{label}: {count}")


@main.group()
def keys() -> None:
    """The encryption key of the database (encryption at rest)."""


@keys.command("new")
def new_key() -> None:
    """Print a new random key, for ENCRYPTION_KEY."""
    from storage.encryption import EncryptionKey

    click.echo(EncryptionKey.generate())


@keys.command("check")
@database_url_option
def check_keys(database_url: str | None) -> None:
    """Check that ENCRYPTION_KEY is the key of the database."""
    from storage.column_types import SensitiveValueCodec
    from storage.engine import safe_url

    url = database_ready("keys check", database_url)
    key_id = SensitiveValueCodec.keyring().current.key_id
    click.echo(f"{safe_url(url)}: encrypted with key {key_id}, which is configured")


@keys.command("rotate")
@database_url_option
def rotate(database_url: str | None) -> None:
    """Re-encrypt everything with ENCRYPTION_KEY (the new key); the old key must be in
    ENCRYPTION_KEYS_OLD. Stop the service first; start it again with the new key."""
    from bot.encryption_keys import KEY_FILE, EncryptionSetupError
    from bot.settings import get_settings
    from storage.column_types import SensitiveValueCodec
    from storage.database import Database
    from storage.encryption import EncryptionKeyError, Keyring
    from storage.engine import DatabaseUnavailable, check_database, safe_url
    from storage.key_registry import KeyProblem, rotate_keys
    from storage.migrate import SchemaNotCurrent, check_schema

    settings = get_settings()
    if settings.encryption_key is None:
        _fail("keys rotate", "set ENCRYPTION_KEY to the new key (make one: `intake keys new`)")
    old = []
    if settings.encryption_keys_old is not None:
        old = settings.encryption_keys_old.get_secret_value().split(",")
    if KEY_FILE.exists():  # a local install's key counts as an old key
        old.append(KEY_FILE.read_text())
    try:
        keyring = Keyring.from_texts(settings.encryption_key.get_secret_value(), old)
    except EncryptionKeyError as error:
        _fail("keys rotate", str(error))
    SensitiveValueCodec.configure(keyring)
    url = _url(database_url)

    async def run() -> dict[str, int]:
        await check_database(url)
        await check_schema(url)
        database = Database(url)
        try:
            return await rotate_keys(database)
        finally:
            await database.dispose()

    try:
        counts = asyncio.run(run())
    except (DatabaseUnavailable, SchemaNotCurrent, KeyProblem, EncryptionSetupError) as error:
        _fail("keys rotate", str(error))
    for table, rows in counts.items():
        click.echo(f"re-encrypted {table}: {rows} rows")
    click.echo(
        f"{safe_url(url)}: now encrypted with key {keyring.current.key_id} only. Start the "
        "service with this ENCRYPTION_KEY; the old key is no longer needed"
        + (f" (replace the key in {KEY_FILE})" if KEY_FILE.exists() else "")
        + "."
    )
