"""For the case page tests: pre-aanmeldingen of every flow with every answer of the
flow set (each option of each question in turn, each value of each profile field in
turn), the raw ids a page must not show (from the screening profile and the flow
files, so a new field or option is checked too), and a page's visible text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import fields
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from flows.engine.crisis import CATEGORIES
from flows.engine.flow_format import Flow, Question, QuestionType
from flows.engine.library import flow_library
from flows.routing import recommend
from flows.screening_profile import (
    FIELD_NAMES,
    HOUSEHOLDS,
    INSTITUTIONS,
    JUSTICE_CONTACT,
    NUISANCE,
    PROBLEMS,
    SLEEPING_PLACES,
    SUPPORT_NEEDS,
    ScreeningProfile,
)
from storage.pre_aanmeldingen import Consent, NewPreAanmelding, Submitter

ROOT = Path(__file__).resolve().parents[2]
# The coded values of the screening profile (spec: screening profile 1.1).
PROFILE_CODES: dict[str, tuple[str, ...]] = {
    "sleeping_place": SLEEPING_PLACES,
    "institution": INSTITUTIONS,
    "nuisance": NUISANCE,
    "justice_contact": JUSTICE_CONTACT,
    "problems": PROBLEMS,
    "support_need": SUPPORT_NEEDS,
    "household": HOUSEHOLDS,
}
SKIPPED_HOW = ("dont_know", "rather_not_say")
PERSON_TEXT = "Tekst die de persoon typte"
SUBMITTER_PHONE = "+31451234567"
SUBMITTER_EMAIL = "sanne@radar.example"
PERSON_PHONE = "+31612345678"
PERSON_EMAIL = "persoon@example.org"
RELEASE = date(2025, 2, 1)


def intake_flows() -> list[Flow]:
    library = flow_library()
    return [library.current(flow_id) for flow_id in library.ids]


def raw_ids() -> set[str]:
    """Every field name and code of the profile, every fact and option id of the
    flows, and the codes of skipped answers and crisis signs."""
    found: set[str] = {*FIELD_NAMES, *SKIPPED_HOW, *CATEGORIES, "skipped", "crisis_signs"}
    for codes in PROFILE_CODES.values():
        found.update(codes)
    for flow in intake_flows():
        found.update(flow.local_facts)
        for node in flow.questions:
            assert node.question is not None
            found.add(node.question.fact)
            found.update(o.id for o in node.question.options)
    return found


def dutch_words() -> set[str]:
    """Every word of the Dutch source texts (both catalogs' message ids): an id that
    is also a Dutch word ("chat") cannot be told from the word on a page."""
    words: set[str] = set()
    for name in ("messages.pot", "loket.pot"):
        text = (ROOT / "locales" / name).read_text(encoding="utf-8")
        for line in text.splitlines():
            if line.startswith(("msgid ", '"')):
                words.update(w.lower() for w in re.findall(r"[\w-]+", line))
    return words


def shown_ids(text: str, ids: set[str]) -> set[str]:
    """The ids that stand as a word of their own in `text` (case as written)."""
    return {i for i in ids if re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", text)}


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """The text a person reads on a page (no tags, attributes or scripts)."""
    parser = _Visible()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def _sample(question: Question, turn: int) -> Any:
    options = question.options
    if question.type == QuestionType.MULTIPLE_CHOICE:
        return [o.id for o in options]
    if options and question.type == QuestionType.SINGLE_CHOICE:
        return options[turn % len(options)].id
    return {
        QuestionType.YES_NO: turn % 2 == 0,
        QuestionType.NUMBER: 3 + turn,
        QuestionType.DATE: RELEASE.isoformat(),
        QuestionType.MUNICIPALITY: "Heerlen",
    }.get(question.type, f"{PERSON_TEXT} {turn}")


def turns(flow: Flow) -> int:
    """As many records as the longest list of options: each option is chosen once."""
    longest = max(len(n.question.options) for n in flow.questions if n.question)
    return max(longest, *(len(c) for c in PROFILE_CODES.values()))


def full_profile(turn: int) -> ScreeningProfile:
    values: dict[str, Any] = {}
    for item in fields(ScreeningProfile):
        name = item.name
        if name in PROFILE_CODES:
            codes = PROFILE_CODES[name]
            values[name] = tuple(codes) if name == "problems" else codes[turn % len(codes)]
        elif name == "municipality":
            values[name] = "Heerlen"
        elif name == "detention_release_date":
            values[name] = RELEASE
        elif name in ("age", "homeless_months", "children"):
            values[name] = 20 + turn
        else:
            values[name] = turn % 2 == 1
    return ScreeningProfile(**values)


def answered_facts(flow: Flow) -> Iterator[Question]:
    """The flow's own answers that a record keeps (not names or contact details)."""
    registration = flow.registration
    assert registration is not None
    kept = set(flow.local_facts) - set(registration.facts)
    for node in flow.questions:
        question = node.question
        assert question is not None
        if question.fact in kept and not question.sets:
            kept.discard(question.fact)
            yield question


def full_submission(flow: Flow, turn: int, at: datetime) -> NewPreAanmelding:
    """A record of `flow` with every answer it keeps, a full profile, a skipped
    answer of each kind and a sign of danger."""
    registration = flow.registration
    assert registration is not None
    answers: dict[str, Any] = {q.fact: _sample(q, turn) for q in answered_facts(flow)}
    skipped = {"age": "dont_know", "homeless_repeated": "rather_not_say"}
    answers["skipped"] = skipped
    answers["crisis_signs"] = [
        {"category": CATEGORIES[turn % len(CATEGORIES)], "at": at.isoformat()},
        {"category": "command", "at": at.isoformat()},
    ]
    profile = full_profile(turn)
    profile = ScreeningProfile(
        **{f.name: getattr(profile, f.name) for f in fields(profile) if f.name not in skipped}
    )
    kind = registration.submitter
    submitter = (
        Submitter("self")
        if kind == "self"
        else Submitter(
            kind,
            name="Sanne Janssen",
            organisation="Radar",
            convenant_partner=True,
            contact=SUBMITTER_PHONE,
            email=SUBMITTER_EMAIL,
        )
    )
    preference, address = (
        (("phone", PERSON_PHONE) if turn % 2 else ("email", PERSON_EMAIL))
        if kind == "self"
        else ("via_submitter", None)
    )
    return NewPreAanmelding(
        channel="web",
        language="nl",
        submitter=submitter,
        consent=Consent(text_version="2025-01", at=at, given_by="client"),
        profile=profile,
        recommendation=recommend(profile, date(2025, 3, 3)),
        contact_preference=preference,
        contact_address=address,
        client_name="Jan de Vries",
        client_birth_date=date(1990, 5, 17),
        answers=answers,
        crisis_follow_up=True,
    )


NOW = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)
