"""Key management: the database knows its key (a check value), so a missing or wrong
key stops the service at start with a clear message; a new local install makes its
own key; `intake keys rotate` re-encrypts everything under a new key."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result
from sqlalchemy import text

from bot.cli import main
from bot.encryption_keys import EncryptionSetupError, resolve_keyring
from bot.settings import Settings, get_settings
from storage.column_types import SensitiveValueCodec
from storage.database import Database
from storage.encryption import EncryptionKey, Keyring, envelope_key_id
from storage.key_registry import KeyProblem, check_keys, rotate_keys, sensitive_columns
from storage.migrate import upgrade
from tests.factories.databases import Backend
from tests.factories.environment import TEST_ENCRYPTION_KEY
from tests.factories.pre_aanmeldingen import new_submission
from tests.factories.tables import decrypted_dump, keyring
from tests.serving import free_port

KEY_A = EncryptionKey(b"\xaa" * 32)
KEY_B = EncryptionKey(b"\xbb" * 32)
INTAKE = Path(sys.executable).with_name("intake")


def local_install(home: Path) -> Settings:
    """Settings of a local install: no ENCRYPTION_KEY, its data directory at `home`."""
    return Settings(_env_file=None, encryption_key=None, intake_home=home)  # type: ignore[call-arg]


def without_keys(dump: str) -> str:
    return "\n".join(line for line in dump.splitlines() if not line.startswith("encryption_"))


def key_text(key: EncryptionKey) -> str:
    return key.material.hex()


async def store_something(database: Database) -> str:
    async with database.unit_of_work() as uow:
        created = await uow.pre_aanmeldingen.create(new_submission())
        await uow.outbox.enqueue("telegram", "f" * 64, "42", {"text": "Je code"})
    return created.reference


async def blob_key_ids(database: Database) -> set[str]:
    found: set[str] = set()
    async with database.engine.connect() as connection:
        for table, columns in sensitive_columns().items():
            for column in columns:
                rows = await connection.execute(
                    text(f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL")
                )
                found |= {str(envelope_key_id(bytes(row[0]))) for row in rows}
    return found


async def test_a_new_database_registers_its_key_and_refuses_others(backend: Backend) -> None:
    with keyring(Keyring(KEY_A)):
        assert await check_keys(backend.url, Keyring(KEY_A)) is True  # new: registered
        assert await check_keys(backend.url, Keyring(KEY_A)) is False  # known: fine
        with pytest.raises(KeyProblem) as wrong:
            await check_keys(backend.url, Keyring(KEY_B))
    message = str(wrong.value)
    assert KEY_A.key_id in message and KEY_B.key_id in message
    assert "does not open the data in the database" in message
    assert KEY_A.material.hex() not in message and "password" not in message
    with pytest.raises(KeyProblem, match="intake keys rotate"):
        await check_keys(backend.url, Keyring(KEY_B, [KEY_A]))  # new key, not rotated yet


async def test_rotation_re_encrypts_everything_under_the_new_key(backend: Backend) -> None:
    database = backend.database()
    try:
        with keyring(Keyring(KEY_A)):
            await check_keys(backend.url, Keyring(KEY_A))
            reference = await store_something(database)
            before = without_keys(await decrypted_dump(database))
        assert await blob_key_ids(database) == {KEY_A.key_id}
        with keyring(Keyring(KEY_B)), pytest.raises(KeyProblem, match="ENCRYPTION_KEYS_OLD"):
            await rotate_keys(database)  # the old key is needed to read
        with keyring(Keyring(KEY_B, [KEY_A])):
            counts = await rotate_keys(database)
        assert counts["pre_aanmeldingen"] == 1 and counts["outbox_messages"] == 1
        assert await blob_key_ids(database) == {KEY_B.key_id}
        with keyring(Keyring(KEY_B)):  # the new key alone reads it all
            assert await check_keys(backend.url, Keyring(KEY_B)) is False
            assert without_keys(await decrypted_dump(database)) == before
            async with database.unit_of_work(write=False) as uow:
                item = await uow.pre_aanmeldingen.get(reference)
            assert item is not None and item.client_name == "Jan de Vries"
        with pytest.raises(KeyProblem):  # the old key is no longer the database's
            await check_keys(backend.url, Keyring(KEY_A))
    finally:
        await database.dispose()


async def test_a_new_local_install_makes_its_key(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/new.db"
    key_file = tmp_path / "var" / "encryption_key"
    told: list[str] = []
    settings = local_install(tmp_path / "var")
    with keyring(None):
        with pytest.raises(EncryptionSetupError, match="run `intake init`"):
            await resolve_keyring(settings, url, notify=told.append)  # only init and serve
        assert not key_file.exists() and not told
        made = await resolve_keyring(settings, url, notify=told.append, create=True)
        assert SensitiveValueCodec.keyring() is made
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert EncryptionKey.from_text(key_file.read_text()).key_id == made.current.key_id
    assert len(told) == 1 and "made a new encryption key" in told[0]
    assert key_file.read_text().strip() not in told[0]


async def test_an_existing_database_without_its_key_is_refused(
    backend: Backend, tmp_path: Path
) -> None:
    with keyring(Keyring(KEY_A)):
        await check_keys(backend.url, Keyring(KEY_A))
        settings = local_install(tmp_path / "var")
        key_file = tmp_path / "var" / "encryption_key"
        with pytest.raises(EncryptionSetupError, match="no encryption key is set"):
            await resolve_keyring(settings, backend.url, notify=print, create=True)
    assert not key_file.exists()  # no key is made for a database that has one


def _encrypted_database(tmp_path: Path, key: EncryptionKey) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path}/intake.db"
    upgrade(url)

    async def register() -> None:
        with keyring(Keyring(key)):
            await check_keys(url, Keyring(key))
            database = Database(url)
            try:
                await store_something(database)
            finally:
                await database.dispose()

    asyncio.run(register())
    return url


def _serve(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(INTAKE), "serve"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )


def _env(url: str, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ENCRYPTION_", "TELEGRAM_", "DATABASE_URL", "INTAKE_HOME"))
    }
    return {**env, "DATABASE_URL": url, "PORT": str(free_port()), "SECRET_KEY": "k", **extra}


def test_serve_without_the_key_stops_with_a_clear_message(tmp_path: Path) -> None:
    url = _encrypted_database(tmp_path, KEY_A)
    done = _serve(tmp_path, _env(url))
    assert done.returncode == 1
    assert "intake serve: the database at" in done.stderr
    assert "no encryption key is set" in done.stderr and KEY_A.key_id in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "var" / "encryption_key").exists()


def test_serve_with_a_wrong_key_stops_with_a_clear_message(tmp_path: Path) -> None:
    url = _encrypted_database(tmp_path, KEY_A)
    done = _serve(tmp_path, _env(url, ENCRYPTION_KEY=key_text(KEY_B)))
    assert done.returncode == 1
    assert "does not open the data in the database" in done.stderr
    assert KEY_B.material.hex() not in done.stderr + done.stdout
    assert "Traceback" not in done.stderr
    unusable = _serve(tmp_path, _env(url, ENCRYPTION_KEY="not-a-key"))
    assert unusable.returncode == 1 and "ENCRYPTION_KEY is not a usable key" in unusable.stderr


@pytest.fixture
def cli() -> Iterator[Callable[..., Result]]:
    """`intake ...` in this process with its own environment (settings read anew)."""

    def invoke(*args: str, **env: str) -> Result:
        get_settings.cache_clear()
        return CliRunner(env={"ENCRYPTION_KEYS_OLD": "", **env}).invoke(main, list(args))

    yield invoke
    get_settings.cache_clear()
    SensitiveValueCodec.configure(Keyring.from_texts(TEST_ENCRYPTION_KEY))


def test_other_commands_refuse_a_wrong_key_too(tmp_path: Path, cli: Callable[..., Result]) -> None:
    url = _encrypted_database(tmp_path, KEY_A)
    for args in (["db", "check"], ["export", "--format", "json"], ["purge", "--dry-run"]):
        result = cli(*args, "--database-url", url, ENCRYPTION_KEY=key_text(KEY_B))
        assert result.exit_code == 1, args
        assert "does not open the data in the database" in result.output
    good = cli("keys", "check", "--database-url", url, ENCRYPTION_KEY=key_text(KEY_A))
    assert good.exit_code == 0, good.output
    assert KEY_A.key_id in good.output


def test_keys_rotate_on_the_command_line(tmp_path: Path, cli: Callable[..., Result]) -> None:
    url = _encrypted_database(tmp_path, KEY_A)
    result = cli(
        "keys",
        "rotate",
        "--database-url",
        url,
        ENCRYPTION_KEY=key_text(KEY_B),
        ENCRYPTION_KEYS_OLD=key_text(KEY_A),
    )
    assert result.exit_code == 0, result.output
    assert "re-encrypted pre_aanmeldingen: 1 rows" in result.output
    assert f"now encrypted with key {KEY_B.key_id} only" in result.output
    after = cli("db", "check", "--database-url", url, ENCRYPTION_KEY=key_text(KEY_B))
    assert after.exit_code == 0, after.output
    before = cli("db", "check", "--database-url", url, ENCRYPTION_KEY=key_text(KEY_A))
    assert before.exit_code == 1


def test_make_run_on_a_new_machine_just_works(tmp_path: Path) -> None:
    """No ENCRYPTION_KEY, no database, no setting: a key is made in ./var (the data
    directory's default) and the service starts."""
    env = _env("")  # unset: intake.db in the data directory
    process = subprocess.Popen(
        [str(INTAKE), "serve"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline, answer = time.monotonic() + 30, None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                answer = httpx.get(f"http://127.0.0.1:{env['PORT']}/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert answer is not None and answer.status_code == 200
        key_file = tmp_path / "var" / "encryption_key"
        assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
    assert f"made a new encryption key in {key_file}" in output
    assert key_file.read_text().strip() not in output
    # Later commands (and starts) use the same key: the database knows it.
    again = subprocess.run(
        [str(INTAKE), "db", "check"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert again.returncode == 0, again.stderr
    assert "key fits" in again.stdout
