"""A key that does not open the stored data (ENCRYPTION_KEY set to another valid key,
the data directory's key file replaced, the key registry lost) or is no key at all
(not base64, the wrong length, an empty file): `intake serve` and the commands refuse
with one line that says what to do, exit 1, and change nothing: no value re-encrypted,
no migration run, no key written over the old one, no other key registered."""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.encryption import EncryptionKey
from storage.engine import create_engine
from storage.key_registry import registered_keys
from storage.migrate import current_revision, head_revision
from tests.factories.commands import Intake
from tests.factories.damaged_files import fingerprint
from tests.factories.installs import encrypted_install
from tests.serving import files_in, serve_env, stops_with_one_line

KEY_A = EncryptionKey(b"\xaa" * 32)  # the data's key
KEY_B = EncryptionKey(b"\xbb" * 32)  # another valid key


def as_text(key: EncryptionKey) -> str:
    return base64.urlsafe_b64encode(key.material).decode("ascii")


def refusal(source: str, url: str, put_back: str) -> str:
    return (
        f"the encryption key from {source} (key {KEY_B.key_id}) does not open the data in "
        f"the database at {url}, which was encrypted with key {KEY_A.key_id}: {put_back}, "
        "and check it with `intake keys check` (see docs/privacy.md, key management); "
        "nothing was changed"
    )


def local_env(**settings: str) -> dict[str, str]:
    """`intake serve`'s environment without ENCRYPTION_KEY (the test key) unless given."""
    env = {k: v for k, v in serve_env().items() if k != "ENCRYPTION_KEY"}
    return {**env, **settings}


def test_serve_with_another_encryption_key_refuses_and_changes_nothing(tmp_path: Path) -> None:
    home = tmp_path / "var"
    url = encrypted_install(home, KEY_A)
    before = fingerprint(home / "intake.db")
    line = stops_with_one_line(tmp_path, local_env(ENCRYPTION_KEY=as_text(KEY_B)))
    assert line == "intake serve: " + refusal(
        "ENCRYPTION_KEY", url, "set ENCRYPTION_KEY to that key"
    )
    assert KEY_B.material.hex() not in line and as_text(KEY_B) not in line
    assert fingerprint(home / "intake.db") == before
    assert files_in(home) == ["intake.db"]  # no key file made either


def test_serve_with_a_replaced_key_file_refuses_and_keeps_that_file(tmp_path: Path) -> None:
    home = tmp_path / "var"
    url = encrypted_install(home, KEY_A)
    key_file = home / "encryption_key"
    key_file.write_text(as_text(KEY_B) + "\n")
    before = {name: fingerprint(home / name) for name in files_in(home)}
    line = stops_with_one_line(tmp_path, local_env())
    assert line == "intake serve: " + refusal(
        str(key_file), url, f"put that key back in {key_file} from your safe copy"
    )
    assert {name: fingerprint(home / name) for name in files_in(home)} == before


def test_a_wrong_key_stops_before_a_migration_writes(tmp_path: Path, intake: Intake) -> None:
    """An older schema and a wrong key: no migration runs (it would write, and could
    encrypt values under the wrong key); the file and its schema stay as they were."""
    home = tmp_path / "var"
    url = encrypted_install(home, KEY_A, revision="0005")
    before = fingerprint(home / "intake.db")
    line = stops_with_one_line(tmp_path, local_env(ENCRYPTION_KEY=as_text(KEY_B)))
    assert "does not open the data" in line
    upgraded = intake("db", "upgrade", "--database-url", url, ENCRYPTION_KEY=as_text(KEY_B))
    assert upgraded.exit_code == 1
    assert (
        upgraded.stderr
        == "intake db upgrade: "
        + refusal("ENCRYPTION_KEY", url, "set ENCRYPTION_KEY to that key")
        + "\n"
    )
    assert asyncio.run(current_revision(url)) == "0005"
    assert fingerprint(home / "intake.db") == before
    right = intake("db", "upgrade", "--database-url", url, ENCRYPTION_KEY=as_text(KEY_A))
    assert right.exit_code == 0, right.output
    assert asyncio.run(current_revision(url)) == head_revision()


def test_a_lost_key_registry_does_not_let_another_key_in(tmp_path: Path, intake: Intake) -> None:
    """The registry emptied (or from another database): the stored data still names
    its key, so no other key is registered and no new key is made for it."""
    home = tmp_path / "work" / "var"
    url = encrypted_install(home, KEY_A)

    async def forget_keys() -> None:
        engine = create_engine(url)
        try:
            async with engine.begin() as connection:
                await connection.execute(text("DELETE FROM encryption_keys"))
        finally:
            await engine.dispose()

    asyncio.run(forget_keys())
    wrong = intake("db", "check", ENCRYPTION_KEY=as_text(KEY_B))
    assert wrong.exit_code == 1
    assert (
        wrong.stderr
        == "intake db check: "
        + refusal("ENCRYPTION_KEY", url, "set ENCRYPTION_KEY to that key")
        + "\n"
    )
    without = intake("init", ENCRYPTION_KEY=None)
    assert without.exit_code == 1
    assert f"is encrypted (key {KEY_A.key_id}), but no encryption key is set" in without.stderr
    assert asyncio.run(registered_keys(url)) == []
    assert files_in(home) == ["intake.db"]  # no key file made for data it cannot open
    right = intake("db", "check", ENCRYPTION_KEY=as_text(KEY_A))
    assert right.exit_code == 0, right.output


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("%%%", "it is neither base64 nor hex"),
        (base64.b64encode(b"\x01" * 31).decode(), "it is 31 bytes long"),
        ("", "it is empty"),
    ],
    ids=["not base64", "too short", "empty"],
)
def test_a_malformed_key_file_is_named_in_one_line(
    tmp_path: Path, intake: Intake, value: str, why: str
) -> None:
    home = tmp_path / "work" / "var"
    encrypted_install(home, KEY_A)
    key_file = home / "encryption_key"
    key_file.write_text(value)
    before = {name: fingerprint(home / name) for name in files_in(home)}
    result = intake("db", "check", ENCRYPTION_KEY=None)
    assert result.exit_code == 1
    assert result.stderr == (
        f"intake db check: {key_file} is not a usable key ({why}): a key is 32 random "
        "bytes written as base64 or 64 hex digits; put back the key from your safe copy, "
        "whole (a new key from `intake keys new` opens only a new database)\n"
    )
    assert {name: fingerprint(home / name) for name in files_in(home)} == before


def test_serve_with_a_malformed_encryption_key_says_so_in_one_line(tmp_path: Path) -> None:
    line = stops_with_one_line(tmp_path, local_env(ENCRYPTION_KEY="not base64!"))
    assert line == (
        "intake serve: ENCRYPTION_KEY is not a usable key (it is neither base64 nor hex): a "
        "key is 32 random bytes written as base64 or 64 hex digits; put back the key from "
        "your safe copy, whole (a new key from `intake keys new` opens only a new database)"
    )
    assert files_in(tmp_path) == []
