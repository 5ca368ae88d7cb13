"""When two pre-aanmeldingen likely concern the same person (linked for staff to see,
never merged): the same channel user, or the same birth date and a similar name,
within `DUPLICATE_WINDOW`.

Names are compared without case, accents and punctuation. Two names are similar when
they are equal, when one is initials plus the other's surname ("J. de Vries" and
"Jan de Vries"), or when they start with the same initial and differ by a typo (a
similarity ratio of 0.85 or more).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta
from difflib import SequenceMatcher

__all__ = ["DUPLICATE_WINDOW", "names_similar", "normalise_name"]

DUPLICATE_WINDOW = timedelta(days=90)
_SURNAME_PARTICLES = frozenset({"van", "de", "der", "den", "het", "ter", "ten", "te", "in", "t"})


def normalise_name(name: str) -> list[str]:
    """The name as lowercase ASCII words ("José  de-Vries" -> ["jose", "de", "vries"])."""
    decomposed = unicodedata.normalize("NFKD", name)
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return re.findall(r"[a-z]+", ascii_only)


def _surname(words: list[str]) -> list[str]:
    """The last word with its particles ("jan van der berg" -> ["van", "der", "berg"])."""
    start = len(words) - 1
    while start > 0 and words[start - 1] in _SURNAME_PARTICLES:
        start -= 1
    return words[start:]


def _initials_match(a: list[str], b: list[str]) -> bool:
    surname_a, surname_b = _surname(a), _surname(b)
    if not surname_a or surname_a != surname_b:
        return False
    given_a, given_b = a[: -len(surname_a)], b[: -len(surname_b)]
    if not given_a or not given_b:
        return False
    return [w[0] for w in given_a] == [w[0] for w in given_b]


def names_similar(a: str, b: str) -> bool:
    words_a, words_b = normalise_name(a), normalise_name(b)
    if not words_a or not words_b:
        return False
    if words_a == words_b or _initials_match(words_a, words_b):
        return True
    if len(words_a) > 1 and len(words_b) > 1 and words_a[0][0] != words_b[0][0]:
        return False  # different first initials: different people, however alike the rest
    return SequenceMatcher(None, " ".join(words_a), " ".join(words_b)).ratio() >= 0.85
