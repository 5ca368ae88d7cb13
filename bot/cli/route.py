"""`intake route`: the advice for a screening profile (shared/spec), as text or JSON.
It starts fast: the few settings it needs are read without pydantic
(`bot.settings_peek`), the service data only for the text output, and no other command
module is imported (`bot.cli`'s lazy group)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import BinaryIO

import click

from bot.cli.common import EXIT_BAD_INPUT, fail
from bot.settings_peek import peek

__all__ = ["route"]


@click.command()
@click.option(
    "--facts",
    "facts_file",
    required=True,
    type=click.File("rb"),
    help="Screening profile (JSON, see shared/spec/screening-profile.md); - for stdin.",
)
@click.option(
    "--on",
    "on",
    default=None,
    metavar="YYYY-MM-DD",
    help="Screening date; decides which products a region offers (default: today).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (the spec's format).")
@click.option("--lang", default=None, help="Language of the reasons (default: DEFAULT_LOCALE).")
def route(facts_file: BinaryIO, on: str | None, as_json: bool, lang: str | None) -> None:
    """Recommend a Loket Housing product for a screening profile, with reasons."""
    from bot.route_output import human_output, json_output, load_profile

    screening_date = date.today()
    if on is not None:
        try:
            screening_date = date.fromisoformat(on)
        except ValueError:
            fail("route", f"--on: {on!r} is not a date written YYYY-MM-DD", EXIT_BAD_INPUT)
    try:
        profile = load_profile(facts_file.read())
    except ValueError as error:
        fail("route", str(error), EXIT_BAD_INPUT)
    from flows.routing import recommend

    locale = lang or peek("DEFAULT_LOCALE", "nl") or "nl"
    recommendation = recommend(profile, screening_date)
    if as_json:
        click.echo(json_output(recommendation, locale))
        return
    from bot.service_data import ServiceDataError, read_service_directory

    path = peek("SERVICE_DIRECTORY_FILE")
    production = peek("ENVIRONMENT", "development") == "production"
    try:
        directory = read_service_directory(Path(path) if path else None, production=production)
    except ServiceDataError as error:
        fail("route", str(error))
    click.echo(human_output(recommendation, locale, directory, screening_date))
