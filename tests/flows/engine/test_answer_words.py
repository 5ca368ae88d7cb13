"""People type yes, no and month names in their own language, too."""

from __future__ import annotations

from datetime import date

import pytest

from flows.engine.answer_words import answer_words
from flows.engine.answers import typed_yes_no
from flows.engine.dates import ParsedDate, parse_date

EARLIEST, LATEST = date(1900, 1, 1), date(2030, 12, 31)


@pytest.mark.parametrize(
    ("locale", "yes", "no"),
    [
        ("pl", "Tak", "nie"),
        ("ro", "da", "Nu"),
        ("uk", "Так", "ні"),
        ("ar", "نعم", "لا"),
        ("tr", "EVET", "Hayır"),
        ("bg", "да", "не"),
        ("nl", "ja", "nee"),
        ("en", "yes", "no"),
    ],
)
def test_yes_and_no_in_the_persons_language(locale: str, yes: str, no: str) -> None:
    assert typed_yes_no(yes, locale) is True
    assert typed_yes_no(no, locale) is False
    # Dutch and English always work.
    assert typed_yes_no("ja", locale) is True and typed_yes_no("no", locale) is False


def test_a_word_means_yes_or_no_only_in_its_own_language() -> None:
    assert typed_yes_no("nu", "nl") is None  # Dutch "nu" is "now", Romanian "no"
    assert typed_yes_no("nu", "ro") is False
    assert typed_yes_no("tak", "nl") is None


@pytest.mark.parametrize(
    ("locale", "typed", "expected"),
    [
        ("pl", "14 marca 1985", date(1985, 3, 14)),
        ("pl", "3 października 2001", date(2001, 10, 3)),
        ("ro", "14 martie 1985", date(1985, 3, 14)),
        ("uk", "14 березня 1985", date(1985, 3, 14)),
        ("ar", "14 مارس 1985", date(1985, 3, 14)),
        ("ar", "١٤ مارس ١٩٨٥", date(1985, 3, 14)),
        ("tr", "14 Mart 1985", date(1985, 3, 14)),
        ("tr", "1 Ağustos 1990", date(1990, 8, 1)),
        ("bg", "14 март 1985", date(1985, 3, 14)),
    ],
)
def test_month_names_in_the_persons_language(locale: str, typed: str, expected: date) -> None:
    found = parse_date(typed, EARLIEST, LATEST, months=answer_words(locale).months)
    assert found == ParsedDate(expected)


def test_every_shipped_language_with_months_has_twelve() -> None:
    for locale in ("pl", "ro", "uk", "ar", "tr", "bg"):
        assert sorted(set(answer_words(locale).months.values())) == list(range(1, 13))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("14 كانون الثاني 1985", date(1985, 1, 14)),  # Levantine January: two words
        ("3 تشرين الأول 2025", date(2025, 10, 3)),
        ("2 تشرين الثاني 2025", date(2025, 11, 2)),
        ("1 كانون الأول 2024", date(2024, 12, 1)),
        ("14 شباط 1985", date(1985, 2, 14)),
    ],
)
def test_levantine_month_names_of_two_words(typed: str, expected: date) -> None:
    found = parse_date(typed, date(1900, 1, 1), date(2030, 1, 1), months=answer_words("ar").months)
    assert found == ParsedDate(expected)
