"""An install that holds data under a known key: its SQLite database migrated (to the
newest schema or an older one), the key registered and a message stored encrypted
under it, all written to the file (no -wal left), as a stopped service leaves it."""

from __future__ import annotations

from pathlib import Path

from storage.database import Database
from storage.encryption import EncryptionKey, Keyring
from storage.key_registry import check_keys
from storage.migrate import upgrade_async
from tests.factories.databases import run_blocking, sqlite_url
from tests.factories.tables import keyring


def encrypted_install(home: Path, key: EncryptionKey, *, revision: str = "head") -> str:
    """`home/intake.db`, migrated to `revision`, holding data under `key`: its URL.
    (No key file: write one where a test needs it.)"""
    home.mkdir(parents=True, exist_ok=True)
    url = sqlite_url(home / "intake.db")

    async def make() -> None:
        await upgrade_async(url, revision)
        with keyring(Keyring(key)):
            await check_keys(url, Keyring(key))
            database = Database(url)
            try:
                async with database.unit_of_work() as uow:
                    await uow.outbox.enqueue("telegram", "f" * 64, "42", {"text": "Je code"})
            finally:
                await database.dispose()

    run_blocking(make())
    return url
