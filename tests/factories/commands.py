"""The `intake` commands by what they need: those that open the database and its keys
(and must stop with one line when these cannot be used), and how a test runs them."""

from __future__ import annotations

from collections.abc import Callable

from click.testing import Result

# `intake ARGS...` in this process (the `intake` fixture, tests/bot/conftest.py); keyword
# arguments set (or, with None, remove) environment variables.
Intake = Callable[..., Result]

# Every command that reads or writes the database or its keys.
USES_DATA = [
    ["export", "--format", "csv"],
    ["db", "check"],
    ["db", "upgrade"],
    ["db", "backup", "copy.db"],
    ["purge", "--dry-run"],
    ["purge"],
    ["keys", "check"],
    ["keys", "rotate"],
    ["staff", "list"],
    ["staff", "add", "anna", "--role", "beheerder", "--password-stdin"],
    ["staff", "disable", "anna"],
    ["staff", "enable", "anna"],
    ["staff", "reset-password", "anna", "--password-stdin"],
]


def command_name(args: list[str]) -> str:
    """How the command names itself in its messages: `db check`, `export`."""
    return " ".join(args[:2] if args[0] in ("db", "keys", "staff") else args[:1])
