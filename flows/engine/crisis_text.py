"""Typed text as the crisis layer reads it: folded words, typo distance, Arabic forms.

Kept apart from the matcher (`flows.engine.crisis`) so both the phrase data and the
typed text go through exactly the same folding.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "MAX_TYPOS",
    "allowed_typos",
    "arabic_forms",
    "deletes",
    "edit_distance",
    "is_arabic",
    "tokens",
    "typed_depth",
]

MAX_TYPOS = 2  # allowed_typos never gives more (the typo index holds two deletes)

_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a"})
_REPEATS = re.compile(r"(.)\1{2,}")
_SPLIT = re.compile(r"[^\w@]+|_")
# Apostrophes of every kind vanish ("б'є", "don’t"); the joiner Persian writes inside
# words (U+200C) and the Arabic stretching stroke (tatweel) too.
_DROP = dict.fromkeys(map(ord, "'’ʼ`´\u200c\u200d\u0640"), None)
# One letter for the forms Arabic, Persian and Turkish keyboards give the same sound.
_SAME = str.maketrans({"ى": "ي", "ی": "ي", "ة": "ه", "ۀ": "ه", "ک": "ك", "ı": "i"})


def allowed_typos(length: int) -> int:
    """Typos forgiven in a phrase word of this length (short words must be exact)."""
    if length <= 4:
        return 0
    if length <= 7:
        return 1
    return MAX_TYPOS


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a swap of two letters counts once), cut off
    above `limit` (returns limit + 1 then)."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    over = limit + 1
    for i in range(1, len(a) + 1):
        # Only cells within `limit` of the diagonal can stay under the limit.
        current = [i] + [over] * len(b)
        for j in range(max(1, i - limit), min(len(b), i + limit) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def deletes(word: str, depth: int) -> set[str]:
    """The word with up to `depth` (at most 2) letters left out: the typo index's keys."""
    if depth <= 0:
        return {word}
    one = {word[:i] + word[i + 1 :] for i in range(len(word))}
    found = one | {w[:i] + w[i + 1 :] for w in one for i in range(len(w))} if depth > 1 else one
    found.add(word)
    return found


def typed_depth(length: int) -> int:
    """How many letters to leave out of a typed word of this length to meet every
    phrase word it may be a typo of in the typo index. A phrase word of length L
    holds its deletes up to allowed_typos(L); a typed word of length n within that
    many typos needs at most allowed_typos(L) - max(0, L - n) of its own."""
    return max(
        (
            allowed_typos(size) - max(0, size - length)
            for size in range(length - MAX_TYPOS, length + MAX_TYPOS + 1)
            if abs(size - length) <= allowed_typos(size)
        ),
        default=0,
    )


def tokens(text: str) -> list[str]:
    """Folded words: no accents or case, leetspeak read as letters, long repeats cut,
    Arabic-script letter variants made one."""
    plain = text.casefold()
    if not plain.isascii():
        decomposed = unicodedata.normalize("NFKD", plain)
        plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
        plain = plain.translate(_DROP).translate(_SAME)
    else:
        plain = plain.translate(_DROP)
    plain = _REPEATS.sub(r"\1\1", plain)
    # Leetspeak in words with a letter; numbers (dates, phone numbers) stay numbers.
    out = [w if w.isdigit() else w.translate(_LEET) for w in _SPLIT.split(plain) if w]
    return _join_spelled(out)


def _join_spelled(words: list[str]) -> list[str]:
    """Letters typed apart ("s u i c i d e") read as one word, for runs of 3 or more."""
    out: list[str] = []
    run: list[str] = []
    for word in [*words, ""]:
        if len(word) == 1 and word.isalpha():
            run.append(word)
            continue
        out.extend(["".join(run)] if len(run) >= 3 else run)
        run = []
        if word:
            out.append(word)
    return out


def is_arabic(word: str) -> bool:
    """Written in Arabic script (Arabic, Persian/Dari): its first letter says so."""
    return bool(word) and "\u0600" <= word[0] <= "\u06ff"


# Letters Arabic writes onto a word: "and", "so", "with", "for", "like", the article,
# the future ("s", dialect "ḥa", "ha"), the dialect present "b", and the person of an
# imperfect verb ("a", "n", "t", "y"); after the word: object and possessive pronouns
# and plural endings. The phrase lists write the bare form ("موت", "ضرب"); a typed
# "بموت", "حاموت", "يضربني" or "وبدي" is then found.
_AR_PREFIXES = ("وال", "فال", "بال", "كال", "لل", "ال", "و", "ف", "ب", "ل", "ك", "س", "ح", "ه")
_AR_PERSON = ("ا", "ن", "ت", "ي")
_AR_SUFFIXES = ("ني", "نا", "ها", "هم", "كم", "هن", "ين", "ون", "ات", "وا", "ي", "ك", "ه")
_AR_SHORTEST = 3  # a form shorter than this is too common to mean anything


def arabic_forms(word: str) -> frozenset[str]:
    """The word and its forms without attached letters (at least 3 letters left)."""
    if not is_arabic(word):
        return frozenset((word,))
    stems = {word}
    for _ in range(2):  # "و" + "ب" + stem, "و" + "ال" + stem
        stems |= {
            s[len(p) :]
            for s in stems
            for p in _AR_PREFIXES
            if s.startswith(p) and len(s) - len(p) >= _AR_SHORTEST
        }
    stems |= {s[1:] for s in stems if s[:1] in _AR_PERSON and len(s) - 1 >= _AR_SHORTEST}
    stems |= {
        s[: -len(x)]
        for s in stems
        for x in _AR_SUFFIXES
        if s.endswith(x) and len(s) - len(x) >= _AR_SHORTEST
    }
    return frozenset(stems)
