"""`intake db backup`: a checked copy of the SQLite database, made while the service
runs, readable by its owner only, never over an existing file and never half-written
(a full disk leaves nothing); what the message for a damaged file says to put back."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path

import pytest

from storage.database import Database
from storage.encryption import EncryptionKey, Keyring
from tests.factories.commands import Intake
from tests.factories.damaged_files import fingerprint, page_overwritten
from tests.factories.databases import sqlite_url
from tests.factories.environment import POSTGRES_URL
from tests.factories.full_disk import file_size_limit
from tests.factories.installs import encrypted_install
from tests.factories.tables import decrypted_dump, keyring
from tests.serving import INTAKE, files_in, serve_env

KEY = EncryptionKey(b"\xaa" * 32)


def dump(file: Path) -> str:
    async def read() -> str:
        database = Database(sqlite_url(file))
        try:
            with keyring(Keyring(KEY)):
                return await decrypted_dump(database)
        finally:
            await database.dispose()

    return asyncio.run(read())


def test_a_backup_holds_what_the_database_holds_and_puts_back_a_damaged_one(
    intake: Intake, tmp_path: Path
) -> None:
    home = tmp_path / "work" / "var"
    encrypted_install(home, KEY)
    file = home / "intake.db"
    made = intake("db", "backup", "../copy.db", ENCRYPTION_KEY=KEY.material.hex())
    assert made.exit_code == 0, made.output
    copy = tmp_path / "copy.db"
    assert made.stdout == (
        f"{copy}: a checked copy of {file} ({copy.stat().st_size} bytes). It does not "
        "hold the encryption key: keep a copy of the key elsewhere\n"
    )
    assert oct(copy.stat().st_mode & 0o777) == "0o600"
    assert files_in(tmp_path) == ["copy.db", "work", "work/var", "work/var/intake.db"]
    assert dump(copy) == dump(file) and "telegram" in dump(copy)

    again = intake("db", "backup", "../copy.db")
    assert again.exit_code == 2
    assert again.stderr == f"intake db backup: {copy} is there already: name a new file\n"

    page_overwritten(file)  # the disk damages it; the backup goes back in its place
    assert intake("db", "check", ENCRYPTION_KEY=KEY.material.hex()).exit_code == 1
    shutil.copy(copy, file)
    restored = intake("db", "check", ENCRYPTION_KEY=KEY.material.hex())
    assert restored.exit_code == 0, restored.output
    assert dump(file) == dump(copy)


def test_a_backup_on_a_full_disk_leaves_nothing(tmp_path: Path, sqlite_template: Path) -> None:
    home = tmp_path / "var"
    home.mkdir()
    shutil.copy(sqlite_template, home / "intake.db")
    before = fingerprint(home / "intake.db")
    done = subprocess.run(
        [str(INTAKE), "db", "backup", "copy.db"],
        cwd=tmp_path,
        env=serve_env(),
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=file_size_limit(100_000),  # the database is larger
    )
    assert done.returncode == 1
    assert done.stderr == (
        f"intake db backup: the backup to {tmp_path / 'copy.db'} failed (disk I/O error); "
        "is its disk full? Nothing was kept\n"
    )
    assert files_in(tmp_path) == ["var", "var/intake.db"]
    assert fingerprint(home / "intake.db") == before


@pytest.mark.postgres
def test_a_server_database_is_backed_up_with_pg_dump(intake: Intake) -> None:
    result = intake("db", "backup", "copy.db", "--database-url", POSTGRES_URL)
    assert result.exit_code == 1
    assert result.stderr.endswith(
        "is on a server: back it up with pg_dump (docs/operations.md, backups)\n"
    )
