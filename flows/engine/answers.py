"""Reading an answer to one question: per question type, from typed text or a button.

The result is `Accepted` (the value and the facts it records), `Rejected` (why, to be
shown with an example) or `ConfirmPlace` (a place name to confirm first).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flows.engine import wording as w
from flows.engine.answer_words import answer_words
from flows.engine.dates import DateProblem, parse_date
from flows.engine.flow_format import DATE_RANGES, Option, Question, QuestionType
from flows.engine.normalise import fold, has_content, words
from flows.engine.phones import normalise_phone
from flows.regions import region_data
from flows.texts import Text

__all__ = [
    "MAX_INPUT",
    "Accepted",
    "AnswerResult",
    "ConfirmPlace",
    "Rejected",
    "answer_facts",
    "date_bounds",
    "example_for",
    "match_option",
    "ordered_choice",
    "parse_text",
    "split_choices",
]

JSON = Any
MAX_INPUT = 1000  # longer input is never an answer
MAX_PLACE = 80

YES_WORDS = frozenset(
    {"ja", "j", "yes", "y", "yep", "yeah", "jazeker", "jawel", "klopt", "ok", "oke", "okay"}
    | {"akkoord", "zeker", "sure", "ja hoor", "ja graag", "ja klopt", "dat klopt", "natuurlijk"}
)
NO_WORDS = frozenset({"nee", "n", "no", "neen", "nope", "nein", "non", "nee hoor", "no thanks"})
NONE_WORDS = frozenset({"geen", "geen van deze", "geen van allen", "none", "nee", "niets", "no"})

NUMBER_WORDS = {
    word: value
    for value, names in enumerate(
        (
            "nul zero",
            "een één one",
            "twee two",
            "drie three",
            "vier four",
            "vijf five",
            "zes six",
            "zeven seven",
            "acht eight",
            "negen nine",
            "tien ten",
            "elf eleven",
            "twaalf twelve",
        )
    )
    for word in names.split()
}
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[a-zA-Z]{2,}$")


@dataclass(frozen=True)
class Accepted:
    value: JSON  # what the summary shows and `answer_recorded` carries
    facts: dict[str, JSON] = field(default_factory=dict)


@dataclass(frozen=True)
class Rejected:
    code: str
    reason: Text


@dataclass(frozen=True)
class ConfirmPlace:
    """A place to confirm: a close known name (`known`), or an unknown name as typed."""

    place: str
    known: bool


AnswerResult = Accepted | Rejected | ConfirmPlace


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def date_bounds(question: Question, today: date) -> tuple[date, date]:
    back, ahead = DATE_RANGES[question.dates]
    return _add_years(today, -back), _add_years(today, ahead)


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def answer_facts(question: Question, value: JSON, today: date) -> dict[str, JSON]:
    """The facts an answer records: its own fact, what its options set, and constants."""
    facts: dict[str, JSON] = {question.fact: value}
    chosen: Sequence[Any] = value if isinstance(value, list) else [value]
    for option_id in chosen:
        option = question.option(option_id) if isinstance(option_id, str) else None
        if option is not None:
            facts.update(option.sets)
    if question.type == QuestionType.DATE and question.derive_age and isinstance(value, str):
        with suppress(ValueError):  # an extra option is a word, not a date
            facts[question.derive_age] = _age(date.fromisoformat(value), today)
    facts.update(question.sets)
    return facts


def example_for(question: Question) -> Text:
    if question.example:
        return Text(question.example)
    qtype = question.type
    if qtype == QuestionType.NUMBER:
        low = question.minimum if question.minimum is not None else 0
        number = max(low, min(question.maximum if question.maximum is not None else 34, 34))
        return Text(w.EXAMPLE_NUMBER, {"number": number})
    simple = {
        QuestionType.DATE: w.EXAMPLE_DATE,
        QuestionType.PHONE: w.EXAMPLE_PHONE,
        QuestionType.EMAIL: w.EXAMPLE_EMAIL,
        QuestionType.MUNICIPALITY: w.EXAMPLE_PLACE,
        QuestionType.YES_NO: w.EXAMPLE_YES_NO,
        QuestionType.MULTIPLE_CHOICE: w.EXAMPLE_MULTI,
        QuestionType.SINGLE_CHOICE: w.EXAMPLE_CHOICE,
        QuestionType.TEXT: w.EXAMPLE_TEXT,
    }
    return Text(simple[qtype])


def _reject(code: str, msgid: str, **params: Any) -> Rejected:
    return Rejected(code, Text(msgid, params))


def match_option(options: Sequence[Option], text: str) -> Option | None:
    """The option a typed text means: its id, its text, one of its other words, or
    close to one of them (only when one option is clearly meant)."""
    folded = fold(text)
    if not folded:
        return None
    for option in options:
        names = {fold(option.id.replace("_", " ")), fold(option.text), *map(fold, option.also)}
        if folded in names:
            return option
    # Whole words: "straat" matches "Buiten, op straat"; only when a single option has them.
    typed = set(folded.split())
    hits = [o for o in options if any(set(fold(a).split()) <= typed for a in o.also if fold(a))]
    if len(hits) == 1:
        return hits[0]
    scored = []
    for option in options:
        candidates = [fold(option.text), *map(fold, option.also)]
        best = max(difflib.SequenceMatcher(None, folded, name).ratio() for name in candidates)
        scored.append((best, option))
    scored.sort(key=lambda pair: pair[0], reverse=True)
    if scored and scored[0][0] >= 0.8 and (len(scored) == 1 or scored[1][0] < scored[0][0] - 0.1):
        return scored[0][1]
    return None


def split_choices(text: str) -> list[str]:
    """A typed list: "1, 3", "verslaving en schulden", "addiction/debts"."""
    parts = re.split(r"[,;/+&\n]|\s+(?:en|and|und|et)\s+", text.strip())
    return [p.strip() for p in parts if p.strip()]


def typed_yes_no(text: str, locale: str) -> bool | None:
    """True or False for a typed yes or no (Dutch, English or the person's language)."""
    folded = fold(text)
    local = answer_words(locale)
    if folded in YES_WORDS or folded in local.yes:
        return True
    if folded in NO_WORDS or folded in local.no:
        return False
    return None


def _yes_no(text: str, locale: str) -> Accepted | Rejected:
    found = typed_yes_no(text, locale)
    folded = fold(text)
    if found is None and folded.split()[:1] == ["ja"] and "nee" not in folded.split():
        found = True
    if found is None and folded.split()[:1] == ["nee"] and "ja" not in folded.split():
        found = False
    if found is None:
        return _reject("not_yes_no", w.REJECT_NOT_YES_NO)
    return Accepted(found)


def _number(question: Question, text: str) -> Accepted | Rejected:
    if re.search(r"\d\s*[.,]\s*\d", text):
        return _reject("not_whole", w.REJECT_NOT_WHOLE)
    found = re.findall(r"-?\d+", text)
    if not found:
        values = [NUMBER_WORDS[word] for word in words(text) if word in NUMBER_WORDS]
        if len(values) != 1:
            return _reject("not_a_number", w.REJECT_NOT_A_NUMBER)
        found = [str(values[0])]
    if len(found) > 1:
        return _reject("several_numbers", w.REJECT_SEVERAL_NUMBERS)
    if len(found[0].lstrip("-")) > 9:
        return _reject("not_a_number", w.REJECT_NOT_A_NUMBER)
    number = int(found[0])
    low, high = question.minimum, question.maximum
    if (low is not None and number < low) or (high is not None and number > high):
        if low is not None and high is not None:
            return _reject("out_of_range", w.REJECT_NUMBER_RANGE, min=low, max=high)
        if low is not None:
            return _reject("out_of_range", w.REJECT_NUMBER_LOW, min=low)
        return _reject("out_of_range", w.REJECT_NUMBER_HIGH, max=high)
    return Accepted(number)


_DATE_REASONS = {
    "not_a_date": w.REJECT_NOT_A_DATE,
    "no_such_date": w.REJECT_NO_SUCH_DATE,
    "ambiguous_year": w.REJECT_DATE_YEAR,
    "ambiguous_order": w.REJECT_DATE_ORDER,
    "too_early": w.REJECT_DATE_EARLY,
    "too_late": w.REJECT_DATE_LATE,
}


def _date(question: Question, text: str, today: date, locale: str) -> Accepted | Rejected:
    earliest, latest = date_bounds(question, today)
    months = answer_words(locale).months
    # Day-month-year in every language: people here read dates from Dutch papers (ID,
    # release papers), and every shipped language but US English writes them so.
    found = parse_date(text, earliest, latest, day_first=True, months=months)
    if isinstance(found, DateProblem):
        return _reject(found.code, _DATE_REASONS[found.code])
    return Accepted(found.value.isoformat())


def _place(text: str) -> AnswerResult:
    name = " ".join(text.split())
    if len(name) > MAX_PLACE or not any(c.isalpha() for c in name):
        return _reject("not_a_place", w.REJECT_NOT_A_PLACE)
    regions = region_data()
    place = regions.resolve(name)
    if place is not None:
        return Accepted(place.name)
    suggestions = regions.suggest(name, limit=1)
    if suggestions:
        return ConfirmPlace(suggestions[0], known=True)
    return ConfirmPlace(name, known=False)


def _multiple(question: Question, text: str) -> Accepted | Rejected:
    if fold(text) in NONE_WORDS:
        return Accepted([])
    chosen: list[str] = []
    for part in split_choices(text):
        option = match_option(question.options, part)
        if option is None:
            return _reject("not_a_choice", w.REJECT_NOT_A_CHOICE)
        chosen.append(option.id)
    return Accepted(ordered_choice(question, chosen))


def ordered_choice(question: Question, chosen: Sequence[str]) -> list[str]:
    """The chosen option ids in the flow's order, each once."""
    return [o.id for o in question.options if o.id in chosen]


def parse_text(question: Question, text: str, today: date, locale: str = "nl") -> AnswerResult:
    """Read a typed answer (the engine has already handled commands, skips and numbers
    that pick a button)."""
    stripped = text.strip()
    if not stripped:
        return _reject("empty", w.REJECT_EMPTY)
    limit = question.max_length if question.type == QuestionType.TEXT else MAX_INPUT
    if len(stripped) > limit:
        return _reject("too_long", w.REJECT_TOO_LONG, max=limit)
    if not has_content(stripped):
        return _reject("no_letters", w.REJECT_NO_LETTERS)
    extra = match_option(question.options, stripped) if question.options else None
    if extra is not None and question.type not in (QuestionType.MULTIPLE_CHOICE,):
        return Accepted(extra.id)
    qtype = question.type
    if qtype == QuestionType.SINGLE_CHOICE:
        return _reject("not_a_choice", w.REJECT_NOT_A_CHOICE)
    if qtype == QuestionType.MULTIPLE_CHOICE:
        return _multiple(question, stripped)
    if qtype == QuestionType.YES_NO:
        return _yes_no(stripped, locale)
    if qtype == QuestionType.NUMBER:
        return _number(question, stripped)
    if qtype == QuestionType.DATE:
        return _date(question, stripped, today, locale)
    if qtype == QuestionType.MUNICIPALITY:
        return _place(stripped)
    if qtype == QuestionType.PHONE:
        phone = normalise_phone(stripped)
        return Accepted(phone) if phone else _reject("not_a_phone", w.REJECT_NOT_A_PHONE)
    if qtype == QuestionType.EMAIL:
        address = stripped.strip("<>").strip()
        if _EMAIL.match(address) and len(address) <= 254:
            return Accepted(address)
        return _reject("not_an_email", w.REJECT_NOT_AN_EMAIL)
    return Accepted(" ".join(stripped.split()))
