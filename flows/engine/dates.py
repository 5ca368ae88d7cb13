"""Reading a date as people type it: `14-03-1985`, `14/3/85`, `14 maart 1985`,
`March 14 1985`, `1985-03-14`.

Numbers are read day-month-year, the Dutch order; `03/14/1985` is read as 14 March
because 14 cannot be a month. Outside Dutch (locale other than `nl`), `03/04/1985` is
asked again: day and month cannot be told apart. A two-digit year is read in the
century that puts the date in the accepted range; when both centuries fit, the date
is asked again.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

__all__ = ["DateProblem", "ParsedDate", "parse_date"]

MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "januari jan january januar janvier",
        "februari feb february februar fevrier",
        "maart mrt mar march marz mars",
        "april apr avril",
        "mei may mai",
        "juni jun june juin",
        "juli jul july juillet",
        "augustus aug august aout",
        "september sep sept",
        "oktober okt oct october octobre",
        "november nov",
        "december dec dezember decembre",
    ),
    start=1,
):
    for _name in _names.split():
        MONTHS[_name] = _number

_FILLER = {"de", "der", "the", "of", "on", "den", "le"}
_ORDINAL = re.compile(r"^(\d{1,2})(st|nd|rd|th|e|ste|de|er)$")


@dataclass(frozen=True)
class ParsedDate:
    value: date


@dataclass(frozen=True)
class DateProblem:
    """Why a date is asked again: not_a_date, no_such_date, ambiguous_year,
    ambiguous_order, too_early or too_late."""

    code: str


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _tokens(text: str) -> list[str]:
    words = re.split(r"[\s\-/.,]+", _fold(text).strip())
    out = []
    for word in words:
        if not word or word in _FILLER:
            continue
        match = _ORDINAL.match(word)
        out.append(match.group(1) if match else word)
    return out


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _years(raw: str) -> list[int]:
    if len(raw) == 4:
        return [int(raw)]
    if len(raw) == 2:
        return [1900 + int(raw), 2000 + int(raw)]
    return []


def _choose(
    year_raw: str, month: int, day: int, earliest: date, latest: date
) -> ParsedDate | DateProblem:
    years = _years(year_raw)
    if not years:
        return DateProblem("not_a_date")
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        return DateProblem("no_such_date")
    candidates = [d for d in (_make(y, month, day) for y in years) if d is not None]
    if not candidates:
        return DateProblem("no_such_date")
    fitting = [d for d in candidates if earliest <= d <= latest]
    if len(fitting) == 1:
        return ParsedDate(fitting[0])
    if len(fitting) > 1:
        return DateProblem("ambiguous_year")
    return DateProblem("too_early" if candidates[-1] < earliest else "too_late")


def parse_date(
    text: str,
    earliest: date,
    latest: date,
    *,
    day_first: bool = True,
    months: Mapping[str, int] | None = None,
) -> ParsedDate | DateProblem:
    """The date in `text`, or why it is asked again.

    `day_first` (Dutch) reads `03/04/1985` as 3 April; without it, that is ambiguous.
    `months` adds month names of the person's language (folded) to the built-in ones.
    """
    names = {**MONTHS, **months} if months else MONTHS
    # Month names of two words (Levantine "كانون الثاني", January) become one token.
    joined = {name: name.replace(" ", "_") for name in names if " " in name}
    if joined:
        text = _fold(text)
        for name in sorted(joined, key=len, reverse=True):
            text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", joined[name], text)
        names = {**names, **{joined[n]: names[n] for n in joined}}
    tokens = _tokens(text)
    if len(tokens) == 1 and tokens[0].isdigit() and len(tokens[0]) in (6, 8):
        compact = tokens[0]  # 14031985 or 140385
        tokens = [compact[:2], compact[2:4], compact[4:]]
    found_months = [t for t in tokens if t in names]
    numbers = [t for t in tokens if t.isdigit()]
    if len(tokens) != 3 or len(found_months) + len(numbers) != 3 or len(found_months) > 1:
        return DateProblem("not_a_date")
    if found_months:
        month = names[found_months[0]]
        day_raw = [n for n in numbers if len(n) <= 2]
        year_raw = [n for n in numbers if len(n) == 4]
        if len(year_raw) == 1 and len(day_raw) == 1:
            return _choose(year_raw[0], month, int(day_raw[0]), earliest, latest)
        if len(day_raw) == 2:  # "14 maart 85": the number after the month name is the year
            first_is_day = tokens.index(found_months[0]) == 1 or tokens[0] in names
            day_text, year_text = day_raw if first_is_day else day_raw[::-1]
            return _choose(year_text, month, int(day_text), earliest, latest)
        return DateProblem("not_a_date")
    a, b, c = numbers
    if len(a) == 4:  # 1985-03-14
        return _choose(a, int(b), int(c), earliest, latest)
    if len(a) > 2 or len(b) > 2:
        return DateProblem("not_a_date")
    first, second = int(a), int(b)
    if second > 12 >= first:
        return _choose(c, first, second, earliest, latest)  # 03/14/1985: 14 is no month
    if first <= 12 and second <= 12 and first != second and not day_first:
        return DateProblem("ambiguous_order")
    return _choose(c, second, first, earliest, latest)
