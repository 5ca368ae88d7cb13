"""The dashboard's languages and templates: Dutch (the source) and English.

The dashboard's texts are the gettext domain `loket`
(`locales/<lang>/LC_MESSAGES/loket.po`), with the shared catalog behind it (product
names, reasons). Its templates (`webkit.templates`: autoescaped, `_()` and
`ngettext()` from those catalogs, one environment per language) also get the
dashboard's filters for dates, times and numbers, and its labels. No template marks
user data `|safe`.
"""

from __future__ import annotations

import gettext
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from jinja2 import Environment

from locales import DOMAIN
from loket import labels
from storage.reports import LOKET_TIME_ZONE
from webkit.templates import Templates, translations

__all__ = [
    "DASHBOARD_DOMAIN",
    "DASHBOARD_LOCALES",
    "LANGUAGE_COOKIE",
    "TEMPLATES",
    "dashboard_translations",
    "pick_locale",
]

DASHBOARD_LOCALES: tuple[str, ...] = ("nl", "en")
DASHBOARD_DOMAIN = "loket"
LANGUAGE_COOKIE = "loket_lang"
_DOMAINS = (DASHBOARD_DOMAIN, DOMAIN)


def pick_locale(cookie: str | None, default: str) -> str:
    return cookie if cookie in DASHBOARD_LOCALES else default


def dashboard_translations(locale: str) -> gettext.NullTranslations:
    """The dashboard catalog of a locale, with the shared one behind it. Both come
    from the one loader, which never falls back in silence."""
    return translations(locale, _DOMAINS)


def _dashboard_filters(env: Environment, locale: str) -> None:
    def local_datetime(value: Any, fmt: str = "short") -> str:
        if value is None:
            return ""
        return str(format_datetime(value, fmt, tzinfo=LOKET_TIME_ZONE, locale=locale))

    def local_date(value: Any, fmt: str = "medium") -> str:
        return "" if value is None else str(format_date(value, fmt, locale=locale))

    def number(value: Any) -> str:
        return "" if value is None else str(format_decimal(value, locale=locale))

    def language_name(code: str, in_locale: str) -> str:
        """A language's name in the staff language ("Pools" for pl), else its code."""
        try:
            return str(Locale.parse(code).get_display_name(in_locale) or code)
        except (ValueError, UnknownLocaleError):
            return code

    env.globals["language_name"] = language_name
    env.filters["datetime"] = local_datetime
    env.filters["date"] = local_date
    env.filters["number"] = number
    env.globals["locale"] = locale
    env.globals["labels"] = labels


TEMPLATES = Templates(
    Path(__file__).resolve().parent / "templates", _DOMAINS, setup=_dashboard_filters
)
