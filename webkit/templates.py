"""Jinja2 templates in a reader's language: one environment per app and language,
made once.

Autoescaping is on for every template (nothing a person typed is ever marked safe);
`_()` and `ngettext()` come from Jinja2's i18n extension (new-style gettext: results
are escaped and take `%(name)s` parameters), bound to the catalogs of the app's
gettext domains through `locales.translator`: the first domain, with the others behind
it for what it does not hold.
"""

from __future__ import annotations

import copy
import gettext
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader

from locales import DOMAIN, translator

__all__ = ["Templates", "translations"]


@cache
def translations(locale: str, domains: tuple[str, ...] = (DOMAIN,)) -> gettext.NullTranslations:
    """The catalogs of `domains` in a locale, the first in front (a copy: the loader's
    own catalogs stay as they are)."""
    first = translator(locale, domains[0])
    if len(domains) == 1:
        return first
    chained = copy.copy(first)
    for domain in domains[1:]:
        chained.add_fallback(translator(locale, domain))
    return chained


class Templates:
    """The templates in `folder`, rendered in a locale. `setup(env, locale)` adds an
    app's own filters and globals to the environment of each language."""

    def __init__(
        self,
        folder: Path,
        domains: tuple[str, ...] = (DOMAIN,),
        *,
        setup: Callable[[Environment, str], None] | None = None,
    ) -> None:
        self.folder = folder
        self.domains = domains
        self._setup = setup
        self._environments: dict[str, Environment] = {}

    def environment(self, locale: str) -> Environment:
        env = self._environments.get(locale)
        if env is None:
            env = Environment(
                loader=FileSystemLoader(self.folder),
                autoescape=True,
                extensions=["jinja2.ext.i18n"],
                trim_blocks=True,
                lstrip_blocks=True,
            )
            env.install_gettext_translations(  # type: ignore[attr-defined]
                translations(locale, self.domains), newstyle=True
            )
            if self._setup is not None:
                self._setup(env, locale)
            self._environments[locale] = env
        return env

    def render(self, name: str, locale: str, /, **context: Any) -> str:
        return self.environment(locale).get_template(name).render(**context)
