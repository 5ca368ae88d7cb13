"""The dashboard's languages and Jinja2 environments: Dutch (the source) and English.

Templates use `_()` and `ngettext()` of Jinja2's i18n extension (new-style gettext:
results are escaped and take `%(name)s` parameters). The dashboard's texts are the
gettext domain `loket` (`locales/<lang>/LC_MESSAGES/loket.po`), with the shared
catalog behind it (product names, reasons); both through `locales.translator`. One
environment per language, made once. Autoescaping is on for every template; no
template marks user data `|safe`.
"""

from __future__ import annotations

import gettext
from functools import cache
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, select_autoescape

from locales import SOURCE_LOCALE, translator
from loket import labels
from storage.reports import LOKET_TIME_ZONE

__all__ = [
    "DASHBOARD_DOMAIN",
    "DASHBOARD_LOCALES",
    "LANGUAGE_COOKIE",
    "dashboard_translations",
    "environment",
    "pick_locale",
]

DASHBOARD_LOCALES: tuple[str, ...] = ("nl", "en")
DASHBOARD_DOMAIN = "loket"
LANGUAGE_COOKIE = "loket_lang"
TEMPLATES = Path(__file__).resolve().parent / "templates"


def pick_locale(cookie: str | None, default: str) -> str:
    return cookie if cookie in DASHBOARD_LOCALES else default


@cache
def dashboard_translations(locale: str) -> gettext.NullTranslations:
    """The dashboard catalog of a locale, with the shared one behind it (product names,
    reasons). Both come from the one loader, which never falls back in silence."""
    if locale == SOURCE_LOCALE:
        return gettext.NullTranslations()
    catalog = translator(locale, DASHBOARD_DOMAIN)
    catalog.add_fallback(translator(locale))
    return catalog


@cache
def environment(locale: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "svg", "xml"], default=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(dashboard_translations(locale), newstyle=True)  # type: ignore[attr-defined]

    def local_datetime(value: Any, fmt: str = "short") -> str:
        if value is None:
            return ""
        return str(format_datetime(value, fmt, tzinfo=LOKET_TIME_ZONE, locale=locale))

    def local_date(value: Any, fmt: str = "medium") -> str:
        return "" if value is None else str(format_date(value, fmt, locale=locale))

    def number(value: Any) -> str:
        return "" if value is None else str(format_decimal(value, locale=locale))

    env.filters["datetime"] = local_datetime
    env.filters["date"] = local_date
    env.filters["number"] = number
    env.globals["locale"] = locale
    env.globals["labels"] = labels
    return env
