"""The crisis layer reads every language people in Zuid-Limburg write: a list per
language and category (tests/flows/engine/crisis_cases/), every phrase of the issue
among them, and ordinary answers that must not raise an alarm."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from flows.data_files import load_yaml
from flows.engine.crisis import CATEGORIES, detect_crisis

CASES = Path(__file__).parent / "crisis_cases"
ORDINARY = yaml.safe_load((CASES / "ordinary.yaml").read_text(encoding="utf-8"))
LANGUAGES = load_yaml("crisis_phrases.yaml")["languages"]


def _cases() -> list[tuple[str, str, str]]:
    out = []
    for language in LANGUAGES:
        data = yaml.safe_load((CASES / f"{language}.yaml").read_text(encoding="utf-8"))
        out += [(language, category, text) for category in data for text in data[category]]
    return out


CRISIS = _cases()


@pytest.mark.parametrize(("language", "category", "text"), CRISIS)
def test_a_crisis_text_is_read_as_its_category(language: str, category: str, text: str) -> None:
    hit = detect_crisis(text)
    assert hit is not None and category in hit.categories, (language, text, hit)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_has_a_case_for_every_category(language: str) -> None:
    assert {c for lang, c, _ in CRISIS if lang == language} == set(CATEGORIES)


@pytest.mark.parametrize(
    "text",
    [
        "ik maak er een eind aan",
        "ik wil er niet meer zijn",
        "ik doe mezelf pijn",
        "krassen",
        "ik word geslagen",
        "chcę się zabić",
        "mă sinucid",
        "чоловік мене б'є",
        "kendimi öldüreceğim",
        "بدي موت",
        "عايز أموت",
        "ik spring van de brug",
    ],
)
def test_the_phrases_quoted_in_the_issue_are_in_the_case_lists(text: str) -> None:
    assert text in {t for _, _, t in CRISIS}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_phrase_lists_are_long_enough(language: str) -> None:
    """At least 30 phrases per category in Dutch and 8 in every other list."""
    data = load_yaml(f"crisis_phrases/{language}.yaml")
    assert data.get("review") in ("source", "needed", "done")  # TRANSLATING.md
    for category in CATEGORIES:
        least = 30 if language == "nl" else 8
        assert len(data["categories"][category]) >= least, (language, category)


@pytest.mark.parametrize("text", ORDINARY["texts"])
def test_an_ordinary_answer_is_not_a_crisis(text: str) -> None:
    assert detect_crisis(text) is None, (text, detect_crisis(text))


@pytest.mark.parametrize("text", sorted(ORDINARY["accepted_false_alarms"]))
def test_the_accepted_false_alarms_are_few_and_named(text: str) -> None:
    """Each is listed with why it is accepted; if one stops alarming, drop it."""
    assert len(ORDINARY["accepted_false_alarms"]) <= 6
    assert ORDINARY["accepted_false_alarms"][text].strip()
    assert detect_crisis(text) is not None, text
