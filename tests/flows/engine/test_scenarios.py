"""Golden scenarios: inputs in; events, final session and recommendation out.

Also: each recommendation equals what `intake route` gives on the submitted profile;
every flow reaches every product and "no product"; every node of every flow is
visited by some scenario. Regenerate the golden files after a deliberate change:
`UPDATE_GOLDEN=1 .venv/bin/pytest tests/flows/engine/test_scenarios.py`.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from bot.cli import main
from flows.engine import (
    Event,
    IntakeSubmitted,
    MessageCreated,
    QuestionAsked,
    SummaryShown,
    event_to_json,
    flow_library,
    recommendation_to_json,
)
from flows.engine.coverage import unvisited, visited_nodes
from flows.products import PRODUCTS
from flows.routing import recommend
from locales import render
from tests.factories.engine import Chat

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
FILES = sorted(SCENARIOS.glob("*/*.yaml"))
FLOWS = ("zelfmelding", "hulpverlener", "veldwerk")
UPDATE = os.environ.get("UPDATE_GOLDEN", "") not in ("", "0")


@cache
def run(path: Path) -> tuple[Chat, dict[str, Any]]:
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    now = spec.get("now", datetime(2025, 6, 2, 10, 30))
    chat = Chat(spec["flow"], now=now if isinstance(now, datetime) else datetime.fromisoformat(now))
    for step in spec["inputs"]:
        chat.step(step)
    return chat, spec


def compact(event: Event) -> dict[str, Any]:
    """An event for the golden file: texts rendered in Dutch, prompts as option ids."""
    if isinstance(event, MessageCreated):
        return {
            "type": event.type,
            "kind": event.kind,
            "node": event.node,
            "texts": [render(t) for t in event.texts],
        }
    if isinstance(event, QuestionAsked):
        prompt = event.prompt
        return {
            "type": event.type,
            "node": prompt.node,
            "token": prompt.token,
            "text": render(prompt.text),
            "options": [o.id + ("*" if o.selected else "") for o in prompt.options],
        }
    if isinstance(event, SummaryShown):
        return {
            "type": event.type,
            "items": [f"{render(i.label)}: {render(i.answer)}" for i in event.items],
            "preview": event.recommendation.product,
        }
    data = event_to_json(event)
    if isinstance(event, IntakeSubmitted):
        data["recommendation"] = event.recommendation.product
    return data


def golden(chat: Chat) -> dict[str, Any]:
    submitted = [e for e in chat.events if isinstance(e, IntakeSubmitted)]
    recommendation = None
    if submitted:
        recommendation = recommendation_to_json(submitted[-1].recommendation)
        recommendation["reasons"] = [render(r) for r in submitted[-1].recommendation.reasons]
        recommendation["rules_version"] = "(not compared)"
    return {
        "events": [compact(e) for e in chat.events],
        "session": chat.session.to_json(),
        "recommendation": recommendation,
    }


def submission(chat: Chat) -> IntakeSubmitted | None:
    found = [e for e in chat.events if isinstance(e, IntakeSubmitted)]
    assert len(found) <= 1, "a conversation submits at most once"
    return found[0] if found else None


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_scenario_matches_its_golden_file(path: Path) -> None:
    chat, _ = run(path)
    out = json.dumps(golden(chat), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    golden_path = path.with_suffix(".golden.json")
    if UPDATE:
        golden_path.write_text(out, encoding="utf-8")
    assert golden_path.exists(), f"no golden file; run UPDATE_GOLDEN=1 pytest {__file__}"
    assert golden_path.read_text(encoding="utf-8") == out, (
        f"{path.name} gives other output than {golden_path.name}; if that change is "
        "deliberate, regenerate with UPDATE_GOLDEN=1 and review the diff"
    )


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_scenario_reaches_the_expected_result(path: Path) -> None:
    chat, spec = run(path)
    expect = spec["expect"]
    found = submission(chat)
    assert (found is not None) == expect.get("submitted", True)
    product = found.recommendation.product if found else None
    assert product == expect["product"]
    assert chat.session.crisis == expect.get("crisis", False)
    assert not chat.session.active, "the scenario should finish the conversation"


SUBMITTING = [
    p for p in FILES if (yaml.safe_load(p.read_text()).get("expect") or {}).get("submitted", True)
]


@pytest.mark.parametrize("path", SUBMITTING, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_recommendation_equals_intake_route(path: Path) -> None:
    chat, _ = run(path)
    found = submission(chat)
    assert found is not None, "the scenario says it submits"
    on_date = found.submitted_at.date()
    on = on_date.isoformat()
    profile = json.dumps(found.profile.to_json())
    result = CliRunner().invoke(
        main, ["route", "--facts", "-", "--on", on, "--json"], input=profile
    )
    assert result.exit_code == 0, result.output
    routed = json.loads(result.output)
    ours = recommendation_to_json(found.recommendation)
    ours["reasons"] = [render(r) for r in found.recommendation.reasons]
    if found.crisis:  # the route command has no crisis flag: it only adds that referral
        ours["referrals"] = [r for r in ours["referrals"] if r != "crisis"]
    del ours["rules_version"]
    if chat.flow.about_someone:
        # A professional's flow speaks about the person ("de persoon"); `intake route`
        # speaks to the person: its reasons in that voice must be the router's too.
        assert routed["reasons"] == [render(r) for r in recommend(found.profile, on_date).reasons]
        about = recommend(found.profile, on_date, audience="about")
        routed["reasons"] = [render(r) for r in about.reasons]
    assert ours == routed


@pytest.mark.parametrize("flow_id", FLOWS)
def test_every_product_and_no_product_is_reached(flow_id: str) -> None:
    reached = set()
    for path in FILES:
        chat, _ = run(path)
        found = submission(chat)
        if chat.flow.id == flow_id and found is not None:
            reached.add(found.recommendation.product)
    assert reached >= {*PRODUCTS, None}, (
        f"{flow_id} scenarios never reach {set(PRODUCTS) - reached}"
    )


@pytest.mark.parametrize("flow_id", FLOWS)
def test_every_node_is_visited_by_a_scenario(flow_id: str) -> None:
    flow = flow_library().current(flow_id)
    visited: set[str] = set()
    for path in FILES:
        chat, _ = run(path)
        if chat.flow.id == flow_id:
            visited |= visited_nodes(chat.events)
    missing = unvisited(flow, visited)
    assert not missing, f"no scenario visits these nodes of {flow_id}: {', '.join(missing)}"
