"""Building the prompt a channel renders from a session's open question.

Kept apart from the engine so a host can render the open prompt again (after a
restart of the service, or in another language) without running a turn.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flows.engine import prompts as p
from flows.engine import wording as w
from flows.engine.answers import example_for
from flows.engine.flow_format import CHANNEL_TRAITS, Flow, QuestionType
from flows.engine.prompts import Prompt, PromptOption
from flows.engine.session import Answer, Pending, PendingKind, Session
from flows.texts import N_, Text, placeholders

__all__ = ["ALL_TRAITS", "build_prompt", "current_prompt", "facts_of", "fill"]

JSON = Any
UNKNOWN_VALUE = N_("onbekend")


def facts_of(flow: Flow, answers: Mapping[str, Answer], order: tuple[str, ...]) -> dict[str, JSON]:
    facts: dict[str, JSON] = {}
    for node_id in order:
        answer = answers.get(node_id)
        if answer is not None and node_id in flow.nodes:
            facts.update(answer.facts)
    return facts


def fill(msgid: str, facts: Mapping[str, JSON]) -> Text:
    """A flow text with its {fact} placeholders filled from the facts."""
    params: dict[str, Any] = {}
    for name in placeholders(msgid):
        value = facts.get(name)
        if isinstance(value, bool) or value is None or isinstance(value, list | dict):
            params[name] = Text(UNKNOWN_VALUE)
        else:
            params[name] = value
    return Text(msgid, params)


ALL_TRAITS = frozenset(CHANNEL_TRAITS)


def build_prompt(
    flow: Flow, session: Session, pending: Pending, traits: frozenset[str] = ALL_TRAITS
) -> Prompt:
    """The prompt a channel renders for an open question. An option that needs a
    channel trait the channel lacks (`requires`) is not offered."""
    yes_no = (PromptOption(p.YES, Text(w.YES)), PromptOption(p.NO, Text(w.NO)))
    if pending.kind in (PendingKind.CONFIRM_STOP, PendingKind.CONFIRM_RESTART):
        text = Text(
            w.STOP_CONFIRM if pending.kind == PendingKind.CONFIRM_STOP else w.RESTART_CONFIRM
        )
        return Prompt(pending.token, pending.node, pending.kind.value, text, yes_no, False)
    if pending.kind == PendingKind.CONFIRM_PLACE:
        msgid = w.PLACE_DID_YOU_MEAN if pending.known_place else w.PLACE_UNKNOWN
        text = Text(msgid, {"place": pending.place or ""})
        return Prompt(pending.token, pending.node, pending.kind.value, text, yes_no, True)
    if pending.kind == PendingKind.LANGUAGE:
        # Each language's name in its own script: not translated.
        languages = tuple(PromptOption(code, Text(name)) for code, name in pending.choices)
        text = Text(w.CHOOSE_LANGUAGE)
        kind = QuestionType.SINGLE_CHOICE.value
        return Prompt(
            pending.token, p.LANGUAGE_NODE, kind, text, languages, False, entry=flow.entry
        )
    if pending.kind == PendingKind.SUMMARY:
        changes = []
        for node_id, node in flow.nodes.items():  # in the flow's order
            if node.question is not None and node_id in session.answers:
                label = Text(w.SUMMARY_CHANGE, {"label": Text(node.question.label)})
                changes.append(PromptOption(p.change_option(node_id), label))
        submit = PromptOption(p.SUBMIT, Text(w.SUMMARY_SUBMIT))
        return Prompt(
            pending.token,
            pending.node,
            pending.kind.value,
            Text(w.SUMMARY_QUESTION),
            (submit, *changes),
            False,
        )
    question = flow.nodes[pending.node].question
    assert question is not None
    facts = facts_of(flow, session.answers, session.history)
    qtype = question.type
    options: list[PromptOption] = []
    if qtype == QuestionType.YES_NO:
        options.extend(yes_no)
    else:
        options.extend(
            PromptOption(o.id, Text(o.text), o.id in pending.selection)
            for o in question.options
            if set(o.requires) <= traits
        )
    if qtype == QuestionType.MULTIPLE_CHOICE:
        options.append(PromptOption(p.NONE, Text(w.MULTI_NONE)))
        options.append(PromptOption(p.DONE, Text(w.MULTI_DONE)))
    if not question.required:
        options.append(PromptOption(p.DONT_KNOW, Text(w.DONT_KNOW)))
        options.append(PromptOption(p.RATHER_NOT_SAY, Text(w.RATHER_NOT_SAY)))
    if question.languages:
        options.append(PromptOption(p.LANGUAGE, Text(w.OTHER_LANGUAGE)))
    choice_only = qtype in (
        QuestionType.SINGLE_CHOICE,
        QuestionType.MULTIPLE_CHOICE,
        QuestionType.YES_NO,
    )
    return Prompt(
        token=pending.token,
        node=pending.node,
        kind=qtype.value,
        text=fill(question.text, facts),
        options=tuple(options),
        accepts_text=not choice_only,
        multiple=qtype == QuestionType.MULTIPLE_CHOICE,
        example=example_for(question),
        max_length=question.max_length if qtype == QuestionType.TEXT else None,
        entry=flow.entry,
    )


def current_prompt(
    flow: Flow, session: Session, traits: frozenset[str] = ALL_TRAITS
) -> Prompt | None:
    """The open prompt of a session, to render it again (e.g. in another language)."""
    return build_prompt(flow, session, session.pending, traits) if session.pending else None
