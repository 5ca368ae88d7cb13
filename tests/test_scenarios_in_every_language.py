"""Every golden scenario, run in every shipped language, renders every sentence in
that language and reaches the same recommendation as in Dutch."""

from __future__ import annotations

from functools import cache
from string import Formatter
from typing import Any

import pytest
from babel.messages.pofile import read_po

from flows.engine.events import IntakeSubmitted, MessageCreated, QuestionAsked, SummaryShown
from flows.texts import Text
from locales import DOMAIN, LOCALE_DIR, render, translator
from locales.languages import LANGUAGES
from tests.factories.engine import Chat
from tests.scenario_files import Scenario, load_scenarios

SCENARIOS = load_scenarios()
LOCALES = [lang.code for lang in LANGUAGES if lang.code != "nl"]


def texts_of(events: list[Any]) -> list[Text]:
    found: list[Text] = []
    for event in events:
        if isinstance(event, MessageCreated):
            found.extend(event.texts)
        elif isinstance(event, QuestionAsked):
            found.append(event.prompt.text)
            found.extend(option.text for option in event.prompt.options)
        elif isinstance(event, SummaryShown | IntakeSubmitted):
            found.extend(event.recommendation.reasons)
    return found


def run(scenario: Scenario, locale: str) -> Chat:
    chat = Chat(scenario.flow, now=scenario.now, locale=locale)
    for step in scenario.steps:
        chat.step(step)
    return chat


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_scenario_in_every_language(scenario: Scenario, locale: str) -> None:
    dutch = run(scenario, "nl")
    other = run(scenario, locale)
    assert [type(e) for e in other.events] == [type(e) for e in dutch.events]
    submitted = [e for e in other.events if isinstance(e, IntakeSubmitted)]
    expected = [e for e in dutch.events if isinstance(e, IntakeSubmitted)]
    assert [e.recommendation for e in submitted] == [e.recommendation for e in expected]
    catalog = translator(locale)
    for text in texts_of(other.events):
        shown = render(text, locale)  # every placeholder filled, in this language
        assert shown and "{" not in shown, (locale, text.msgid)
        words = "".join(part for part, *_ in Formatter().parse(text.msgid))
        same = catalog.gettext(text.msgid) == text.msgid
        if same and any(c.isalpha() for c in words) and text.msgid not in translated(locale):
            # Untranslated: only names that stay the same in every language may pass.
            assert text.msgid in KEPT_AS_IS, f"{locale}: not translated: {text.msgid!r}"


@cache
def translated(locale: str) -> frozenset[str]:
    """Message ids the catalog translates, also where the translation is the same word
    as the Dutch (German "Ja")."""
    with (LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as handle:
        return frozenset(
            m.id
            for m in read_po(handle)
            if isinstance(m.id, str) and m.id and isinstance(m.string, str) and m.string
        )


# Texts that are the same in every language: names of programmes and languages.
KEPT_AS_IS = {
    "Housing",
    "Housing Plus",
    "Housing First",
    "Housing Justitieel",
    *(lang.name for lang in LANGUAGES),
}
