"""The crisis layer: signs of acute danger in typed text, found before anything else.

Deterministic and tolerant of typos; it errs towards a false alarm. The phrases are
data (`flows/data/crisis_phrases.yaml`, which explains the matching rules). The
result names the categories and phrases that matched, never the text itself, so it
can be logged and stored without personal data.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from flows.data_files import load_yaml

__all__ = ["CrisisHit", "CrisisPhrases", "crisis_phrases", "detect_crisis", "edit_distance"]

_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a"})
_REPEATS = re.compile(r"(.)\1{2,}")
_MAX_GAP = 1  # extra words allowed between the words of a phrase
_INSIDE = 7  # a phrase word this long matches inside a longer typed word


@dataclass(frozen=True)
class CrisisHit:
    categories: tuple[str, ...]
    phrases: tuple[str, ...]


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


_MOST_TYPOS = 3  # allowed_typos never gives more


def allowed_typos(length: int) -> int:
    if length <= 4:
        return 0
    if length <= 7:
        return 1
    if length <= 13:
        return 2
    return 3


def tokens(text: str) -> list[str]:
    """Folded words: no accents or case, leetspeak read as letters, long repeats cut."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    plain = plain.replace("’", "").replace("'", "")
    out = []
    for word in re.split(r"[^\w@]+|_", plain):  # letters of every script
        if not word:
            continue
        if any(c.isalpha() for c in word):
            word = word.translate(_LEET)
        out.append(_REPEATS.sub(r"\1\1", word))
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


class CrisisPhrases:
    """The phrase list, indexed for matching."""

    def __init__(self, categories: dict[str, list[str]], not_typos: Iterable[str]) -> None:
        self.phrases: list[tuple[str, tuple[str, ...]]] = []
        for category, phrases in categories.items():
            for phrase in phrases:
                words = tuple(tokens(phrase))
                if words:
                    self.phrases.append((category, words))
        self.not_typos = frozenset(not_typos)
        self.vocabulary = frozenset(w for _, words in self.phrases for w in words)
        self.longest = max((len(words) for _, words in self.phrases), default=1)
        self._cache: dict[tuple[str, str], bool] = {}
        self._joined_cache: dict[tuple[str, str], bool] = {}
        # Indexes that let `detect` try at each position only the phrases that can
        # start there: a phrase's first word (or its first two words run together),
        # and, for the run-together match, the first letter of the whole phrase.
        self._starts: dict[str, list[int]] = {}
        self._by_letter: dict[str, list[int]] = {}
        for index, (_, words) in enumerate(self.phrases):
            self._starts.setdefault(words[0], []).append(index)
            if len(words) > 1:
                self._starts.setdefault(words[0] + words[1], []).append(index)
                self._by_letter.setdefault(words[0][:1], []).append(index)
        self._start_cache: dict[str, frozenset[int]] = {}
        # For `_starting_with`: the starts by length (a typed word is only compared
        # with starts of about its length), the long ones that may stand inside a
        # longer word, and each start's letters with their counts.
        self._by_length: dict[int, list[str]] = {}
        for start in self._starts:
            self._by_length.setdefault(len(start), []).append(start)
        self._long_starts = tuple(s for s in self._starts if len(s) >= _INSIDE)
        self._near: dict[int, list[str]] = {}  # typed length -> starts of a near length
        self._letters = {start: tuple(Counter(start).items()) for start in self._starts}

    def word_matches(self, typed: str, word: str) -> bool:
        key = (typed, word)
        found = self._cache.get(key)
        if found is None:
            found = self._word_matches(typed, word)
            if len(self._cache) < 50_000:
                self._cache[key] = found
        return found

    def _word_matches(self, typed: str, word: str) -> bool:
        if typed == word:
            return True
        if typed in self.not_typos or typed in self.vocabulary:
            return False
        if len(word) >= _INSIDE and word in typed:  # zelfmoordgedachten, kindermishandeling
            return True
        limit = allowed_typos(len(word))
        return limit > 0 and edit_distance(typed, word, limit) <= limit

    def _match_at(self, text: list[str], i: int, phrase: tuple[str, ...]) -> bool:
        """Whether the phrase starts at text word i (words may be split or joined)."""

        def step(i: int, j: int, gaps: int) -> bool:
            if j == len(phrase):
                return True
            if i >= len(text):
                return False
            word = phrase[j]
            if self.word_matches(text[i], word) and step(i + 1, j + 1, gaps):
                return True
            joined_text = i + 1 < len(text) and self.word_matches(text[i] + text[i + 1], word)
            if joined_text and step(i + 2, j + 1, gaps):
                return True
            joined_phrase = j + 1 < len(phrase) and self.word_matches(text[i], word + phrase[j + 1])
            if joined_phrase and step(i + 1, j + 2, gaps):
                return True
            return j > 0 and gaps < _MAX_GAP and step(i + 1, j, gaps + 1)

        return step(i, 0, 0)

    def _joined_match(self, windows: dict[int, tuple[str, bool]], phrase: tuple[str, ...]) -> bool:
        """Whether words run together are close to the whole phrase run together
        (catches typos in short words: "kil myself", "wanna dye"). `windows` maps a
        number of words to their joined text and whether they hold a not-a-typo word."""
        if len(phrase) < 2:
            return False
        joined_phrase = "".join(phrase)
        limit = allowed_typos(len(joined_phrase))
        for size in (len(phrase) - 1, len(phrase), len(phrase) + 1):
            window = windows.get(size)
            if window is None:
                continue
            joined, guarded = window
            if guarded or joined[:1] != joined_phrase[:1]:
                continue
            key = (joined, joined_phrase)
            close = self._joined_cache.get(key)
            if close is None:
                close = edit_distance(joined, joined_phrase, limit) <= limit
                if len(self._joined_cache) < 50_000:
                    self._joined_cache[key] = close
            if close:
                return True
        return False

    def _windows(self, words: list[str], i: int) -> dict[int, tuple[str, bool]]:
        out: dict[int, tuple[str, bool]] = {}
        for size in range(1, min(self.longest + 1, len(words) - i) + 1):
            window = words[i : i + size]
            guarded = any(w in self.not_typos for w in window)
            out[size] = ("".join(window), guarded)
        return out

    def _could_match(self, typed: str, start: str) -> bool:
        """A cheap bound of `_word_matches` for a start of `_candidates` (so of a near
        length), tried before the edit distance: a long word may stand inside;
        otherwise the letters of `start` missing from `typed` (never more than the edit
        distance) must be within the typos."""
        if len(start) >= _INSIDE and start in typed:
            return True
        limit = allowed_typos(len(start))
        missing = 0
        for letter, count in self._letters[start]:
            short = count - typed.count(letter)
            if short > 0:
                missing += short
                if missing > limit:
                    return False
        return True

    def _candidates(self, typed: str) -> list[str]:
        """The starts `_could_match` may accept: those whose length is within their
        typos of `typed`'s, and the long ones inside `typed` (any other start is too
        far off in length to match)."""
        size = len(typed)
        near = self._near.get(size)
        if near is None:
            near = self._near[size] = [
                start
                for length in range(max(1, size - _MOST_TYPOS), size + _MOST_TYPOS + 1)
                if abs(length - size) <= allowed_typos(length)
                for start in self._by_length.get(length, ())
            ]
        inside = [
            s
            for s in self._long_starts
            if len(s) < size and abs(len(s) - size) > allowed_typos(len(s)) and s in typed
        ]
        return near + inside if inside else near

    def _starting_with(self, typed: str) -> frozenset[int]:
        """The phrases whose first word (or first two words run together) `typed` matches."""
        found = self._start_cache.get(typed)
        if found is None:
            found = frozenset(
                index
                for start in self._candidates(typed)
                if self._could_match(typed, start) and self.word_matches(typed, start)
                for index in self._starts[start]
            )
            if len(self._start_cache) < 50_000:
                self._start_cache[typed] = found
        return found

    def detect(self, text: str) -> CrisisHit | None:
        words = tokens(text)
        if not any(any(c.isalpha() for c in w) for w in words):
            return None
        hits: set[int] = set()
        for i, word in enumerate(words):
            # A phrase can only start here if its first word matches this word, or
            # this word and the next run together (see `_match_at`, step j == 0).
            starting = self._starting_with(word)
            if i + 1 < len(words):
                starting |= self._starting_with(word + words[i + 1])
            for index in starting - hits:
                if self._match_at(words, i, self.phrases[index][1]):
                    hits.add(index)
            joinable = [j for j in self._by_letter.get(word[:1], ()) if j not in hits]
            if joinable:
                windows = self._windows(words, i)
                hits.update(j for j in joinable if self._joined_match(windows, self.phrases[j][1]))
        categories: list[str] = []
        found: list[str] = []
        for index in sorted(hits):
            category, phrase = self.phrases[index]
            found.append(" ".join(phrase))
            if category not in categories:
                categories.append(category)
        return CrisisHit(tuple(categories), tuple(found)) if found else None


@cache
def crisis_phrases() -> CrisisPhrases:
    data = load_yaml("crisis_phrases.yaml")
    return CrisisPhrases(data["categories"], data.get("not_typos", []))


def detect_crisis(text: str) -> CrisisHit | None:
    """The signs of acute danger in a typed text, or None."""
    return crisis_phrases().detect(text)
