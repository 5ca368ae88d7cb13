"""A pre-aanmelding's answers as staff read them: each with its question's label
and the chosen option's text (from the flow the record was made on), the screening
profile with the labels of `loket.labels`, yes/no, dates, numbers and lists in the
staff language. Raw ids stay in the exports only.

Everything here is plain text; the template escapes it (a person's own words stay
words, never markup).
"""

from __future__ import annotations

import gettext
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime
from functools import cached_property
from typing import Any

from babel.dates import format_date, format_datetime
from babel.lists import format_list
from babel.numbers import format_decimal

from flows.engine.flow_format import Flow, Question, QuestionType
from flows.engine.library import FlowLibrary, flow_library
from flows.screening_profile import ScreeningProfile
from intake.submission import iso_day
from loket import labels
from loket.i18n import dashboard_translations
from storage.pre_aanmeldingen import PreAanmelding
from storage.reports import LOKET_TIME_ZONE

__all__ = [
    "CARE_FACTS",
    "HOUSEHOLD_FIELDS",
    "SUBMITTER_FACTS",
    "CaseAnswers",
    "Line",
    "StaffWords",
]

# Answers shown with the submitter, with the care organisation, and not at all (the
# list of skipped questions and the signs of danger are shown in their own way).
SUBMITTER_FACTS = ("role",)
CARE_FACTS = ("care_organisation_name",)
HOUSEHOLD_FIELDS = ("household", "children")
_OWN_SECTIONS = ("skipped", "crisis_signs")


@dataclass(frozen=True)
class Line:
    """One line of the case page: a label and its value, both plain text."""

    label: str
    value: str


class StaffWords:
    """Texts, yes/no, dates, numbers and lists in the staff member's language."""

    def __init__(self, locale: str) -> None:
        self.locale = locale
        self._catalog: gettext.NullTranslations = dashboard_translations(locale)

    def text(self, msgid: str) -> str:
        """A dashboard or flow text (both catalogs) in the staff language."""
        return self._catalog.gettext(msgid)

    def yes_no(self, value: bool) -> str:
        return self.text(labels.YES if value else labels.NO)

    def day(self, value: date) -> str:
        return str(format_date(value, "long", locale=self.locale))

    def moment(self, value: datetime) -> str:
        return str(format_datetime(value, "medium", tzinfo=LOKET_TIME_ZONE, locale=self.locale))

    def number(self, value: int | float) -> str:
        return str(format_decimal(value, locale=self.locale))

    def listing(self, items: Iterable[str]) -> str:
        parts = list(items)
        return str(format_list(parts, locale=self.locale)) if parts else "—"

    def plain(self, value: Any) -> str:
        """A value no label list knows: yes/no, a date, a number or the text itself."""
        if value is None:
            return "—"
        if isinstance(value, bool):
            return self.yes_no(value)
        if isinstance(value, datetime):
            return self.moment(value)
        if isinstance(value, date):
            return self.day(value)
        if isinstance(value, int | float):
            return self.number(value)
        if isinstance(value, list | tuple):
            return self.listing(self.plain(v) for v in value)
        if isinstance(value, Mapping):
            return "; ".join(f"{k}: {self.plain(v)}" for k, v in value.items())
        return str(value)


@dataclass(frozen=True)
class CaseAnswers:
    """The answers of one pre-aanmelding, read through its flow."""

    item: PreAanmelding
    words: StaffWords
    library: FlowLibrary | None = None

    @cached_property
    def flows(self) -> list[Flow]:
        """The record's flow (by who submitted it) first, then every other flow and
        version: a fact is looked up in the first that asks for it."""
        library = self.library or flow_library()
        found: list[Flow] = []
        own = library.for_submitter(self.item.submitter.kind)
        if own is not None:
            found.append(own)
        found += [library.current(flow_id) for flow_id in library.ids]
        found += list(library.flows.values())
        unique: dict[tuple[str, int], Flow] = {}
        for flow in found:
            unique.setdefault((flow.id, flow.version), flow)
        return list(unique.values())

    def question(self, fact: str) -> Question | None:
        for flow in self.flows:
            node = flow.fact_question(fact)
            if node is not None and node.question is not None:
                return node.question
        return None

    def fact_label(self, fact: str) -> str:
        if fact in labels.PROFILE_FIELDS:
            return self.words.text(labels.PROFILE_FIELDS[fact])
        question = self.question(fact)
        return self.words.text(question.label) if question is not None else fact

    def answer_value(self, fact: str, value: Any) -> str:
        """An answer in words: the option's text, yes/no, a date, a number, the text."""
        question = self.question(fact)
        if question is None:
            return self.words.plain(value)
        if isinstance(value, list | tuple):
            return self.words.listing(self._option(question, v) for v in value)
        if isinstance(value, str):
            day = iso_day(value) if question.type == QuestionType.DATE else None
            return self.words.day(day) if day is not None else self._option(question, value)
        return self.words.plain(value)

    def _option(self, question: Question, value: Any) -> str:
        option = question.option(value) if isinstance(value, str) else None
        return self.words.text(option.text) if option is not None else self.words.plain(value)

    def profile_value(self, name: str, value: Any) -> str:
        texts = labels.PROFILE_VALUES.get(name, {})
        if isinstance(value, list | tuple):
            return self.words.listing(self.words.text(texts.get(str(v), str(v))) for v in value)
        if isinstance(value, str) and value in texts:
            return self.words.text(texts[value])
        return self.words.plain(value)

    @cached_property
    def skipped(self) -> dict[str, str]:
        """Skipped questions: fact -> "weet ik niet" or "zegt liever niet"."""
        raw = self.item.answers.get("skipped")
        if not isinstance(raw, Mapping):
            return {}
        return {
            str(fact): self.words.text(labels.SKIPPED.get(str(how), labels.SKIPPED["dont_know"]))
            for fact, how in raw.items()
        }

    def _profile_line(self, name: str) -> Line | None:
        value = getattr(self.item.profile, name)
        if value is not None:
            return Line(self.fact_label(name), self.profile_value(name, value))
        if name in self.skipped:
            return Line(self.fact_label(name), self.skipped[name])
        return None

    def profile(self) -> list[Line]:
        """The screening profile, without the household (shown on its own)."""
        names = [f.name for f in fields(ScreeningProfile) if f.name not in HOUSEHOLD_FIELDS]
        return [line for name in names if (line := self._profile_line(name)) is not None]

    def household(self) -> list[Line]:
        return [line for name in HOUSEHOLD_FIELDS if (line := self._profile_line(name))]

    def _answer_line(self, fact: str) -> Line | None:
        if fact in self.item.answers:
            return Line(self.fact_label(fact), self.answer_value(fact, self.item.answers[fact]))
        if fact in self.skipped:
            return Line(self.fact_label(fact), self.skipped[fact])
        return None

    def answers(self) -> list[Line]:
        """The flow's own answers (not the profile's, the submitter's, the care's)."""
        shown_elsewhere = {*SUBMITTER_FACTS, *CARE_FACTS, *_OWN_SECTIONS}
        facts = [f for f in self.item.answers if f not in shown_elsewhere]
        facts += [
            f
            for f in self.skipped
            if f not in self.item.answers
            and f not in labels.PROFILE_FIELDS
            and f not in shown_elsewhere
        ]
        return [line for fact in facts if (line := self._answer_line(fact)) is not None]

    def care(self) -> list[Line]:
        """Whether a care organisation supports the person, and which one."""
        lines = [line for line in [self._profile_line("care_organisation")] if line]
        for fact in CARE_FACTS:
            line = self._answer_line(fact)
            if line is not None:
                lines.append(Line(self.words.text(labels.CASE_LABELS[fact]), line.value))
        return lines

    def submitter(self) -> list[Line]:
        """Who submitted it and how to reach them (each detail given)."""
        who = self.item.submitter
        t = self.words.text
        lines = []
        if who.name:
            lines.append(Line(t(labels.CASE_LABELS["submitter_name"]), who.name))
        if who.organisation:
            lines.append(Line(t(labels.CASE_LABELS["submitter_organisation"]), who.organisation))
        for fact in SUBMITTER_FACTS:
            line = self._answer_line(fact)
            if line is not None:
                lines.append(Line(t(labels.CASE_LABELS["submitter_role"]), line.value))
        emails = [who.email] if who.email else []
        if who.contact and "@" in who.contact:
            emails.insert(0, who.contact)
        elif who.contact:
            lines.append(Line(t(labels.CASE_LABELS["submitter_phone"]), who.contact))
        for email in dict.fromkeys(emails):
            lines.append(Line(t(labels.CASE_LABELS["submitter_email"]), email))
        return lines

    def contact(self) -> list[Line]:
        """How the loket reaches the person: the preference and its address."""
        item = self.item
        preference = labels.CONTACT_PREFERENCES.get(item.contact_preference)
        t = self.words.text
        lines = [
            Line(
                t(labels.CASE_LABELS["contact_preference"]),
                t(preference) if preference else item.contact_preference,
            )
        ]
        address = item.contact_address
        if address and item.contact_preference in ("phone", "email"):
            lines.append(Line(t(labels.CASE_LABELS[item.contact_preference]), address))
        return lines

    def crisis_signs(self) -> list[Line]:
        """Each sign of danger: its category and when (never the words)."""
        raw = self.item.answers.get("crisis_signs")
        lines = []
        for sign in raw if isinstance(raw, list) else []:
            if not isinstance(sign, Mapping):
                continue
            category = str(sign.get("category", ""))
            label = labels.CRISIS_CATEGORIES.get(category)
            when = sign.get("at")
            try:
                moment = self.words.moment(datetime.fromisoformat(str(when)))
            except ValueError:
                moment = "—"
            lines.append(Line(self.words.text(label) if label else category, moment))
        return lines
