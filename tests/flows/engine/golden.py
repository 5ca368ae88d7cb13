"""The golden files of the scenarios: what the engine did after every input.

As goflow's test runner records a session after its start and after every resume, a
golden file holds one record per step: step 0 is the start, step n the n-th input of
the scenario file. Each record has the input, the events that input produced (texts
rendered in Dutch, prompts as option ids) and the session after it, compactly: its
status, locale, open prompt, answers as fact -> value, skipped questions, the order
of answering and the crisis marks. A regression then shows at the first step that
changed (`first_difference`), not as one changed final state.

The layout is fixed (`layout`), so the files diff well: a line per event (a line per
key for the long ones: the summary and the submission), a line per answered fact,
keys in a fixed order (messages and questions in reading order, the rest sorted), and
no wall-clock time (the scenario's own clock only).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Sequence
from typing import Any

from flows.engine import (
    Event,
    IntakeSubmitted,
    MessageCreated,
    QuestionAsked,
    Session,
    SummaryShown,
    event_to_json,
    recommendation_to_json,
)
from flows.engine.events import Recommendation
from locales import render

# Events written with a line per key (the others on one line each).
EXPANDED_EVENTS = {"summary_shown", "intake_submitted"}


def ordered(value: Any) -> Any:
    """Plain JSON with every mapping's keys sorted."""
    if isinstance(value, dict):
        return {key: ordered(value[key]) for key in sorted(value)}
    if isinstance(value, list | tuple):
        return [ordered(item) for item in value]
    return value


def recommendation(found: Recommendation) -> dict[str, Any]:
    """An advice with its reasons rendered (the rules version left out: it changes
    with every edit of the rules, which the other values show)."""
    data = recommendation_to_json(found)
    data["reasons"] = [render(r) for r in found.reasons]
    del data["rules_version"]
    return data


def compact(event: Event) -> dict[str, Any]:
    """An event for the golden file: texts rendered in Dutch, prompts as option ids,
    its type first (the messages' keys in reading order, the others' sorted)."""
    if isinstance(event, MessageCreated):
        data: dict[str, Any] = {
            "kind": event.kind,
            "node": event.node,
            "texts": [render(t) for t in event.texts],
        }
    elif isinstance(event, QuestionAsked):
        prompt = event.prompt
        data = {
            "node": prompt.node,
            "token": prompt.token,
            "text": render(prompt.text),
            "options": [o.id + ("*" if o.selected else "") for o in prompt.options],
        }
    elif isinstance(event, SummaryShown):
        data = {
            "items": [f"{render(i.label)}: {render(i.answer)}" for i in event.items],
            "preview": event.recommendation.product,
        }
    else:
        data = event_to_json(event)
        del data["type"]
        if isinstance(event, IntakeSubmitted):
            data["recommendation"] = recommendation(event.recommendation)
        data = ordered(data)
    return {"type": event.type, **data}


def session_state(session: Session) -> dict[str, Any]:
    """The session after a step, as compact as stays readable."""
    facts: dict[str, Any] = {}
    skipped: dict[str, str] = {}
    for node, answer in session.answers.items():
        facts.update(answer.facts)
        if answer.status.value != "given":
            skipped[node] = answer.status.value
    state: dict[str, Any] = {
        "status": session.status.value,
        "locale": session.locale,
        "pending": ordered(session.pending.to_json()) if session.pending else None,
        "crisis": session.crisis,
        "crisis_marks": [mark.category for mark in session.crisis_marks],
        "history": list(session.history),
        "answers": ordered(facts),
    }
    if skipped:
        state["skipped"] = ordered(skipped)
    if session.remembered:
        state["remembered"] = ordered(dict(session.remembered))
    if session.changing is not None:
        state["changing"] = session.changing
    if session.summary_confirmed:
        state["summary_confirmed"] = True
    if session.submission is not None:
        state["submission"] = session.submission.reference
    return state


def step_record(
    number: int, step: Any, events: Iterable[Event], session: Session
) -> dict[str, Any]:
    return {
        "step": number,
        "input": step,
        "events": [compact(e) for e in events],
        "session": session_state(session),
    }


# --- the file's layout -----------------------------------------------------------------


def _inline(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _expanded(path: tuple[str, ...], value: Any) -> bool:
    """Whether a value is written over several lines (else on one)."""
    if not value or not isinstance(value, dict | list):
        return False
    if path in ((), ("steps",), ("steps", "*"), ("steps", "*", "events")):
        return True
    if path in (("steps", "*", "session"), ("steps", "*", "session", "answers")):
        return True
    return path == ("steps", "*", "events", "*") and value.get("type") in EXPANDED_EVENTS


def _lines(value: Any, path: tuple[str, ...], depth: int) -> list[str]:
    if not _expanded(path, value):
        return [_inline(value)]
    pad = " " * (depth + 1)
    if isinstance(value, dict):
        items = [(_inline(key) + ": ", key, item) for key, item in value.items()]
        opening, closing = "{", "}"
    else:
        items = [("", "*", item) for item in value]
        opening, closing = "[", "]"
    out = [opening]
    for index, (prefix, key, item) in enumerate(items):
        inner = _lines(item, (*path, key), depth + 1)
        inner[0] = pad + prefix + inner[0]
        if index < len(items) - 1:
            inner[-1] += ","
        out.extend(inner)
    out.append(" " * depth + closing)
    return out


def layout(golden: dict[str, Any]) -> str:
    """The golden file's text: valid JSON in a fixed, diff-friendly layout."""
    text = "\n".join(_lines(golden, (), 0)) + "\n"
    assert json.loads(text) == golden, "the layout must not change the data"
    return text


# --- comparing -------------------------------------------------------------------------


def _flat(value: Any, path: str = "") -> list[str]:
    """A step as one line per value, each with its path ("session.answers.age = 40"),
    so a diff says where a value sits."""
    if isinstance(value, dict) and value:
        return [line for key, item in value.items() for line in _flat(item, f"{path}.{key}")]
    if isinstance(value, list) and value:
        return [line for n, item in enumerate(value) for line in _flat(item, f"{path}[{n}]")]
    return [f"{path.lstrip('.')} = {_inline(value)}"]


def _step_diff(expected: Any, actual: Any) -> str:
    lines = difflib.unified_diff(_flat(expected), _flat(actual), "golden", "now", n=2, lineterm="")
    return "\n".join(lines)


def first_difference(expected: dict[str, Any], actual: dict[str, Any]) -> str | None:
    """None when the recordings agree; else where they first part: the step number and
    its input, and the diff of that step (golden -> now), a line per value."""
    old_heading = {k: v for k, v in expected.items() if k != "steps"}
    new_heading = {k: v for k, v in actual.items() if k != "steps"}
    if old_heading != new_heading:
        return "the heading differs:\n" + _step_diff(old_heading, new_heading)
    old: Sequence[Any] = expected.get("steps") or []
    new: Sequence[Any] = actual["steps"]
    differing = [
        n
        for n in range(max(len(old), len(new)))
        if n >= len(old) or n >= len(new) or old[n] != new[n]
    ]
    if not differing:
        return None
    n = differing[0]
    later = len(differing) - 1
    more = f" (and {later} later step{'s' if later > 1 else ''})" if later else ""
    if n >= len(old):
        return f"step {n} (input {_inline(new[n]['input'])}) is not in the golden file{more}"
    if n >= len(new):
        return f"step {n} is in the golden file, but the scenario has no such step{more}"
    what = "the start" if n == 0 else f"input {_inline(new[n]['input'])}"
    return f"step {n} ({what}) differs{more}:\n" + _step_diff(old[n], new[n])
