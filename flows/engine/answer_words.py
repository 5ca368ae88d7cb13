"""Typed yes, no and month names in the person's own language (`flows/data/answer_words.yaml`).

Dutch and English words are understood in every conversation; the words of the
conversation's language are understood as well. Words are compared folded (no case,
no accents), exactly as typed answers are.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from flows.data_files import load_yaml
from flows.engine.normalise import fold

__all__ = ["AnswerWords", "answer_words"]

ALWAYS = ("nl", "en")


@dataclass(frozen=True)
class AnswerWords:
    yes: frozenset[str]
    no: frozenset[str]
    months: dict[str, int]


@cache
def answer_words(locale: str) -> AnswerWords:
    """The words understood in a conversation in `locale`."""
    data = load_yaml("answer_words.yaml")
    yes: set[str] = set()
    no: set[str] = set()
    months: dict[str, int] = {}
    for code in dict.fromkeys((*ALWAYS, locale)):
        entry = data.get(code) or {}
        yes.update(fold(str(w)) for w in entry.get("yes", ()))
        no.update(fold(str(w)) for w in entry.get("no", ()))
        for number, names in enumerate(entry.get("months", ()), start=1):
            months.update((fold(str(name)), number) for name in names)
    return AnswerWords(frozenset(yes - no), frozenset(no - yes), months)
