"""Gettext catalogs and rendering of `flows.texts.Text` in a person's language.

Catalogs live in `locales/<lang>/LC_MESSAGES/<domain>.po` (see TRANSLATING.md); this
is the one loader, for the bot (`messages`) and the dashboard (`loket`): it reads the
`.po` file itself (compiled in memory once per process), so a fresh checkout needs no
compile step, and a missing or broken catalog raises `CatalogError` naming the file:
it never falls back to Dutch in silence. Dutch is the source language: no catalog.
"""

from __future__ import annotations

import gettext
import io
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flows.texts import Param, Text

__all__ = [
    "DOMAIN",
    "LOCALE_DIR",
    "SOURCE_LOCALE",
    "CatalogError",
    "check_catalogs",
    "render",
    "translator",
]

LOCALE_DIR = Path(__file__).resolve().parent
SOURCE_LOCALE = "nl"
DOMAIN = "messages"


class CatalogError(RuntimeError):
    """A catalog that a shipped language needs is missing or cannot be read."""


@cache
def translator(locale: str, domain: str = DOMAIN) -> gettext.NullTranslations:
    """The catalog of a locale and domain (the source text itself for Dutch)."""
    if locale == SOURCE_LOCALE:
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import PoFileError, read_po

    path = LOCALE_DIR / locale / "LC_MESSAGES" / f"{domain}.po"
    try:
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=locale, abort_invalid=True)
    except FileNotFoundError:
        raise CatalogError(
            f"{path}: missing; the language {locale!r} is shipped but has no {domain} "
            "catalog (TRANSLATING.md, 'Adding a language')"
        ) from None
    except (PoFileError, ValueError) as error:
        raise CatalogError(f"{path}: cannot be read ({error})") from None
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def check_catalogs(domains: dict[str, tuple[str, ...]]) -> None:
    """Load every catalog the service will use (domain -> locales); `CatalogError`
    names the first that is missing or broken. `intake serve` calls it at start."""
    for domain, locales in domains.items():
        for locale in locales:
            translator(locale, domain)


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
