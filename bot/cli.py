"""The `intake` command. Heavy imports (web framework, ORM) stay inside the commands
that need them, so `intake route` starts fast."""

from __future__ import annotations

import sys
from datetime import date
from typing import TYPE_CHECKING, BinaryIO, NoReturn

import click

if TYPE_CHECKING:
    from bot.settings import Settings

__all__ = ["main"]

EXIT_BAD_INPUT = 2


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Loket Housing intake bot: screening, advice and pre-registration."""


@main.command()
@click.option("--host", default=None, help="Address to listen on (default: HOST setting).")
@click.option("--port", type=int, default=None, help="Port (default: PORT setting).")
def serve(host: str | None, port: int | None) -> None:
    """Start the service: web chat, dashboard, Telegram and /healthz on one ASGI app."""
    import uvicorn

    from bot.app import create_app
    from bot.logging_setup import configure_logging
    from bot.settings import get_settings

    settings = get_settings()
    log_config = configure_logging(settings.log_format, settings.log_level)
    _check_service_data(settings)
    settings.ensure_secret_key()
    _prepare_database(settings)
    uvicorn.run(
        create_app(settings, purge_daily=True),
        host=host or settings.host,
        port=port or settings.port,
        log_config=log_config,
        log_level=settings.log_level.lower(),
        access_log=False,  # access lines can carry personal data in paths; see docs
    )


def _check_service_data(settings: Settings) -> None:
    """The operator's service data is readable, and real in production; or exit 1
    naming the file, the line and what is missing."""
    from bot.service_data import ServiceDataError, load_service_directory

    try:
        load_service_directory(settings)
    except ServiceDataError as error:
        for line in str(error).splitlines():
            click.echo(f"intake serve: {line}", err=True)
        sys.exit(1)


def _prepare_database(settings: Settings) -> None:
    """The encryption key, then the database reached and migrated to the newest schema,
    and the key checked against it; or stop with a clear message (exit 1)."""
    import asyncio
    import logging

    from bot.encryption_keys import EncryptionSetupError, open_database
    from storage.engine import DatabaseUnavailable

    log = logging.getLogger("bot.serve")
    try:
        asyncio.run(
            open_database(settings, settings.database_url, notify=log.warning, migrate=True)
        )
    except (DatabaseUnavailable, EncryptionSetupError) as error:
        click.echo(f"intake serve: {error}", err=True)
        sys.exit(1)


def _fail(message: str) -> NoReturn:
    for line in message.splitlines():
        click.echo(f"intake route: {line}", err=True)
    sys.exit(EXIT_BAD_INPUT)


@main.command()
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
            _fail(f"--on: {on!r} is not a date written YYYY-MM-DD")
    try:
        profile = load_profile(facts_file.read())
    except ValueError as error:
        _fail(str(error))
    from flows.routing import recommend

    locale = lang or _default_locale()
    recommendation = recommend(profile, screening_date)
    if as_json:
        click.echo(json_output(recommendation, locale))
        return
    from bot.service_data import ServiceDataError, load_service_directory
    from bot.settings import get_settings

    try:
        directory = load_service_directory(get_settings())
    except ServiceDataError as error:
        click.echo(f"intake route: {error}", err=True)
        sys.exit(1)
    click.echo(human_output(recommendation, locale, directory, screening_date))


def _default_locale() -> str:
    from bot.settings import get_settings

    return get_settings().default_locale


import bot.cli_storage  # noqa: E402, F401 - registers `intake export` and `intake db`
from bot.cli_flows import chat, flows  # noqa: E402 - `intake flows check|diagram`, `intake chat`

main.add_command(flows)
main.add_command(chat)
from bot.cli_crisis import crisis  # noqa: E402 - `intake crisis [--json] TEXT...`

main.add_command(crisis)
# Register `intake purge`, `intake keys` and `intake staff`.
from bot import cli_privacy, cli_staff  # noqa: E402, F401
