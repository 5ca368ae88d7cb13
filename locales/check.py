"""Translation checks, run by `make test` (`python -m locales.check`) and the tests.

For every shipped language and domain: the catalog parses; every message of the
template is translated, with every plural form; nothing is fuzzy or obsolete; each
translation has exactly the `{placeholders}` of its source. Each problem names the
file, the line and the message id. `--report` also lists Dutch source sentences of
more than 20 words (B1 asks for short sentences).
"""

from __future__ import annotations

import re
import string
import sys
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileError, read_po

from locales import LOCALE_DIR, SOURCE_LOCALE
from locales.languages import LANGUAGES

__all__ = ["DOMAIN_LANGUAGES", "Problem", "check_all", "check_catalog", "long_sentences"]

# Which languages each domain ships in (besides the Dutch source).
DOMAIN_LANGUAGES: dict[str, tuple[str, ...]] = {
    "messages": tuple(lang.code for lang in LANGUAGES if lang.code != SOURCE_LOCALE),
    "loket": ("en",),
}
LONG_SENTENCE_WORDS = 20


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    msgid: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message} [msgid {self.msgid!r}]"


def _names(text: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return {"<malformed braces>"}


def _ids(message: Message) -> tuple[str, ...]:
    return tuple(message.id) if isinstance(message.id, tuple | list) else (str(message.id),)


def _forms(message: Message) -> list[str]:
    value = message.string
    if isinstance(value, tuple | list):
        return [str(v or "") for v in value]
    return [str(value or "")]


def _read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, abort_invalid=True)


def check_catalog(po_path: Path, template: Catalog, root: Path = LOCALE_DIR) -> list[Problem]:
    """Every problem of one catalog against its template."""
    name = (
        str(po_path.relative_to(root.parent))
        if po_path.is_relative_to(root.parent)
        else str(po_path)
    )
    try:
        catalog = _read(po_path)
    except (PoFileError, ValueError) as error:
        # Babel counts lines from 0 in this message.
        match = re.search(r"on (\d+)$", str(error))
        line = int(match.group(1)) + 1 if match else 0
        return [Problem(name, line, "", f"syntax error: {error}")]
    problems: list[Problem] = []
    plurals = catalog.num_plurals
    for message in catalog:
        if not message.id:
            continue
        msgid = _ids(message)[0]
        line = message.lineno or 0
        if message.id not in template:
            problems.append(Problem(name, line, msgid, "not in the template (run make i18n)"))
        if message.fuzzy:
            problems.append(Problem(name, line, msgid, "fuzzy: review and remove the flag"))
        forms = _forms(message)
        if message.pluralizable and len(forms) != plurals:
            problems.append(
                Problem(name, line, msgid, f"has {len(forms)} plural forms, needs {plurals}")
            )
        expected = set().union(*(_names(i) for i in _ids(message)))
        for index, form in enumerate(forms):
            label = f"plural form {index}" if message.pluralizable else "translation"
            if not form:
                problems.append(Problem(name, line, msgid, f"{label} is missing"))
                continue
            found = _names(form)
            # A plural form may leave out the count ("one month"), never add a name.
            fits = found <= expected if message.pluralizable else found == expected
            if not fits:
                problems.append(
                    Problem(
                        name,
                        line,
                        msgid,
                        f"{label} has placeholders {sorted(found)}, the source {sorted(expected)}",
                    )
                )
    for obsolete in catalog.obsolete.values():
        problems.append(Problem(name, obsolete.lineno or 0, _ids(obsolete)[0], "obsolete entry"))
    for message in template:
        if message.id and message.id not in catalog:
            problems.append(Problem(name, 0, _ids(message)[0], "missing from the catalog"))
    return problems


def check_all(root: Path = LOCALE_DIR) -> list[Problem]:
    problems: list[Problem] = []
    for domain, languages in DOMAIN_LANGUAGES.items():
        template = _read(root / f"{domain}.pot")
        for code in languages:
            path = root / code / "LC_MESSAGES" / f"{domain}.po"
            if not path.exists():
                problems.append(Problem(str(path), 0, "", f"no {domain} catalog for {code}"))
                continue
            problems.extend(check_catalog(path, template, root))
    return problems


def long_sentences(
    root: Path = LOCALE_DIR, limit: int = LONG_SENTENCE_WORDS
) -> list[tuple[int, str]]:
    """Dutch source sentences of more than `limit` words: (word count, sentence)."""
    found = []
    for domain in DOMAIN_LANGUAGES:
        for message in _read(root / f"{domain}.pot"):
            for source in _ids(message) if message.id else ():
                for sentence in re.split(r"(?<=[.!?])\s+", source):
                    words = len(sentence.split())
                    if words > limit:
                        found.append((words, sentence))
    return sorted(found, reverse=True)


def main(argv: list[str]) -> int:
    problems = check_all()
    for problem in problems:
        print(problem)
    if "--report" in argv:
        long = long_sentences()
        print(f"locales: {len(long)} Dutch source sentence(s) over {LONG_SENTENCE_WORDS} words")
        for words, sentence in long:
            print(f"  {words:3} words: {sentence}")
    total = sum(len(langs) for langs in DOMAIN_LANGUAGES.values())
    print(f"locales: {total} catalog(s) checked, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
