"""The shipped languages: one line each. Adding a language is one catalog plus one line
here (see TRANSLATING.md). Names are written in the language's own script."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CHOICES", "LANGUAGES", "Language", "language", "match_locale"]


@dataclass(frozen=True)
class Language:
    code: str  # gettext and Babel locale code
    name: str  # the language's own name, in its own script
    rtl: bool = False


LANGUAGES: tuple[Language, ...] = (
    Language("nl", "Nederlands"),
    Language("en", "English"),
    Language("pl", "Polski"),
    Language("ro", "Română"),
    Language("uk", "Українська"),
    Language("ar", "العربية", rtl=True),
    Language("tr", "Türkçe"),
    Language("bg", "Български"),
    Language("ru", "Русский"),
    Language("de", "Deutsch"),
)


# (code, own name) of each language: the language chooser's buttons (`Env.languages`);
# each name in its own script, not translated.
CHOICES: tuple[tuple[str, str], ...] = tuple((lang.code, lang.name) for lang in LANGUAGES)


def language(code: str) -> Language | None:
    return next((lang for lang in LANGUAGES if lang.code == code), None)


def match_locale(hint: str | None, default: str = "nl") -> str:
    """A shipped locale for a hint such as Telegram's `language_code` ("pl", "en-GB")."""
    if hint:
        base = hint.replace("_", "-").split("-")[0].lower()
        if language(base) is not None:
            return base
    return default
