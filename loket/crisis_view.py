"""What the crisis queue page shows (`loket.routes_crisis`), read in one unit of work:
each conversation with signs of danger that staff can act on (submitted, or with a
way to reach the person), each sign with its category, time and the Dutch label of
the question it came at (staff language), never the words; and the conversations
nobody can reach, counted per region and ISO week."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from flows.engine.flow_format import Action, Flow
from flows.engine.library import FlowLibrary, FlowNotFound, flow_library
from flows.texts import N_, Text
from locales import render
from loket.access import Staff
from storage.crisis_signs import CrisisFollowUp, WeekCount, crisis_signs
from storage.unit_of_work import UnitOfWork

__all__ = [
    "CRISIS_CATEGORIES",
    "CrisisPage",
    "CrisisRow",
    "SignLine",
    "load_crisis_page",
    "question_label",
]

# The kinds of danger the crisis layer names (flows.engine.crisis.CATEGORIES), and the
# typed crisis word ("command").
CRISIS_CATEGORIES: dict[str, str] = {
    "danger": N_("Direct gevaar"),
    "suicide": N_("Gedachten aan zelfdoding"),
    "self_harm": N_("Zichzelf pijn doen"),
    "violence": N_("Geweld"),
    "exploitation": N_("Uitbuiting"),
    "cold": N_("Buiten slapen in de kou"),
    "command": N_("Typte het crisiswoord"),
}
BEFORE_QUESTIONS = N_("Voor de eerste vraag")
UNKNOWN_QUESTION = N_("Een vraag die niet meer bestaat")
SUMMARY = N_("Het overzicht van de antwoorden")
NOT_RECORDED = N_("Niet bekend")


@dataclass(frozen=True)
class SignLine:
    category: str  # a msgid of the loket domain (the template translates it)
    at: datetime | None
    question: str  # already in the staff member's language (the flow's catalog)
    question_is_label: bool  # False: a msgid of the loket domain (no question known)


@dataclass(frozen=True)
class CrisisRow:
    item: CrisisFollowUp
    signs: list[SignLine]


@dataclass(frozen=True)
class CrisisPage:
    rows: list[CrisisRow]
    weeks: list[WeekCount]
    staff_names: dict[int, str]


def _flow(library: FlowLibrary, flow_id: str | None, node: str) -> Flow | None:
    """The newest version of the flow that still has this node."""
    if flow_id is None:
        return None
    try:
        newest = library.current(flow_id)
    except FlowNotFound:
        return None
    if node in newest.nodes:
        return newest
    older = sorted(
        (flow for (fid, _), flow in library.flows.items() if fid == flow_id),
        key=lambda flow: flow.version,
        reverse=True,
    )
    return next((flow for flow in older if node in flow.nodes), None)


def question_label(
    library: FlowLibrary, flow_id: str | None, node: str | None, locale: str
) -> tuple[str, bool]:
    """The question a sign came at, for staff: its short label from the flow, in the
    staff member's language (True), or a loket msgid when there is none (False). A
    sign without a node came before the first question, or (no flow either) was kept
    before signs recorded where they came."""
    if node is None:
        return (BEFORE_QUESTIONS if flow_id is not None else NOT_RECORDED), False
    flow = _flow(library, flow_id, node)
    found = flow.nodes[node] if flow is not None else None
    if found is None:
        return UNKNOWN_QUESTION, False
    if found.question is not None:
        return render(Text(found.question.label or found.question.text), locale), True
    if found.action is Action.SUMMARY:
        return SUMMARY, False
    return UNKNOWN_QUESTION, False


def _at(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def sign_lines(
    signs: tuple[Mapping[str, str], ...], library: FlowLibrary, flow_id: str, locale: str
) -> list[SignLine]:
    lines = []
    for sign in signs:
        category = str(sign.get("category", ""))
        node = sign.get("node")
        flow = sign.get("flow") or (flow_id if node is not None else None)
        label, is_label = question_label(library, flow, node, locale)
        lines.append(
            SignLine(
                CRISIS_CATEGORIES.get(category, category), _at(sign.get("at")), label, is_label
            )
        )
    return lines


async def load_crisis_page(
    uow: UnitOfWork, staff: Staff, locale: str, library: FlowLibrary | None = None
) -> CrisisPage:
    """The crisis queue within the staff member's regions (rows without a region only
    for staff of every region)."""
    library = library or flow_library()
    store = crisis_signs(uow)
    items = await store.to_follow_up(staff.scope)
    rows = [
        CrisisRow(item, sign_lines(item.signs, library, item.flow_id, locale)) for item in items
    ]
    names = {user.id: user.username for user in await uow.staff.all()}
    return CrisisPage(rows, await store.weekly_counts(staff.scope), names)
