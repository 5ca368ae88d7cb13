"""A conversation in progress: plain data that survives a JSON round trip.

A session records the flow id and version it started on, every answer with the facts
it set, the order of answering (for "back"), the open prompt, and the crisis flag the
host stores for staff follow-up. The engine never changes a session; it returns a
new one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

__all__ = [
    "SESSION_SCHEMA",
    "Answer",
    "AnswerStatus",
    "CrisisMark",
    "Pending",
    "PendingKind",
    "Session",
    "SessionStatus",
    "Submission",
]

SESSION_SCHEMA = 1
JSON = Any


class SessionStatus(StrEnum):
    ACTIVE = "active"
    FINISHED = "finished"  # reached an end node (submitted or not)
    STOPPED = "stopped"  # the person stopped; the draft was discarded


class AnswerStatus(StrEnum):
    GIVEN = "given"
    DONT_KNOW = "dont_know"
    RATHER_NOT_SAY = "rather_not_say"


class PendingKind(StrEnum):
    QUESTION = "question"
    CONFIRM_PLACE = "confirm_place"
    CONFIRM_STOP = "confirm_stop"
    CONFIRM_RESTART = "confirm_restart"
    SUMMARY = "summary"
    LANGUAGE = "language"  # the language chooser; `resume` is the prompt to return to


@dataclass(frozen=True)
class Answer:
    value: JSON  # None when skipped
    status: AnswerStatus
    facts: Mapping[str, JSON] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "status": self.status.value, "facts": dict(self.facts)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Answer:
        return cls(data["value"], AnswerStatus(data["status"]), dict(data["facts"]))


@dataclass(frozen=True)
class Pending:
    """The open prompt: what the next input answers, and its token."""

    kind: PendingKind
    node: str
    token: str
    selection: tuple[str, ...] = ()  # multiple choice: options ticked so far
    place: str | None = None  # confirm_place: the name to confirm
    known_place: bool = True  # confirm_place: a known name (else: as typed)
    resume: Pending | None = None  # confirm_stop/restart, language: the prompt to return to
    # language: the (code, own name) of each language offered, as they were offered
    choices: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind.value, "node": self.node, "token": self.token}
        if self.selection:
            out["selection"] = list(self.selection)
        if self.place is not None:
            out["place"] = self.place
        if not self.known_place:
            out["known_place"] = False
        if self.resume is not None:
            out["resume"] = self.resume.to_json()
        if self.choices:
            out["choices"] = [list(choice) for choice in self.choices]
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Pending:
        return cls(
            kind=PendingKind(data["kind"]),
            node=data["node"],
            token=data["token"],
            selection=tuple(data.get("selection", ())),
            place=data.get("place"),
            known_place=bool(data.get("known_place", True)),
            resume=cls.from_json(data["resume"]) if data.get("resume") else None,
            choices=tuple((str(c), str(n)) for c, n in data.get("choices", ())),
        )


@dataclass(frozen=True)
class Submission:
    reference: str
    on: date  # the screening date the advice was made for
    at: datetime

    def to_json(self) -> dict[str, Any]:
        return {"reference": self.reference, "on": self.on.isoformat(), "at": self.at.isoformat()}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Submission:
        return cls(
            data["reference"], date.fromisoformat(data["on"]), datetime.fromisoformat(data["at"])
        )


@dataclass(frozen=True)
class CrisisMark:
    """A sign of danger seen in the conversation, for staff follow-up: its category
    ("command" when the person typed the crisis word), when, and the question it came
    at (the flow and node ids; None before the first question or in a mark stored
    before they were kept); never the words."""

    category: str
    at: datetime
    node: str | None = None
    flow: str | None = None

    def to_json(self) -> dict[str, str]:
        out = {"category": self.category, "at": self.at.isoformat()}
        if self.node is not None:
            out["node"] = self.node
        if self.flow is not None:
            out["flow"] = self.flow
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CrisisMark:
        node, flow = data.get("node"), data.get("flow")
        return cls(
            str(data["category"]),
            datetime.fromisoformat(data["at"]),
            None if node is None else str(node),
            None if flow is None else str(flow),
        )


@dataclass(frozen=True)
class Session:
    id: str
    flow_id: str
    flow_version: int
    locale: str
    started_at: datetime
    updated_at: datetime
    status: SessionStatus = SessionStatus.ACTIVE
    answers: Mapping[str, Answer] = field(default_factory=dict)
    history: tuple[str, ...] = ()  # answered nodes, oldest first ("back" takes the last)
    shown: tuple[str, ...] = ()  # nodes whose message or result has been shown
    pending: Pending | None = None
    seq: int = 0  # prompts issued; makes each prompt's token
    crisis: bool = False  # signs of acute danger: staff follow-up
    crisis_marks: tuple[CrisisMark, ...] = ()  # which signs and when (not the words)
    summary_confirmed: bool = False
    changing: str | None = None  # a node being changed from the summary
    submission: Submission | None = None
    # The typist's own details from an earlier intake (fact -> value, `remember`
    # questions): filled in when the walk reaches their question.
    remembered: Mapping[str, JSON] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return self.status == SessionStatus.ACTIVE

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SESSION_SCHEMA,
            "id": self.id,
            "flow_id": self.flow_id,
            "flow_version": self.flow_version,
            "locale": self.locale,
            "started_at": self.started_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "status": self.status.value,
            "answers": {node: a.to_json() for node, a in self.answers.items()},
            "history": list(self.history),
            "shown": list(self.shown),
            "pending": self.pending.to_json() if self.pending else None,
            "seq": self.seq,
            "crisis": self.crisis,
            "crisis_marks": [m.to_json() for m in self.crisis_marks],
            "summary_confirmed": self.summary_confirmed,
            "changing": self.changing,
            "submission": self.submission.to_json() if self.submission else None,
            **({"remembered": dict(self.remembered)} if self.remembered else {}),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Session:
        if data.get("schema") != SESSION_SCHEMA:
            raise ValueError(f"unknown session schema {data.get('schema')!r}")
        return cls(
            id=data["id"],
            flow_id=data["flow_id"],
            flow_version=int(data["flow_version"]),
            locale=data["locale"],
            started_at=datetime.fromisoformat(data["started_at"]),
            updated_at=datetime.fromisoformat(data["updated_at"]),
            status=SessionStatus(data["status"]),
            answers={node: Answer.from_json(a) for node, a in data["answers"].items()},
            history=tuple(data["history"]),
            shown=tuple(data["shown"]),
            pending=Pending.from_json(data["pending"]) if data.get("pending") else None,
            seq=int(data["seq"]),
            crisis=bool(data["crisis"]),
            crisis_marks=tuple(CrisisMark.from_json(m) for m in data.get("crisis_marks", ())),
            summary_confirmed=bool(data["summary_confirmed"]),
            changing=data.get("changing"),
            submission=Submission.from_json(data["submission"]) if data.get("submission") else None,
            remembered=dict(data.get("remembered") or {}),
        )
