"""Where people stop, as staff read it: per flow a table of its questions in the
flow's order, each with how many conversations reached it, how many ended there
without sending, and the share that ended there.

Counts below 5, 0 included, show as "<5" (and the share that stopped only when 5 or
more stopped), so that a figure never points at one or two people a staff member may
remember, and "none" cannot be told from "one" at a follow-up question whose reach
follows from an answer (docs/privacy.md).
The labels are the flows' own Dutch texts (translated for English staff through the
shared catalog) and the dashboard's; the page translates them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from babel.numbers import format_decimal, format_percent

from flows.engine.flow_format import Action, Flow
from flows.engine.library import FlowLibrary, FlowNotFound, offered_flows
from flows.texts import N_
from storage.drop_off import DropOffFigure

__all__ = [
    "CHANNEL_NAMES",
    "LANGUAGE_NAMES",
    "SMALL_COUNT",
    "DropOffRow",
    "DropOffTable",
    "build_tables",
    "flow_order",
    "flow_title",
]

SMALL_COUNT = 5  # counts below this show as "<5"

ENTRY_TITLE = N_("Startscherm: voor wie en in welke taal")
SUMMARY_LABEL = N_("Overzicht van de antwoorden, voor het versturen")
OLDER_LABEL = N_("Vraag uit een oudere versie (%(node)s)")

# The languages the bot speaks, by their Dutch names (staff read them).
LANGUAGE_NAMES: dict[str, str] = {
    "nl": N_("Nederlands"),
    "en": N_("Engels"),
    "pl": N_("Pools"),
    "ro": N_("Roemeens"),
    "uk": N_("Oekraïens"),
    "ar": N_("Arabisch"),
    "tr": N_("Turks"),
    "bg": N_("Bulgaars"),
    "ru": N_("Russisch"),
    "de": N_("Duits"),
}

CHANNEL_NAMES: dict[str, str] = {
    "web": N_("Webchat"),
    "telegram": N_("Telegram"),
    "console": N_("Console (test)"),
}


@dataclass(frozen=True)
class DropOffRow:
    """One question (or the summary) of a flow; the texts are ready to show, except
    `label`, a Dutch source text with its `values` (the page translates it)."""

    node_id: str
    label: str
    values: Mapping[str, str]
    reached: str
    left: str
    share: str  # "" when it is not shown (no one reached it, or a small count)


@dataclass(frozen=True)
class DropOffTable:
    flow_id: str
    title: str  # a Dutch source text (the page translates it)
    rows: tuple[DropOffRow, ...]


def flow_order(library: FlowLibrary) -> list[str]:
    """The flows as staff know them: the start screen, then the flows in the start
    screen's order, then any other."""
    offered = [flow_id for flow_id, _ in offered_flows(library)]
    rest = [flow_id for flow_id in library.ids if flow_id not in offered]
    return [library.entry.id, *offered, *rest]


def flow_title(library: FlowLibrary, flow_id: str) -> str:
    """A flow's name for staff (a Dutch source text), or its id when it is gone."""
    try:
        flow = library.current(flow_id)
    except FlowNotFound:
        return flow_id
    return ENTRY_TITLE if flow.entry else flow.title


def _prompt_nodes(flow: Flow) -> list[tuple[str, str]]:
    """(node id, Dutch label) of every node a conversation can stop at, in order."""
    found = []
    for node in flow.nodes.values():
        if node.question is not None:
            found.append((node.id, node.question.label or node.question.text))
        elif node.action == Action.SUMMARY:
            found.append((node.id, SUMMARY_LABEL))
    return found


def _count(n: int, locale: str) -> str:
    if n < SMALL_COUNT:  # 0 too: "none" would tell a follow-up question from "one"
        return f"<{SMALL_COUNT}"
    return str(format_decimal(n, locale=locale))


def _share(reached: int, left: int, locale: str) -> str:
    if left < SMALL_COUNT:  # (then reached >= left >= 5: never a division by zero)
        return ""
    return str(format_percent(left / reached, locale=locale))


def _row(node_id: str, label: str, figure: DropOffFigure | None, locale: str) -> DropOffRow:
    reached, left = (figure.reached, figure.left) if figure is not None else (0, 0)
    values = {"node": node_id} if label == OLDER_LABEL else {}
    return DropOffRow(
        node_id,
        label,
        values,
        _count(reached, locale),
        _count(left, locale),
        _share(reached, left, locale),
    )


def build_tables(
    figures: Iterable[DropOffFigure], library: FlowLibrary, locale: str
) -> list[DropOffTable]:
    """One table per flow that has figures, in `flow_order`: every question of the
    flow's current version in its order, then any counted node that version no
    longer has (an older version's question)."""
    by_flow: dict[str, dict[str, DropOffFigure]] = {}
    for figure in figures:
        by_flow.setdefault(figure.flow_id, {})[figure.node_id] = figure
    order = flow_order(library)
    tables = []
    for flow_id in sorted(by_flow, key=lambda f: (order.index(f) if f in order else len(order), f)):
        counted = by_flow[flow_id]
        try:
            nodes = _prompt_nodes(library.current(flow_id))
        except FlowNotFound:
            nodes = []
        known = {node_id for node_id, _ in nodes}
        rows = [_row(node_id, label, counted.get(node_id), locale) for node_id, label in nodes]
        rows += [
            _row(node_id, OLDER_LABEL, figure, locale)
            for node_id, figure in sorted(counted.items())
            if node_id not in known
        ]
        tables.append(DropOffTable(flow_id, flow_title(library, flow_id), tuple(rows)))
    return tables
