"""The crisis layer: signs of acute danger in typed text, found before anything else.

Deterministic and tolerant of typos; it errs towards a false alarm. The phrases are
data (`flows/data/crisis_phrases.yaml` and one file per language in
`flows/data/crisis_phrases/`, which explain the matching rules). A phrase matches
when all its words stand in the text in any order within a small window; a word
matches as typed, with a few typos, run together with its neighbour, inside a longer
word, or (Arabic script) with letters attached before or after it. The result names
the categories, languages and phrases that matched, never the text itself, so it can
be logged and stored without personal data.

Cost: each distinct typed word is looked up once (a dictionary of the phrase words
with up to two letters left out, so no comparison with every phrase word), and only
phrases whose words all occur are checked. Texts are read up to `MAX_CHARS`.
`bench/crisis_detection.py` measures it.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from flows.data_files import load_yaml
from flows.engine.crisis_text import (
    MAX_TYPOS,
    allowed_typos,
    arabic_forms,
    deletes,
    edit_distance,
    is_arabic,
    tokens,
    typed_depth,
)

__all__ = [
    "CATEGORIES",
    "MAX_CHARS",
    "CrisisHit",
    "CrisisPhrases",
    "Phrase",
    "crisis_phrases",
    "detect_crisis",
    "edit_distance",
    "tokens",
]

# The kinds of danger, in the order the answer names them.
CATEGORIES = ("danger", "suicide", "self_harm", "violence", "exploitation", "cold")
MAX_CHARS = 4096  # Telegram's longest message; a longer text is read up to here
_SLACK = 2  # other words allowed inside a phrase's window
_INSIDE = 7  # a phrase word this long matches inside a longer typed word
_PREFIX = 3  # words run together: the first letters that pick the phrase words to try
_CACHE = 100_000  # typed words remembered per process
_DEPTHS = tuple(typed_depth(n) for n in range(40))


@dataclass(frozen=True)
class CrisisHit:
    categories: tuple[str, ...]
    phrases: tuple[str, ...]
    languages: tuple[str, ...] = ()


@dataclass(frozen=True)
class Phrase:
    category: str
    language: str
    words: tuple[int, ...]  # indexes into CrisisPhrases.words
    text: str  # the folded words, for CrisisHit.phrases
    loose: bool  # whether one short word may have one typo (the whole is long enough)
    ordered: bool = False  # written with a leading "^": the words in this order only


_Entry = tuple[int, ...]  # the phrase words one typed word stands for (one, or two run together)


class CrisisPhrases:
    """The phrase lists, indexed for matching."""

    def __init__(
        self,
        lists: Iterable[tuple[str, Mapping[str, Sequence[str]]]],
        not_typos: Iterable[str],
    ) -> None:
        self.words: list[str] = []
        self._word_ids: dict[str, int] = {}
        self.phrases: list[Phrase] = []
        seen: set[tuple[str, str, tuple[int, ...]]] = set()
        for language, categories in lists:
            for category, texts in categories.items():
                if category not in CATEGORIES:
                    raise ValueError(f"crisis phrases ({language}): unknown category {category!r}")
                for text in texts:
                    ordered = text.startswith("^")
                    folded = tokens(text.removeprefix("^"))
                    ids = tuple(self._word_id(w) for w in folded)
                    if not ids or (language, category, ids) in seen:
                        continue
                    seen.add((language, category, ids))
                    loose = len(ids) > 1 and allowed_typos(len("".join(folded))) > 0
                    self.phrases.append(
                        Phrase(category, language, ids, " ".join(folded), loose, ordered)
                    )
        self.not_typos = frozenset(w for t in not_typos for w in tokens(t))
        self.phrases_with: dict[int, list[int]] = {}
        for index, phrase in enumerate(self.phrases):
            for word in set(phrase.words):
                self.phrases_with.setdefault(word, []).append(index)
        self._build_indexes()
        self._lookup = lru_cache(maxsize=_CACHE)(self._lookup_uncached)
        self._joined = lru_cache(maxsize=_CACHE)(self._joined_uncached)

    def _word_id(self, word: str) -> int:
        found = self._word_ids.get(word)
        if found is None:
            found = self._word_ids[word] = len(self.words)
            self.words.append(word)
        return found

    def _build_indexes(self) -> None:
        # Exact forms: each phrase word (Arabic: also without attached letters), and
        # each two neighbouring words of a phrase run together ("zelfmoord").
        self._exact: dict[str, set[_Entry]] = {}
        for word_id, word in enumerate(self.words):
            for form in arabic_forms(word):
                self._exact.setdefault(form, set()).add((word_id,))
        for phrase in self.phrases:
            for a, b in zip(phrase.words, phrase.words[1:], strict=False):
                self._exact.setdefault(self.words[a] + self.words[b], set()).add((a, b))
        # Typos: every phrase word with as many letters left out as it allows typos;
        # a typed word with the same letters left out meets it here (symmetric delete).
        self._typos: dict[str, list[int]] = {}
        # Loose: short words (3 or 4 letters) with one letter left out, for phrases
        # long enough to allow one typo in a short word ("kil myself", "wanna dye").
        self._loose: dict[str, list[int]] = {}
        self._inside: dict[str, list[int]] = {}
        self._by_prefix: dict[str, list[int]] = {}
        for word_id, word in enumerate(self.words):
            typos = allowed_typos(len(word))
            if typos:
                for key in deletes(word, typos):
                    self._typos.setdefault(key, []).append(word_id)
                self._by_prefix.setdefault(word[:_PREFIX], []).append(word_id)
            elif len(word) >= 3:
                for key in deletes(word, 1):
                    self._loose.setdefault(key, []).append(word_id)
            if len(word) >= _INSIDE:
                self._inside.setdefault(word[:4], []).append(word_id)
        self._longest = max((len(w) for w in self.words), default=0)

    # --- one typed word ----------------------------------------------------------

    def _lookup_uncached(self, typed: str) -> tuple[frozenset[_Entry], frozenset[int]]:
        """The phrase words a typed word stands for: (exact or typo, one loose typo)."""
        strict: set[_Entry] = set()
        for form in arabic_forms(typed):
            strict |= self._exact.get(form, set())
        loose: set[int] = set()
        if typed in self.not_typos:
            return frozenset(strict), frozenset()
        size = len(typed)
        if size <= self._longest + 2:
            keys = deletes(typed, _DEPTHS[size] if size < len(_DEPTHS) else MAX_TYPOS)
            for key in keys & self._typos.keys():  # the set operation runs in C
                for word_id in self._typos[key]:
                    word = self.words[word_id]
                    limit = allowed_typos(len(word))
                    if edit_distance(typed, word, limit) <= limit:
                        strict.add((word_id,))
            if 2 <= size <= 5 and typed not in self._word_ids and not is_arabic(typed):
                near = keys if size >= 5 else deletes(typed, 1)
                for key in near & self._loose.keys():
                    for word_id in self._loose[key]:
                        word = self.words[word_id]
                        if word[0] == typed[0] and edit_distance(typed, word, 1) <= 1:
                            loose.add(word_id)
        strict |= {(w,) for w in self._inside_of(typed)}
        return frozenset(strict), frozenset(loose)

    def _inside_of(self, typed: str) -> set[int]:
        """Long phrase words that stand inside a longer typed word ("zelfmoordgedachten")."""
        found: set[int] = set()
        for start in range(len(typed) - _INSIDE + 1):
            for word_id in self._inside.get(typed[start : start + 4], ()):
                if typed.startswith(self.words[word_id], start):
                    found.add(word_id)
        return found

    def _joined_uncached(self, joined: str) -> frozenset[_Entry]:
        """Two typed words run together ("zelf moord", "zelf morod"): exact, inside, or
        with typos against the phrase words that begin with the same letters."""
        found: set[_Entry] = set(self._exact.get(joined, set()))
        for word_id in self._by_prefix.get(joined[:_PREFIX], ()):
            word = self.words[word_id]
            limit = allowed_typos(len(word))
            if edit_distance(joined, word, limit) <= limit:
                found.add((word_id,))
        found |= {(w,) for w in self._inside_of(joined)}
        return frozenset(found)

    def word_matches(self, typed: str, word: str) -> bool:
        """Whether a typed (folded) word stands for a phrase word, without typos in
        short words (a test's oracle, and a way to try wording)."""
        word_id = self._word_ids.get(word)
        return word_id is not None and any(word_id in e for e in self._lookup(typed)[0])

    # --- a whole text --------------------------------------------------------------

    def detect(self, text: str) -> CrisisHit | None:
        words = tokens(text[:MAX_CHARS])
        if not any(any(c.isalpha() for c in w) for w in words):
            return None
        strict: dict[int, list[int]] = {}  # phrase word -> typed positions, ascending
        loose: dict[int, list[int]] = {}
        for i, word in enumerate(words):
            entries, near = self._lookup(word)
            if i + 1 < len(words):
                entries = entries | self._joined(word + words[i + 1])
            for entry in entries:
                for word_id in entry:
                    at = strict.setdefault(word_id, [])
                    if not at or at[-1] != i:
                        at.append(i)
            for word_id in near:
                loose.setdefault(word_id, []).append(i)
        candidates = {p for w in strict for p in self.phrases_with.get(w, ())}
        hits = sorted(p for p in candidates if self._phrase_at(self.phrases[p], strict, loose))
        if not hits:
            return None
        found = [self.phrases[p] for p in hits]
        return CrisisHit(
            tuple(c for c in CATEGORIES if any(p.category == c for p in found)),
            tuple(dict.fromkeys(p.text for p in found)),
            tuple(dict.fromkeys(p.language for p in found)),
        )

    def _phrase_at(
        self, phrase: Phrase, strict: dict[int, list[int]], loose: dict[int, list[int]]
    ) -> bool:
        """Whether all the phrase's words stand within one window of the text, at most
        one of them (in a loose phrase) with a typo a short word otherwise may not have."""
        missing = [w for w in phrase.words if w not in strict]
        if len(missing) > (1 if phrase.loose else 0):
            return False
        if missing and missing[0] not in loose:
            return False
        window = len(phrase.words) + _SLACK
        anchor = min(
            (w for w in phrase.words if w in strict), key=lambda w: len(strict[w]), default=None
        )
        if anchor is None:
            return False
        for a in strict[anchor]:
            for start in range(max(0, a - window + 1), a + 1):
                end = start + window  # exclusive
                typos = 0
                after = start  # an ordered phrase's next word stands here or later
                for word_id in phrase.words:
                    at = _first(strict.get(word_id), after, end)
                    if at is None and phrase.loose:
                        at = _first(loose.get(word_id), after, end)
                        typos += at is not None
                    if at is None or typos > 1:
                        break
                    if phrase.ordered:
                        after = at
                else:
                    return True
        return False


def _first(positions: list[int] | None, start: int, end: int) -> int | None:
    """The first position in [start, end), or None."""
    if not positions:
        return None
    i = bisect_left(positions, start)
    return positions[i] if i < len(positions) and positions[i] < end else None


@cache
def crisis_phrases() -> CrisisPhrases:
    index = load_yaml("crisis_phrases.yaml")
    lists = []
    not_typos = list(index.get("not_typos", []))
    for language in index["languages"]:
        data = load_yaml(f"crisis_phrases/{language}.yaml")
        lists.append((data.get("language", language), data["categories"]))
        not_typos += data.get("not_typos", [])
    return CrisisPhrases(lists, not_typos)


@lru_cache(maxsize=256)
def detect_crisis(text: str) -> CrisisHit | None:
    """The signs of acute danger in a typed text (read up to MAX_CHARS), or None.

    Remembers recent texts: a channel that checks a long text off the event loop
    (`asyncio.to_thread`) makes the engine's own check of the same text free."""
    return crisis_phrases().detect(text)
