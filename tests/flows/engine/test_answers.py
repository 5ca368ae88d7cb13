"""Reading answers per question type: dates, phone numbers, numbers, choices."""

from __future__ import annotations

from datetime import date

import pytest

from flows.engine.answers import Accepted, ConfirmPlace, Rejected, match_option, parse_text
from flows.engine.dates import DateProblem, ParsedDate, parse_date
from flows.engine.flow_format import Option, Question, QuestionType
from flows.engine.phones import normalise_phone

TODAY = date(2025, 6, 2)
BIRTH = (date(1905, 6, 2), TODAY)
ANY = (date(1925, 6, 2), date(2045, 6, 2))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14-03-1985", date(1985, 3, 14)),
        ("14/3/85", date(1985, 3, 14)),
        ("14 maart 1985", date(1985, 3, 14)),
        ("14 mrt 1985", date(1985, 3, 14)),
        ("March 14 1985", date(1985, 3, 14)),
        ("March 14th, 1985", date(1985, 3, 14)),
        ("14th of March 1985", date(1985, 3, 14)),
        ("1985-03-14", date(1985, 3, 14)),
        ("14.03.1985", date(1985, 3, 14)),
        ("14031985", date(1985, 3, 14)),
        ("03/14/1985", date(1985, 3, 14)),  # 14 cannot be a month
        ("5-3-1985", date(1985, 3, 5)),  # Dutch order
        ("1 januari 2000", date(2000, 1, 1)),
        ("29 februari 2024", date(2024, 2, 29)),
        ("  14   Maart   1985 ", date(1985, 3, 14)),
    ],
)
def test_dates_as_people_type_them(text: str, expected: date) -> None:
    assert parse_date(text, *BIRTH) == ParsedDate(expected)


@pytest.mark.parametrize(
    ("text", "bounds", "code"),
    [
        ("31-02-1990", BIRTH, "no_such_date"),
        ("29 februari 2023", BIRTH, "no_such_date"),
        ("32-13-1999", BIRTH, "no_such_date"),
        ("gisteren", BIRTH, "not_a_date"),
        ("14", BIRTH, "not_a_date"),
        ("14 maart", BIRTH, "not_a_date"),
        ("1-1-30", ANY, "ambiguous_year"),  # 1930 or 2030: both could be meant
        ("1-1-2090", BIRTH, "too_late"),
        ("1-1-1850", BIRTH, "too_early"),
    ],
)
def test_dates_that_are_asked_again(text: str, bounds: tuple[date, date], code: str) -> None:
    assert parse_date(text, *bounds) == DateProblem(code)


def test_a_two_digit_year_is_read_in_the_century_that_fits() -> None:
    assert parse_date("14/3/85", *BIRTH) == ParsedDate(date(1985, 3, 14))
    future = (TODAY, date(2045, 6, 2))
    assert parse_date("1-9-25", *future) == ParsedDate(date(2025, 9, 1))


def test_day_and_month_are_ambiguous_outside_dutch() -> None:
    assert parse_date("03/04/1985", *BIRTH, day_first=False) == DateProblem("ambiguous_order")
    assert parse_date("03/04/1985", *BIRTH) == ParsedDate(date(1985, 4, 3))
    assert parse_date("4 March 1985", *BIRTH, day_first=False) == ParsedDate(date(1985, 3, 4))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("06-12345678", "+31612345678"),
        ("06 1234 5678", "+31612345678"),
        ("0612345678", "+31612345678"),
        ("043-1234567", "+31431234567"),
        ("+31 6 12345678", "+31612345678"),
        ("+31 (0)6 12345678", "+31612345678"),
        ("0031612345678", "+31612345678"),
        ("+32 470 12 34 56", "+32470123456"),
        ("0049 171 1234567", "+491711234567"),
        ("(043) 123 45 67", "+31431234567"),
    ],
)
def test_phone_numbers_become_e164(text: str, expected: str) -> None:
    assert normalise_phone(text) == expected


@pytest.mark.parametrize(
    "text",
    ["12345", "0612345", "+31 6 1234", "06-1234567890", "bel me", "", "+0 123456789", "00000"],
)
def test_things_that_are_not_phone_numbers(text: str) -> None:
    assert normalise_phone(text) is None


def question(qtype: QuestionType, **extra: object) -> Question:
    return Question(type=qtype, text="?", label="?", fact="x", **extra)  # type: ignore[arg-type]


AGE = question(QuestionType.NUMBER, minimum=10, maximum=110)


@pytest.mark.parametrize(
    ("text", "value"),
    [("34", 34), ("34 jaar", 34), ("ik ben 34", 34), ("twaalf", 12), ("110", 110)],
)
def test_numbers(text: str, value: int) -> None:
    assert parse_text(AGE, text, TODAY) == Accepted(value)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("veertig", "not_a_number"),
        ("34,5", "not_whole"),
        ("tussen 30 en 40", "several_numbers"),
        ("5", "out_of_range"),
        ("200", "out_of_range"),
        ("", "empty"),
        ("🙂", "no_letters"),
        ("3" * 5000, "too_long"),
        ("123456789012", "not_a_number"),
    ],
)
def test_numbers_asked_again(text: str, code: str) -> None:
    found = parse_text(AGE, text, TODAY)
    assert isinstance(found, Rejected) and found.code == code


def test_a_range_message_names_the_range() -> None:
    from locales import render

    found = parse_text(AGE, "5", TODAY)
    assert isinstance(found, Rejected)
    assert render(found.reason) == "Typ een getal van 10 tot en met 110."


def test_free_text_is_kept_within_its_length() -> None:
    name = question(QuestionType.TEXT, max_length=20)
    assert parse_text(name, "  J.   de Vries ", TODAY) == Accepted("J. de Vries")
    too_long = parse_text(name, "x" * 21, TODAY)
    assert isinstance(too_long, Rejected) and too_long.code == "too_long"
    emoji = parse_text(name, "👍👍", TODAY)
    assert isinstance(emoji, Rejected) and emoji.code == "no_letters"


def test_email_addresses() -> None:
    email = question(QuestionType.EMAIL)
    assert parse_text(email, "sam@voorbeeld.nl", TODAY) == Accepted("sam@voorbeeld.nl")
    assert isinstance(parse_text(email, "sam at voorbeeld", TODAY), Rejected)


def test_a_known_town_is_recorded_as_named() -> None:
    place = question(QuestionType.MUNICIPALITY)
    assert parse_text(place, "hoensbroek", TODAY) == Accepted("Hoensbroek")
    assert parse_text(place, "Sittard-Geleen", TODAY) == Accepted("Sittard-Geleen")


def test_a_close_misspelling_is_offered_for_confirmation() -> None:
    place = question(QuestionType.MUNICIPALITY)
    assert parse_text(place, "Hoensbrok", TODAY) == ConfirmPlace("Hoensbroek", known=True)
    assert parse_text(place, "Timboektoe", TODAY) == ConfirmPlace("Timboektoe", known=False)


OPTIONS = (
    Option("public_space", "Buiten of op straat", also=("straat", "buiten")),
    Option("family_friends", "Tijdelijk bij familie of vrienden", also=("zus", "vrienden")),
    Option("own_home", "In mijn eigen huis"),
)


@pytest.mark.parametrize(
    ("text", "option"),
    [
        ("Buiten of op straat", "public_space"),
        ("buiten of op straat!", "public_space"),
        ("op straat", "public_space"),
        ("ik slaap op straat", "public_space"),
        ("bij mijn zus", "family_friends"),
        ("in mijn eigen huiss", "own_home"),
        ("public space", "public_space"),
        ("kasteel", None),
    ],
)
def test_typed_choices(text: str, option: str | None) -> None:
    found = match_option(OPTIONS, text)
    assert (found.id if found else None) == option
