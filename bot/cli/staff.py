"""`intake staff add|disable|enable|reset-password|list`: staff accounts of the loket
dashboard.

Registered on `intake` in `bot/cli/__init__.py`. The ORM, argon2
and pyotp are imported inside the commands, so `intake route` starts as fast as before.

Passwords are asked for twice without echo (or read from standard input with
`--password-stdin`, for scripts); they are stored as argon2id hashes. Every account
gets a TOTP secret at creation: its otpauth URI and the secret are printed once, to
enter in an authenticator app; they are not shown again (`reset-password --new-totp`
makes a new one). Every change is written to the audit log.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, NoReturn, TypeVar

import click

from bot.cli.common import (
    EXIT_BAD_INPUT,
    database_ready,
    database_url_option,
    fail,
    on_database,
)

if TYPE_CHECKING:
    from storage.unit_of_work import UnitOfWork

__all__ = ["FIRST_ACCOUNT", "staff"]

ROLES = ("medewerker", "coordinator", "beheerder")
REGIONS = ("parkstad", "westelijke_mijnstreek", "maastricht", "heuvelland")
T = TypeVar("T")
# How to make the first dashboard account; `intake init` and `intake serve` say it too.
FIRST_ACCOUNT = "intake staff add NAME --role beheerder"

_password_stdin_option = click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input (one line)."
)


def _fail(command: str, message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    fail(f"staff {command}", message, code)


def _ready(command: str, database_url: str | None) -> str:
    """The URL of a database that is there, reachable and migrated, with its key; or
    stop with a clear message (before asking for a password)."""
    return database_ready(f"staff {command}", database_url)


def _run(command: str, url: str, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
    """Run `work` in one unit of work on the database at `url` (`_ready`)."""
    from storage.database import Database

    async def run() -> T:
        database = Database(url)
        try:
            async with database.unit_of_work() as uow:
                return await work(uow)
        finally:
            await database.dispose()

    return on_database(f"staff {command}", run())


def _new_password(command: str, username: str, from_stdin: bool) -> str:
    from loket.passwords import PasswordTooWeak, check_new_password

    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(
            f"Password for {username}", hide_input=True, confirmation_prompt=True
        )
    try:
        check_new_password(password, username)
    except PasswordTooWeak as error:
        _fail(command, str(error))
    return password


def _print_totp(username: str, secret: str) -> None:
    from loket.totp import provisioning_uri

    click.echo("Second factor (shown once; enter it in an authenticator app now):")
    click.echo(f"  secret: {secret}")
    click.echo(f"  uri:    {provisioning_uri(secret, username)}")


@click.group()
def staff() -> None:
    """Staff accounts of the loket dashboard."""


@staff.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the account may do.")
@click.option(
    "--region",
    "regions",
    type=click.Choice(REGIONS),
    multiple=True,
    help="A region a medewerker works in (repeat for more; only for medewerker).",
)
@_password_stdin_option
@database_url_option
def add(
    username: str,
    role: str,
    regions: tuple[str, ...],
    password_stdin: bool,
    database_url: str | None,
) -> None:
    """Create an account; prints its TOTP secret once."""
    username = username.strip()
    if not username or len(username) > 100 or any(c.isspace() for c in username):
        _fail("add", "a username is 1 to 100 characters without spaces")
    if role == "medewerker" and not regions:
        _fail("add", "a medewerker needs at least one --region")
    if role != "medewerker" and regions:
        _fail("add", f"a {role} sees all regions or none; give --region only for medewerker")
    url = _ready("add", database_url)
    password = _new_password("add", username, password_stdin)
    from loket.passwords import hash_password
    from loket.totp import new_secret

    secret = new_secret()
    password_hash = hash_password(password)

    async def work(uow: UnitOfWork) -> bool:
        if await uow.staff.by_username(username) is not None:
            return False
        user = await uow.staff.create(
            username,
            password_hash=password_hash,
            role=role,
            regions=sorted(set(regions)),
            totp_secret=secret,
        )
        await uow.audit.record(
            "staff_created", "staff_user", user.id, actor="system", details={"role": role}
        )
        return True

    if not _run("add", url, work):
        _fail("add", f"an account {username!r} exists already")
    where = f" for {', '.join(sorted(set(regions)))}" if regions else ""
    click.echo(f"Created {role} {username}{where}.")
    _print_totp(username, secret)


def _set_disabled(command: str, username: str, disabled: bool, database_url: str | None) -> None:
    async def work(uow: UnitOfWork) -> bool:
        user = await uow.staff.by_username(username)
        if user is None:
            return False
        await uow.staff.update(user.id, disabled=disabled)
        action = "staff_disabled" if disabled else "staff_enabled"
        await uow.audit.record(action, "staff_user", user.id, actor="system")
        return True

    if not _run(command, _ready(command, database_url), work):
        _fail(command, f"no account {username!r}")
    click.echo(f"{'Disabled' if disabled else 'Enabled'} {username}.")


@staff.command("disable")
@click.argument("username")
@database_url_option
def disable(username: str, database_url: str | None) -> None:
    """Disable an account: it cannot log in, and its sessions end at the next request."""
    _set_disabled("disable", username, True, database_url)


@staff.command("enable")
@click.argument("username")
@database_url_option
def enable(username: str, database_url: str | None) -> None:
    """Enable a disabled account again."""
    _set_disabled("enable", username, False, database_url)


@staff.command("reset-password")
@click.argument("username")
@click.option("--new-totp", is_flag=True, help="Also make a new TOTP secret (lost phone).")
@_password_stdin_option
@database_url_option
def reset_password(
    username: str, new_totp: bool, password_stdin: bool, database_url: str | None
) -> None:
    """Set a new password (and with --new-totp a new second factor); ends its sessions."""
    url = _ready("reset-password", database_url)
    password = _new_password("reset-password", username, password_stdin)
    from loket.passwords import hash_password
    from loket.totp import new_secret

    password_hash = hash_password(password)
    secret = new_secret() if new_totp else None

    async def work(uow: UnitOfWork) -> bool:
        user = await uow.staff.by_username(username)
        if user is None:
            return False
        await uow.staff.update(user.id, password_hash=password_hash, totp_secret=secret)
        await uow.audit.record(
            "staff_password_reset",
            "staff_user",
            user.id,
            actor="system",
            details={"new_totp": new_totp},
        )
        return True

    if not _run("reset-password", url, work):
        _fail("reset-password", f"no account {username!r}")
    click.echo(f"New password set for {username}.")
    if secret is not None:
        _print_totp(username, secret)


@staff.command("list")
@database_url_option
def list_accounts(database_url: str | None) -> None:
    """List the accounts: username, role, regions, active or disabled."""

    async def work(uow: UnitOfWork) -> list[tuple[str, str, str, str]]:
        return [
            (
                user.username,
                user.role,
                ",".join(user.regions) or "-",
                "disabled" if user.disabled else "active",
            )
            for user in await uow.staff.all()
        ]

    rows = _run("list", _ready("list", database_url), work)
    if not rows:
        click.echo(f"No accounts yet: {FIRST_ACCOUNT}")
        return
    width = max(len(row[0]) for row in rows)
    for name, role, regions, state in rows:
        click.echo(f"{name:<{width}}  {role:<11}  {state:<8}  {regions}")
