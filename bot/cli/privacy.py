"""`intake purge` and `intake keys new|check|rotate`. See docs/privacy.md (retention,
key management).
"""

from __future__ import annotations

import asyncio

import click

from bot.cli.common import (
    database_ready,
    database_url_option,
    fail,
    on_database,
    resolve_database_url,
)

__all__ = ["keys", "purge"]


@click.command()
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

    counts = on_database("purge", run())
    verb = "would remove" if dry_run else "removed"
    for name, count in counts.items():
        label = name if name == "report_facts_added" else f"{verb} {name}"
        click.echo(f"{label}: {count}")


@click.group()
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
    from bot.encryption_keys import EncryptionSetupError
    from bot.local_data import MissingLocalData, require_database
    from bot.settings import get_settings
    from storage.column_types import SensitiveValueCodec
    from storage.database import Database
    from storage.encryption import EncryptionKeyError, Keyring
    from storage.engine import DatabaseUnavailable, check_database, safe_url
    from storage.key_registry import KeyProblem, rotate_keys
    from storage.migrate import SchemaNotCurrent, check_schema

    settings = get_settings()
    if settings.encryption_key is None:
        fail("keys rotate", "set ENCRYPTION_KEY to the new key (make one: `intake keys new`)")
    old = []
    if settings.encryption_keys_old is not None:
        old = settings.encryption_keys_old.get_secret_value().split(",")
    key_file = settings.encryption_key_file
    if key_file.exists():  # a local install's key counts as an old key
        old.append(key_file.read_text())
    try:
        keyring = Keyring.from_texts(settings.encryption_key.get_secret_value(), old)
    except EncryptionKeyError as error:
        fail("keys rotate", str(error))
    SensitiveValueCodec.configure(keyring)
    url = resolve_database_url(database_url)
    try:
        require_database(settings, url)
    except MissingLocalData as error:
        fail("keys rotate", str(error))

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
        fail("keys rotate", str(error))
    for table, rows in counts.items():
        click.echo(f"re-encrypted {table}: {rows} rows")
    click.echo(
        f"{safe_url(url)}: now encrypted with key {keyring.current.key_id} only. Start the "
        "service with this ENCRYPTION_KEY; the old key is no longer needed"
        + (f" (replace the key in {key_file})" if key_file.exists() else "")
        + "."
    )
