"""The summary before submission: each answer on the path, as a person reads it."""

from __future__ import annotations

from datetime import date

from flows.engine import wording as w
from flows.engine.events import SummaryItem
from flows.engine.flow_format import Flow, QuestionType
from flows.engine.session import Answer, AnswerStatus
from flows.texts import N_, Text

__all__ = ["VALUE", "answer_text", "summary_items"]

VALUE = N_("{value}")


def _join(parts: list[Text]) -> Text:
    if len(parts) == 1:
        return parts[0]
    return Text(w.ANSWER_LIST, {"first": parts[0], "rest": _join(parts[1:])})


def answer_text(flow: Flow, node_id: str, answer: Answer) -> Text:
    """An answer in words: the option's text, ja/nee, a date, a number, or the text."""
    question = flow.nodes[node_id].question
    assert question is not None
    if answer.status == AnswerStatus.DONT_KNOW:
        return Text(w.ANSWER_DONT_KNOW)
    if answer.status == AnswerStatus.RATHER_NOT_SAY:
        return Text(w.ANSWER_RATHER_NOT_SAY)
    value = answer.value
    if question.type == QuestionType.YES_NO and isinstance(value, bool):
        return Text(w.ANSWER_YES if value else w.ANSWER_NO)
    if isinstance(value, list):
        texts = [Text(o.text) for o in question.options if o.id in value]
        return _join(texts) if texts else Text(w.ANSWER_NONE)
    if isinstance(value, str):
        option = question.option(value)
        if option is not None:
            return Text(option.text)
        if question.type == QuestionType.DATE:
            return Text(VALUE, {"value": date.fromisoformat(value)})
        return Text(VALUE, {"value": value})
    if isinstance(value, int) and not isinstance(value, bool):
        return Text(VALUE, {"value": value})
    return Text(VALUE, {"value": str(value)})


def summary_items(flow: Flow, path: list[str], answers: dict[str, Answer]) -> list[SummaryItem]:
    items = []
    for node_id in path:
        question = flow.nodes[node_id].question
        if question is not None and node_id in answers:
            items.append(
                SummaryItem(
                    node_id, Text(question.label), answer_text(flow, node_id, answers[node_id])
                )
            )
    return items
