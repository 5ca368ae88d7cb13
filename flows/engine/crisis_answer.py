"""What the bot says on signs of danger: the lines for the categories found.

Each category has its own lines with the right number and when to call it; every
answer says the loket is not an emergency service, gives 112 and that 112 can arrange
an interpreter, and promises no follow-up. For the languages without a catalog yet
(Farsi/Dari, Tigrinya, Somali: `flows/data/crisis_fallback.yaml`) a short text in
that language with the numbers follows. Used by the engine (`crisis_help`) and by the
conversation service before a flow is chosen, so both say the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import cache

from flows.data_files import load_yaml
from flows.engine import wording as w
from flows.engine.crisis_text import tokens
from flows.referrals import SERVICE, referral_texts
from flows.service_directory import ServiceDirectory
from flows.service_texts import service_line, services_for
from flows.texts import Text

__all__ = [
    "FALLBACK_LANGUAGES",
    "cold_weather_lines",
    "crisis_texts",
    "fallback_language",
    "fallback_texts",
]

# A text shown as it is (a fallback text already in the person's language); not a
# message id, so not in any catalog.
_VERBATIM = "{text}"

_LINES: dict[str, tuple[str, ...]] = {
    "danger": (w.CRISIS_112,),
    "suicide": (w.CRISIS_113,),
    "self_harm": (w.CRISIS_SELF_HARM, w.CRISIS_INJURED),
    "violence": (w.CRISIS_VEILIG_THUIS, w.CRISIS_SEXUAL),
    "exploitation": (w.CRISIS_EXPLOITATION,),
}
# The typed crisis word, or a sign of no known category: all the numbers.
_ALL = (w.CRISIS_112, w.CRISIS_113, w.CRISIS_VEILIG_THUIS)


def cold_weather_lines(
    directory: ServiceDirectory, region: str | None, on: date
) -> tuple[Text, ...]:
    """Where to go tonight in the cold: the region's cold-weather shelter in its season
    and its night shelter, from the operator's data (every region when the place is
    not known yet). Never a place that is not in that data."""
    shelter = referral_texts()["shelter"]  # the same words as the shelter referral
    labels = dict(shelter.services)
    lines = [
        Text(SERVICE, {"label": Text(labels[role]), "service": service_line(service)})
        for role in ("cold_weather", "night_shelter")
        for service in services_for(directory, role, region, on)
    ]
    return tuple(lines) or ((Text(shelter.none),) if shelter.none else ())


def crisis_texts(
    categories: Iterable[str], languages: Iterable[str] = (), cold: tuple[Text, ...] = ()
) -> tuple[Text, ...]:
    """The crisis answer for the categories found (none: the typed crisis word).
    `cold`: the places for a night in the cold (`cold_weather_lines`)."""
    found = tuple(categories)
    msgids: list[str] = [w.CRISIS_INTRO, w.CRISIS_NOT_EMERGENCY]
    lines: list[Text] = []
    for category in found:
        msgids.extend(_LINES.get(category, ()))
    if not found or not any(c in _LINES or c == "cold" for c in found):
        msgids.extend(_ALL)
    lines.extend(Text(m) for m in dict.fromkeys(msgids))
    if "cold" in found:
        lines.extend((Text(w.CRISIS_COLD), *cold, Text(w.CRISIS_COLD_112)))
    if w.CRISIS_112 not in msgids:
        lines.append(Text(w.CRISIS_112))
    lines.append(Text(w.CRISIS_INTERPRETER))
    for language in dict.fromkeys(languages):
        lines.extend(fallback_texts(language))
    return tuple(lines)


@cache
def _fallback() -> dict[str, tuple[str, frozenset[str]]]:
    """Language -> (its short crisis text, its common words folded)."""
    data = load_yaml("crisis_fallback.yaml")
    return {
        code: (str(entry["text"]), frozenset(t for word in entry["words"] for t in tokens(word)))
        for code, entry in data.items()
    }


FALLBACK_LANGUAGES = ("fa", "ti", "so")


def fallback_texts(language: str) -> tuple[Text, ...]:
    """The short crisis text of a language without a catalog, or nothing."""
    entry = _fallback().get(language)
    return () if entry is None else (Text(_VERBATIM, {"text": entry[0]}),)


def fallback_language(text: str) -> str | None:
    """Which language without a catalog a typed message seems to be in, if any:
    Tigrinya by its script, Farsi/Dari by its own letters or common words, Somali by
    two common words. A guess for showing the numbers; never a reason to hold back."""
    if any("\u1200" <= c <= "\u137f" for c in text):
        return "ti"
    if any(c in "پچژگ" for c in text):
        return "fa"
    words = set(tokens(text))
    if words & _fallback()["fa"][1]:
        return "fa"
    if len(words & _fallback()["so"][1]) >= 2:
        return "so"
    return None
