"""Which flow nodes a set of conversations visited (for scenario coverage checks)."""

from __future__ import annotations

from collections.abc import Iterable

from flows.engine.events import Event, QuestionAsked
from flows.engine.flow_format import Flow

__all__ = ["unvisited", "visited_nodes"]


def visited_nodes(events: Iterable[Event]) -> set[str]:
    """The nodes that events name: questions asked, messages said, actions done."""
    out: set[str] = set()
    for event in events:
        if isinstance(event, QuestionAsked):
            out.add(event.prompt.node)
        node = getattr(event, "node", None)
        if isinstance(node, str):
            out.add(node)
    return out


def unvisited(flow: Flow, visited: set[str]) -> list[str]:
    """The nodes of a flow that no conversation visited, in file order."""
    return [node_id for node_id in flow.nodes if node_id not in visited]
