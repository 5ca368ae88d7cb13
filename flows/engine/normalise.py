"""Folding typed text for matching: no accents, no case, words only."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["fold", "has_content", "words"]

# Letters and digits of every script count (Cyrillic, Arabic...), not only a-z.
_NON_WORD = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Lower case, accents removed, every run of non-letters one space."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    plain = plain.replace("’", "").replace("'", "")
    return _NON_WORD.sub(" ", plain).strip()


def words(text: str) -> list[str]:
    return fold(text).split()


def has_content(text: str) -> bool:
    """Whether the text holds at least one letter or digit (not only emoji or marks)."""
    return any(unicodedata.category(c)[0] in "LN" for c in text)
