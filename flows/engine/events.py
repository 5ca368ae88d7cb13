"""What happened in a turn: past-tense events the host carries out and stores.

A host shows `message_created` (its `texts`, one line each) and `question_asked` (its
prompt), in order; every other event is a record (for storage, the staff queue, and
statistics). `to_json` gives each event as plain JSON with its `type`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from flows.engine.jsonable import to_json
from flows.engine.prompts import Prompt
from flows.engine.session import CrisisMark
from flows.routing import Recommendation
from flows.screening_profile import ScreeningProfile
from flows.texts import Text

__all__ = [
    "AnswerRecorded",
    "AnswerRejected",
    "AnswersCleared",
    "ChoiceRejected",
    "CrisisDetected",
    "Event",
    "FlowChosen",
    "IntakeSubmitted",
    "LanguageChanged",
    "MessageCreated",
    "QuestionAsked",
    "SessionEnded",
    "SessionRestarted",
    "SessionStarted",
    "SessionStopped",
    "SummaryItem",
    "SummaryShown",
    "event_to_json",
    "recommendation_to_json",
]

JSON = Any


@dataclass(frozen=True)
class Event:
    type: ClassVar[str] = "event"


@dataclass(frozen=True)
class SessionStarted(Event):
    type: ClassVar[str] = "session_started"
    flow_id: str
    flow_version: int
    locale: str


@dataclass(frozen=True)
class MessageCreated(Event):
    """Sentences to show, one line each. `kind`: say (the flow's own), help,
    correction (why an answer is asked again), crisis, summary, result, notice."""

    type: ClassVar[str] = "message_created"
    texts: tuple[Text, ...]
    kind: str
    node: str | None = None


@dataclass(frozen=True)
class QuestionAsked(Event):
    type: ClassVar[str] = "question_asked"
    prompt: Prompt


@dataclass(frozen=True)
class AnswerRecorded(Event):
    type: ClassVar[str] = "answer_recorded"
    node: str
    fact: str
    value: JSON
    status: str
    changed: bool = False  # replaced an earlier answer


@dataclass(frozen=True)
class AnswerRejected(Event):
    """A typed answer that does not fit; `code` says why (never the text itself)."""

    type: ClassVar[str] = "answer_rejected"
    node: str
    code: str


@dataclass(frozen=True)
class ChoiceRejected(Event):
    """A button that does not belong to the open prompt (stale or forged)."""

    type: ClassVar[str] = "choice_rejected"
    token: str
    option: str
    reason: str  # stale_token, unknown_option, no_prompt


@dataclass(frozen=True)
class AnswersCleared(Event):
    """Answers dropped: `back`, a change that took them off the path, or depends_on."""

    type: ClassVar[str] = "answers_cleared"
    nodes: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class CrisisDetected(Event):
    """Signs of acute danger; the session is marked for staff follow-up."""

    type: ClassVar[str] = "crisis_detected"
    node: str | None
    source: str  # text or command
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class SummaryItem:
    node: str
    label: Text
    answer: Text


@dataclass(frozen=True)
class SummaryShown(Event):
    type: ClassVar[str] = "summary_shown"
    node: str
    items: tuple[SummaryItem, ...]
    recommendation: Recommendation  # what submitting now would advise


@dataclass(frozen=True)
class IntakeSubmitted(Event):
    """The pre-aanmelding: profile, flow-local facts, advice and reference code."""

    type: ClassVar[str] = "intake_submitted"
    node: str
    reference: str
    flow_id: str
    flow_version: int
    profile: ScreeningProfile
    local_facts: Mapping[str, JSON]
    skipped: Mapping[str, str]  # fact -> dont_know or rather_not_say
    recommendation: Recommendation
    crisis: bool
    submitted_at: datetime
    crisis_marks: tuple[CrisisMark, ...] = ()  # category and time of each sign


@dataclass(frozen=True)
class SessionStopped(Event):
    type: ClassVar[str] = "session_stopped"
    discarded: tuple[str, ...] = field(default=())  # the nodes whose answers were wiped


@dataclass(frozen=True)
class SessionRestarted(Event):
    type: ClassVar[str] = "session_restarted"


@dataclass(frozen=True)
class SessionEnded(Event):
    type: ClassVar[str] = "session_ended"
    node: str
    submitted: bool


@dataclass(frozen=True)
class FlowChosen(Event):
    """The entry flow is done: the host starts `flow_id` in the session's language,
    carrying the crisis marks along (the entry session ends here)."""

    type: ClassVar[str] = "flow_chosen"
    node: str
    flow_id: str


@dataclass(frozen=True)
class LanguageChanged(Event):
    """The host renders every later text (and may re-render the prompt) in `locale`."""

    type: ClassVar[str] = "language_changed"
    locale: str


def recommendation_to_json(recommendation: Recommendation) -> dict[str, JSON]:
    return {
        "product": recommendation.product,
        "eligible": list(recommendation.eligible),
        "region": recommendation.region,
        "municipality": recommendation.municipality,
        "reasons": [to_json(r) for r in recommendation.reasons],
        "referrals": list(recommendation.referrals),
        "rules_version": recommendation.rules_version,
    }


def event_to_json(event: Event) -> dict[str, JSON]:
    """An event as plain JSON: {"type": ..., fields...}."""
    out: dict[str, JSON] = {"type": event.type}
    for name in event.__dataclass_fields__:
        value = getattr(event, name)
        if isinstance(value, Recommendation):
            out[name] = recommendation_to_json(value)
        elif isinstance(value, ScreeningProfile):
            out[name] = value.to_json()
        else:
            out[name] = to_json(value)
    return out
