"""Gettext catalogs and rendering of `flows.texts.Text` in a person's language.

Catalogs live in `locales/<lang>/LC_MESSAGES/messages.po` and are compiled to `.mo`
(see TRANSLATING.md). Dutch is the source language: it needs no catalog.
"""

from __future__ import annotations

import gettext
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flows.texts import Param, Text

__all__ = ["DOMAIN", "LOCALE_DIR", "SOURCE_LOCALE", "render", "translator"]

LOCALE_DIR = Path(__file__).resolve().parent
SOURCE_LOCALE = "nl"
DOMAIN = "messages"


@cache
def translator(locale: str) -> gettext.NullTranslations:
    """The catalog of a locale; the source text itself for Dutch or a missing catalog."""
    if locale == SOURCE_LOCALE:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[locale], fallback=True)


def _format(value: Param, locale: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        from babel.numbers import format_decimal

        return str(format_decimal(value, locale=locale))
    if isinstance(value, date):
        from babel.dates import format_date

        return str(format_date(value, format="long", locale=locale))
    return render(value, locale)


def render(text: Text, locale: str = SOURCE_LOCALE) -> str:
    """The text in a locale, with its parameters formatted for that locale."""
    catalog = translator(locale)
    if text.plural is not None and text.count is not None:
        count = text.params[text.count]
        n = count if isinstance(count, int) else 1
        template = catalog.ngettext(text.msgid, text.plural, n)
    else:
        template = catalog.gettext(text.msgid)
    if not text.params:
        return template
    values = {name: _format(value, locale) for name, value in text.params.items()}
    return template.format(**values)
