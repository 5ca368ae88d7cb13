"""`intake export` and `intake db upgrade|check|backup`: the commands that touch the
database.

Registered on `intake` in `bot/cli/__init__.py`. The ORM and
drivers are imported inside the commands, so `intake route` starts as fast as before.
"""

from __future__ import annotations

import asyncio
import os
from datetime import date, datetime, time
from pathlib import Path
from typing import TextIO

import click

from bot.cli.common import (
    EXIT_BAD_INPUT,
    database_ready,
    database_url_option,
    fail,
    on_database,
    resolve_database_url,
)

__all__ = ["db", "export"]

LOKET_TIME_ZONE = "Europe/Amsterdam"
STATUSES = (
    "nieuw",
    "in_behandeling",
    "info_gevraagd",
    "intake_gepland",
    "geaccepteerd",
    "doorverwezen",
    "afgewezen",
    "ingetrokken",
)


@click.command()
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json"]), required=True, help="Output format."
)
@click.option(
    "--since",
    metavar="YYYY-MM-DD",
    default=None,
    help="Only pre-aanmeldingen submitted on or after this date (Dutch time).",
)
@click.option("--region", default=None, help="Only this region id, e.g. parkstad.")
@click.option("--status", type=click.Choice(STATUSES), default=None, help="Only this status.")
@click.option(
    "--output",
    "-o",
    type=click.File("w", encoding="utf-8"),
    default="-",
    help="File to write (default: standard output).",
)
@database_url_option
def export(
    fmt: str,
    since: str | None,
    region: str | None,
    status: str | None,
    output: TextIO,
    database_url: str | None,
) -> None:
    """Export pre-aanmeldingen (no names or contact details; profiles as the public spec)."""
    since_at: datetime | None = None
    if since is not None:
        from zoneinfo import ZoneInfo

        try:
            day = date.fromisoformat(since)
            since_at = datetime.combine(day, time(), ZoneInfo(LOKET_TIME_ZONE))
        except ValueError:
            fail("export", f"--since: {since!r} is not a date written YYYY-MM-DD", EXIT_BAD_INPUT)
    if region is not None:
        from flows.regions import region_data

        known = sorted(region_data().region_names)
        if region not in known:
            fail(
                "export",
                f"--region: unknown region {region!r}; known: {', '.join(known)}",
                EXIT_BAD_INPUT,
            )

    from storage.database import Database
    from storage.export import export_pre_aanmeldingen, write_csv, write_json
    from storage.lifecycle import Status
    from storage.pre_aanmeldingen import PreAanmeldingFilter

    url = database_ready("export", database_url)
    where = PreAanmeldingFilter(
        since=since_at, region=region, status=None if status is None else Status(status)
    )

    async def run() -> list[dict[str, object]]:
        database = Database(url)
        try:
            async with database.unit_of_work(write=False) as uow:
                return await export_pre_aanmeldingen(uow.pre_aanmeldingen, where)
        finally:
            await database.dispose()

    records = on_database("export", run())
    (write_csv if fmt == "csv" else write_json)(records, output)


@click.group()
def db() -> None:
    """The database: check it, migrate it, back it up."""


@db.command()
@database_url_option
def upgrade(database_url: str | None) -> None:
    """Migrate an existing database to the newest schema (`intake init` makes a new
    one, with its encryption key)."""
    from storage.engine import safe_url
    from storage.migrate import head_revision

    url = database_ready("db upgrade", database_url, migrate=True)
    click.echo(f"{safe_url(url)}: schema at version {head_revision()}")


@db.command()
@database_url_option
def check(database_url: str | None) -> None:
    """Check that the database answers, its schema is up to date and the encryption key
    is its key."""
    from storage.engine import safe_url
    from storage.migrate import head_revision

    url = database_ready("db check", database_url)
    click.echo(f"{safe_url(url)}: reachable, schema at version {head_revision()}, key fits")


@db.command()
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@database_url_option
def backup(target: Path, database_url: str | None) -> None:
    """Copy the SQLite database to TARGET, a new file, while the service runs; the
    copy is checked. (PostgreSQL: pg_dump.) The key is not in it: keep a copy of the
    key elsewhere. See docs/operations.md, backups."""
    from bot.local_data import MissingLocalData, require_database, sqlite_file
    from bot.settings import get_settings
    from storage.engine import DatabaseUnavailable, check_database, safe_url
    from storage.sqlite_backup import BackupFailed, backup_sqlite

    # Not `database_ready`: an old schema (before `intake db upgrade`) and a database
    # without its key can be backed up too. A damaged one cannot.
    url = resolve_database_url(database_url)
    target = Path(os.path.abspath(target))  # absolute, without `..`: for the messages
    try:
        require_database(get_settings(), url)
        asyncio.run(check_database(url))
    except (MissingLocalData, DatabaseUnavailable) as error:
        fail("db backup", str(error))
    file = sqlite_file(url)
    if file is None:
        fail(
            "db backup",
            f"the database at {safe_url(url)} is on a server: back it up with pg_dump "
            "(docs/operations.md, backups)",
        )
    if target.exists():
        fail("db backup", f"{target} is there already: name a new file", EXIT_BAD_INPUT)
    try:
        size = backup_sqlite(file, target)
    except BackupFailed as error:
        fail("db backup", str(error))
    click.echo(
        f"{target}: a checked copy of {file} ({size} bytes). It does not hold "
        "the encryption key: keep a copy of the key elsewhere"
    )
