"""`intake staff add|disable|enable|reset-password|list` on a migrated SQLite file."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from loket.passwords import verify_password
from loket.totp import code_at, verify
from storage.audit import AuditFilter
from storage.database import Database
from storage.migrate import upgrade

PASSWORD = "een lang wachtwoord 42"


@pytest.fixture
def url(tmp_path: Path) -> str:
    address = f"sqlite:///{tmp_path}/intake.db"
    upgrade(address)
    return address


def run(url: str, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["staff", *args, "--database-url", url], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def account(url: str, username: str) -> object:
    async def read() -> object:
        database = Database(url)
        try:
            async with database.unit_of_work(write=False) as uow:
                return await uow.staff.by_username(username)
        finally:
            await database.dispose()

    return asyncio.run(read())


def test_add_prints_the_second_factor_once_and_stores_hashes(url: str) -> None:
    code, out, err = run(
        url,
        "add",
        "anna",
        "--role",
        "medewerker",
        "--region",
        "parkstad",
        "--region",
        "heuvelland",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert code == 0, err
    secret = re.search(r"secret: ([A-Z2-7]+)", out)
    assert secret and "otpauth://totp/Loket%20Housing:anna?secret=" in out
    user = account(url, "anna")
    assert user.regions == ("heuvelland", "parkstad")  # type: ignore[attr-defined]
    assert user.password_hash.startswith("$argon2id$")  # type: ignore[attr-defined]
    assert verify_password(user.password_hash, PASSWORD)  # type: ignore[attr-defined]
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    assert verify(secret.group(1), code_at(secret.group(1), now), now) is not None
    listed = run(url, "list")[1]
    assert re.search(r"anna\s+medewerker\s+active\s+heuvelland,parkstad", listed)


def test_bad_input_is_refused_with_a_reason(url: str) -> None:
    assert run(url, "add", "x", "--role", "medewerker", "--password-stdin", stdin=PASSWORD)[
        2
    ].endswith("needs at least one --region\n")
    assert (
        "only for medewerker"
        in run(
            url,
            "add",
            "x",
            "--role",
            "coordinator",
            "--region",
            "parkstad",
            "--password-stdin",
            stdin=PASSWORD,
        )[2]
    )
    assert (
        "at least 12"
        in run(url, "add", "x", "--role", "beheerder", "--password-stdin", stdin="kort")[2]
    )
    assert run(url, "add", "x", "--role", "beheerder", "--password-stdin", stdin=PASSWORD)[0] == 0
    code, _, err = run(url, "add", "x", "--role", "beheerder", "--password-stdin", stdin=PASSWORD)
    assert code == 2 and "exists already" in err
    code, _, err = run(url, "disable", "nobody")
    assert code == 2 and "no account 'nobody'" in err


def test_disable_enable_and_reset(url: str) -> None:
    run(url, "add", "bert", "--role", "coordinator", "--password-stdin", stdin=PASSWORD)
    assert run(url, "disable", "bert")[0] == 0
    assert account(url, "bert").disabled  # type: ignore[attr-defined]
    assert run(url, "enable", "bert")[0] == 0
    before = account(url, "bert")
    code, out, _ = run(
        url,
        "reset-password",
        "bert",
        "--new-totp",
        "--password-stdin",
        stdin="een ander wachtwoord 7",
    )
    assert code == 0 and "secret:" in out
    after = account(url, "bert")
    assert after.totp_secret != before.totp_secret  # type: ignore[attr-defined]
    assert verify_password(after.password_hash, "een ander wachtwoord 7")  # type: ignore[attr-defined]

    async def actions() -> list[str]:
        database = Database(url)
        try:
            async with database.unit_of_work(write=False) as uow:
                return [e.action for e in await uow.audit.find(AuditFilter())]
        finally:
            await database.dispose()

    assert asyncio.run(actions()) == [
        "staff_password_reset",
        "staff_enabled",
        "staff_disabled",
        "staff_created",
    ]


def test_an_unmigrated_database_is_named(tmp_path: Path) -> None:
    (tmp_path / "old.db").touch()  # an empty SQLite database: there, never migrated
    code, _, err = run(f"sqlite:///{tmp_path}/old.db", "list")
    assert code == 1 and "intake db upgrade" in err


def test_a_missing_database_is_named_and_not_made(tmp_path: Path) -> None:
    code, _, err = run(f"sqlite:///{tmp_path}/new.db", "list")
    assert code == 1 and f"no database at {tmp_path / 'new.db'}" in err
    assert not (tmp_path / "new.db").exists()
