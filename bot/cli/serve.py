"""`intake serve`: the whole service on one ASGI app (web chat, dashboard, Telegram,
WhatsApp, /healthz, /readyz), after checking the flows, the operator's data, the catalogs, the
key and the database (each problem stops the start with one line that says what to
do, never a traceback), and making the data directory, its keys and the database when
missing (as `intake init` does). Then one line for the person who started it: where
the chat and the dashboard are, and how to make the first dashboard account."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot.cli.common import data_prepared, fail
from bot.cli.staff import FIRST_ACCOUNT

if TYPE_CHECKING:
    from bot.settings import Settings

__all__ = ["serve"]


@click.command()
@click.option("--host", default=None, help="Address to listen on (default: HOST setting).")
@click.option("--port", type=int, default=None, help="Port (default: PORT setting).")
def serve(host: str | None, port: int | None) -> None:
    """Start the service: web chat, dashboard, Telegram, /healthz and /readyz on one
    ASGI app. Makes the data directory, its keys and the database when missing (as
    `intake init` does)."""
    import logging

    import uvicorn

    from bot.app import create_app
    from bot.logging_setup import configure_logging
    from bot.settings import get_settings

    settings = get_settings()
    log_config = configure_logging(settings.log_format, settings.log_level)
    _check_flows()
    _check_service_data(settings)
    _check_mail_settings(settings)
    _check_whatsapp_settings(settings)
    _check_catalogs()
    for sentence in data_prepared("serve", settings, settings.database_url):
        logging.getLogger("bot.serve").warning(sentence)
    host, port = host or settings.host, port or settings.port
    app = create_app(settings, purge_daily=True)
    click.echo(_greeting(settings, host, port))
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_config=log_config,
        log_level=settings.log_level.lower(),
        access_log=False,  # access lines can carry personal data in paths; see docs
    )


def _check_catalogs() -> None:
    """Every shipped language's catalogs can be read, or exit 1 naming the file: a
    missing catalog must never turn a person's language into Dutch in silence."""
    from locales import SOURCE_LOCALE, CatalogError, check_catalogs
    from locales.languages import LANGUAGES
    from loket.i18n import DASHBOARD_DOMAIN, DASHBOARD_LOCALES

    try:
        check_catalogs(
            {
                "messages": tuple(lang.code for lang in LANGUAGES if lang.code != SOURCE_LOCALE),
                DASHBOARD_DOMAIN: tuple(c for c in DASHBOARD_LOCALES if c != SOURCE_LOCALE),
            }
        )
    except CatalogError as error:
        fail("serve", str(error))


def _check_service_data(settings: Settings) -> None:
    """The operator's service data is readable, and real in production; or exit 1
    naming the file, the line and what is missing."""
    from bot.service_data import ServiceDataError, load_service_directory

    try:
        load_service_directory(settings)
    except ServiceDataError as error:
        fail("serve", str(error))


def _check_mail_settings(settings: Settings) -> None:
    """The e-mail settings are usable, and chosen on purpose in production; or exit 1
    naming the setting (docs/operations.md, "E-mail")."""
    from bot.email.config import MailSettingsError, mail_sender

    try:
        mail_sender(settings)
    except MailSettingsError as error:
        fail("serve", str(error))


def _check_whatsapp_settings(settings: Settings) -> None:
    """WhatsApp is configured wholly or not at all; or exit 1 naming what is missing
    (docs/whatsapp.md)."""
    from bot.whatsapp.config import WhatsAppSettingsError, whatsapp_config

    try:
        whatsapp_config(settings)
    except WhatsAppSettingsError as error:
        fail("serve", str(error))


def _check_flows() -> None:
    """The flow files load, or exit 1 naming the first problem's file and line (as
    `intake flows check` does, which lists them all)."""
    from flows.engine.library import FlowNotFound, flow_library
    from flows.engine.loader import FlowError

    check = "run `intake flows check` to see every problem"
    try:
        flow_library().entry  # noqa: B018 - loads the entry flow too
    except FlowError as error:
        more = len(error.problems) - 1
        also = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        fail("serve", f"{error.problems[0]}{also}; {check}")
    except FlowNotFound as error:
        fail("serve", f"{error}; {check}")


def _greeting(settings: Settings, host: str, port: int) -> str:
    """One line for the person who started the service; no secrets."""
    from bot.local_data import describe

    shown = "localhost" if host in ("0.0.0.0", "::", "") else host  # noqa: S104
    base = f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"
    program = sys.argv[0] if Path(sys.argv[0]).name == "intake" else "intake"
    account = FIRST_ACCOUNT.replace("intake", program, 1)
    return (
        f"Loket Housing intake: web chat at {base}/chat, staff dashboard at {base}/loket, "
        f"data in {describe(settings.database_url)}; "
        f"a first dashboard account: {account}"
    )
