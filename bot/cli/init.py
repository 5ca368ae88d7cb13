"""`intake init`: make a new local install's data directory (INTAKE_HOME) with its
keys and database, or bring an existing one up to date. One of the two commands that
may make data (the other is `intake serve`); it never replaces a key. See
docs/operations.md.
"""

from __future__ import annotations

import click

from bot.cli.common import data_prepared, database_url_option, resolve_database_url
from bot.cli.staff import FIRST_ACCOUNT

__all__ = ["init"]


@click.command()
@database_url_option
def init(database_url: str | None) -> None:
    """Make the data directory, its keys and the database where they are missing, and
    migrate the database; says what it made and where. Replaces nothing."""
    from bot.local_data import describe
    from bot.settings import get_settings
    from storage.migrate import head_revision

    settings = get_settings()
    url = resolve_database_url(database_url)
    made = data_prepared("init", settings, url)
    for sentence in made:
        click.echo(f"intake init: {sentence}")
    if not made:
        click.echo("intake init: everything was there already; nothing was made or replaced")
    click.echo(f"data directory: {settings.intake_home}")
    click.echo(f"database:       {describe(url)} (schema version {head_revision()})")
    key = "ENCRYPTION_KEY" if settings.encryption_key else settings.encryption_key_file
    click.echo(f"encryption key: {key}")
    click.echo(f"next:           intake serve; a first dashboard account: {FIRST_ACCOUNT}")
