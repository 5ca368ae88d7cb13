"""Lint for loaded flows: what loads and runs, but is probably a mistake.

The loader already refuses what cannot run (unknown facts, unknown message ids, dead
ends, unknown nodes, circles). Lint adds: nodes no path reaches, texts and local facts
that are never used, conditions on facts no question sets, a submission without a
summary before it, a result before the submission, and more questions than the flow's
`max_questions` allows on its longest path.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

from flows.conditions import facts_of
from flows.engine.flow_format import Action, Flow, Node
from flows.engine.loader import FlowProblem

__all__ = ["facts_set", "lint", "longest_question_path", "messages_of", "reachable"]


def reachable(flow: Flow) -> set[str]:
    seen: set[str] = set()
    todo = [flow.start]
    while todo:
        node_id = todo.pop()
        if node_id in seen:
            continue
        seen.add(node_id)
        todo.extend(flow.nodes[node_id].targets)
    return seen


def facts_set(flow: Flow) -> set[str]:
    """Every fact some answer in the flow can record."""
    out: set[str] = set()
    for node in flow.questions:
        question = node.question
        assert question is not None
        out.add(question.fact)
        out.update(question.sets)
        if question.derive_age:
            out.add(question.derive_age)
        for option in question.options:
            out.update(option.sets)
    return out


def _conditions(node: Node) -> Iterator[Mapping[str, Any]]:
    for exit_ in node.exits:
        if exit_.when is not None:
            yield exit_.when


def longest_question_path(flow: Flow) -> tuple[int, list[str]]:
    """The most questions on one path from the start to a submission (or an end).
    Remembered questions (the typist's own details, typed once) do not count."""

    @cache
    def longest(node_id: str) -> tuple[int, tuple[str, ...]]:
        node = flow.nodes[node_id]
        asks = node.question is not None and not node.question.remember
        here = (node_id,) if asks else ()
        if node.action in (Action.SUBMIT, Action.END) or not node.targets:
            return len(here), here
        best = max((longest(t) for t in node.targets), key=lambda pair: pair[0])
        return len(here) + best[0], here + best[1]

    count, path = longest(flow.start)
    return count, list(path)


def _paths_avoiding(flow: Flow, stop: Action, target: Action) -> str | None:
    """A node of kind `target` reachable from the start without passing a `stop` node."""
    seen: set[str] = set()
    todo = [flow.start]
    while todo:
        node_id = todo.pop()
        if node_id in seen:
            continue
        seen.add(node_id)
        node = flow.nodes[node_id]
        if node.action == target:
            return node_id
        if node.action == stop:
            continue
        todo.extend(node.targets)
    return None


def lint(flow: Flow) -> list[FlowProblem]:
    """Every lint finding of a loaded flow, with its line."""
    found: list[FlowProblem] = []

    def add(line: int, message: str) -> None:
        found.append(FlowProblem(flow.source, line, message))

    reached = reachable(flow)
    for node_id, node in flow.nodes.items():
        if node_id not in reached:
            add(node.line, f"node {node_id!r} is unreachable: no path from the start leads to it")
    for key in flow.texts:
        if key not in flow.text_refs:
            add(flow.line_of.get("texts", 1), f"texts.{key} is never used")
    recorded = facts_set(flow)
    for name in flow.local_facts:
        if name not in recorded:
            add(flow.line_of.get("local_facts", 1), f"local fact {name!r} is never set")
    for node in flow.nodes.values():
        tested = set().union(*(facts_of(c) for c in _conditions(node)))
        tested |= set(node.depends_on)
        for name in sorted(tested - recorded):
            add(node.line, f"node {node.id!r} tests {name!r}, which no question sets")
    actions = {node.action for node in flow.nodes.values()}
    registration = flow.registration
    if flow.entry:
        return sorted(found, key=lambda p: p.line)  # it chooses a flow; it submits nothing
    if registration is None:
        add(
            1,
            "the flow has no 'registration': say who submits it, where the start screen "
            "offers it, and which facts hold the consent and the contact details",
        )
    elif registration.consent_version not in recorded:
        add(
            flow.line_of.get("registration", 1),
            f"registration.consent_version: no question records "
            f"{registration.consent_version!r} (with 'sets')",
        )
    if Action.SUBMIT not in actions:
        add(flow.line_of.get("nodes", 1), "the flow has no 'action: submit' node")
    else:
        early = _paths_avoiding(flow, Action.SUMMARY, Action.SUBMIT)
        if early is not None:
            add(
                flow.nodes[early].line,
                f"node {early!r} submits without a summary before it on some path",
            )
    if Action.RESULT in actions:
        early = _paths_avoiding(flow, Action.SUBMIT, Action.RESULT)
        if early is not None:
            add(
                flow.nodes[early].line,
                f"node {early!r} shows a result before anything was submitted on some path",
            )
    if flow.max_questions is not None:
        count, path = longest_question_path(flow)
        if count > flow.max_questions:
            add(
                flow.line_of.get("max_questions", 1),
                f"the longest path asks {count} questions, more than max_questions "
                f"({flow.max_questions}): {' -> '.join(path)}",
            )
    return sorted(found, key=lambda p: p.line)


def messages_of(flow: Flow) -> list[tuple[int, str]]:
    """Every message id a flow shows, with the line of its node (for catalog checks)."""
    out: list[tuple[int, str]] = [(flow.line_of.get("title", 1), flow.title)]
    for node in flow.nodes.values():
        texts = [node.say, *node.say_more]
        if node.question is not None:
            q = node.question
            texts += [q.text, q.label, q.example, q.help, *(o.text for o in q.options)]
        out.extend((node.line, text) for text in texts if text)
    return out
