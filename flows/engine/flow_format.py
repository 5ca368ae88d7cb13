"""The flow format: a conversation as versioned data (see docs/flows.md).

A flow is a set of nodes. A node may say something (`say`), ask one question
(`ask`), or do one of the engine's actions (`action`: summary, submit, result, end),
and then goes on along its exits (`next`). Exits carry declarative conditions
(`flows.conditions`), never Python. All texts are gettext message ids in plain Dutch.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flows.engine.registration import Registration

# What a channel can do: "typed_commands" (a text box where 'help', 'terug', 'stop'
# can be typed at any moment), "chat_messages" (the loket can write to the chat later).
CHANNEL_TRAITS = ("typed_commands", "chat_messages")
# Placeholders that flow texts may use besides facts: filled from the operator's data.
OPERATOR_FACTS = ("loket_contact",)

__all__ = [
    "ACTIONS",
    "CHANNEL_TRAITS",
    "DATE_RANGES",
    "OPERATOR_FACTS",
    "Action",
    "Exit",
    "Flow",
    "Node",
    "Option",
    "Question",
    "QuestionType",
]


class QuestionType(StrEnum):
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    YES_NO = "yes_no"
    NUMBER = "number"
    DATE = "date"
    MUNICIPALITY = "municipality"
    PHONE = "phone"
    EMAIL = "email"
    TEXT = "text"


class Action(StrEnum):
    SUMMARY = "summary"  # show every answer; each can be changed; then confirm
    SUBMIT = "submit"  # route and submit the pre-aanmelding (intake_submitted)
    RESULT = "result"  # show the advice, expectations, referrals and reference code
    END = "end"  # the conversation is over
    BEGIN = "begin"  # entry flow: start the flow chosen at its `options_from` question


ACTIONS = tuple(a.value for a in Action)

# Which dates a date question accepts, as (years back, years ahead) from today.
DATE_RANGES: dict[str, tuple[int, int]] = {
    "birth": (120, 0),
    "past": (100, 0),
    "future": (0, 20),
    "any": (100, 20),
}


@dataclass(frozen=True)
class Option:
    """A choice: its id (the value recorded), text, extra facts it sets, other words."""

    id: str
    text: str
    sets: Mapping[str, Any] = field(default_factory=dict)
    also: tuple[str, ...] = ()
    # Channel traits the option needs (e.g. "chat_messages": the loket can write to
    # this chat later); a channel without them does not offer the option.
    requires: tuple[str, ...] = ()


@dataclass(frozen=True)
class Question:
    type: QuestionType
    text: str
    label: str  # short name of the answer in the summary
    fact: str
    required: bool = False
    options: tuple[Option, ...] = ()  # the choices; extra buttons for other types
    minimum: int | None = None
    maximum: int | None = None
    max_length: int = 200
    dates: str = "any"
    derive_age: str | None = None  # a date question that also records an age fact
    example: str | None = None
    help: str | None = None
    sets: Mapping[str, Any] = field(default_factory=dict)  # constants recorded on an answer
    # The answer is about whoever types (a veldwerker's own name and phone): the host
    # keeps it per chat and fills it in next time, so it is typed once.
    remember: bool = False
    # Also offer "Andere taal": the language chooser, after which this question returns.
    languages: bool = False
    # Entry flow: the options are filled in by the library ("offered_flows": one per
    # flow whose `registration` has an `offer`, in its order).
    options_from: str | None = None

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)


@dataclass(frozen=True)
class Exit:
    to: str
    when: Mapping[str, Any] | None = None
    line: int = 0


@dataclass(frozen=True)
class Node:
    id: str
    say: str | None = None
    question: Question | None = None
    action: Action | None = None
    exits: tuple[Exit, ...] = ()
    depends_on: tuple[str, ...] = ()  # facts whose change makes this question asked again
    audience: str = "client"  # result node: "client" or "professional"
    line: int = 0
    say_more: tuple[str, ...] = ()  # `say` given as a list: the lines after the first

    @property
    def targets(self) -> tuple[str, ...]:
        return tuple(e.to for e in self.exits)


@dataclass(frozen=True)
class Flow:
    id: str
    version: int
    title: str
    start: str
    nodes: Mapping[str, Node]
    local_facts: Mapping[str, str] = field(default_factory=dict)  # name -> description
    texts: Mapping[str, str] = field(default_factory=dict)  # shared texts by key
    text_refs: frozenset[str] = frozenset()  # keys of `texts` that nodes use
    max_questions: int | None = None
    source: str = "<flow>"
    line_of: Mapping[str, int] = field(default_factory=dict)  # top-level key -> line
    # Who submits, where it is offered, which facts hold consent and contact.
    registration: Registration | None = None
    # The entry flow: what every conversation starts with (who the intake is for, the
    # language); it ends by choosing a flow (`action: begin`), never by submitting.
    entry: bool = False

    @property
    def questions(self) -> tuple[Node, ...]:
        return tuple(n for n in self.nodes.values() if n.question is not None)

    @property
    def about_someone(self) -> bool:
        """A professional or veldwerker registers someone else: reasons say "de persoon"."""
        return any(n.audience == "professional" for n in self.nodes.values())

    def fact_question(self, fact: str) -> Node | None:
        return next((n for n in self.questions if n.question and n.question.fact == fact), None)
