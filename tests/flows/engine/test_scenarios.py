"""Golden scenarios: inputs in; after every input, its events and the session out.

Each scenario's golden file records every step (golden.py describes the format); on a
difference the failure names the scenario, the first step that changed, its input,
and the diff of that step. Also: each recommendation equals what `intake route`
gives on the submitted profile; every flow reaches every product and "no product";
every node of every flow is visited by some scenario. Regenerate the golden files
after a deliberate change and review the diff:
`UPDATE_GOLDEN=1 .venv/bin/pytest tests/flows/engine/test_scenarios.py`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from bot.cli import main
from flows.engine import IntakeSubmitted, flow_library, recommendation_to_json
from flows.engine.coverage import unvisited, visited_nodes
from flows.products import PRODUCTS
from flows.routing import recommend
from locales import render
from tests.factories.engine import Chat
from tests.flows.engine.golden import first_difference, layout, step_record

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
FILES = sorted(SCENARIOS.glob("*/*.yaml"))
FLOWS = ("zelfmelding", "hulpverlener", "veldwerk")
UPDATE = os.environ.get("UPDATE_GOLDEN", "") not in ("", "0")


@dataclass(frozen=True)
class Played:
    chat: Chat
    spec: dict[str, Any]
    golden: dict[str, Any]  # what the golden file must hold


@cache
def run(path: Path) -> Played:
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    now = spec.get("now", datetime(2025, 6, 2, 10, 30))
    chat = Chat(spec["flow"], now=now if isinstance(now, datetime) else datetime.fromisoformat(now))
    steps = [step_record(0, None, chat.sprint.events, chat.session)]
    for number, step in enumerate(spec["inputs"], start=1):
        sprint = chat.step(step)
        steps.append(step_record(number, step, sprint.events, sprint.session))
    golden = {"flow": chat.flow.id, "steps": steps}
    return Played(chat, spec, json.loads(json.dumps(golden)))


def submission(chat: Chat) -> IntakeSubmitted | None:
    found = [e for e in chat.events if isinstance(e, IntakeSubmitted)]
    assert len(found) <= 1, "a conversation submits at most once"
    return found[0] if found else None


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_scenario_matches_its_golden_file(path: Path) -> None:
    played = run(path)
    out = layout(played.golden)
    golden_path = path.with_suffix(".golden.json")
    if UPDATE:
        golden_path.write_text(out, encoding="utf-8")
    scenario = path.relative_to(SCENARIOS.parents[2])
    if not golden_path.exists():
        pytest.fail(f"{scenario}: no golden file; run UPDATE_GOLDEN=1 pytest {__file__}")
    text = golden_path.read_text(encoding="utf-8")
    if text == out:
        return
    hint = "If the change is deliberate, regenerate with UPDATE_GOLDEN=1 and review the diff."
    try:
        expected = json.loads(text)
    except ValueError as error:
        pytest.fail(f"{golden_path.name} is not valid JSON ({error}). {hint}", pytrace=False)
    found = first_difference(expected, played.golden) or "the same data in another layout"
    pytest.fail(f"{scenario} against {golden_path.name}, {found}\n{hint}", pytrace=False)


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_scenario_reaches_the_expected_result(path: Path) -> None:
    played = run(path)
    chat, spec = played.chat, played.spec
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
    chat = run(path).chat
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
        chat = run(path).chat
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
        chat = run(path).chat
        if chat.flow.id == flow_id:
            visited |= visited_nodes(chat.events)
    missing = unvisited(flow, visited)
    assert not missing, f"no scenario visits these nodes of {flow_id}: {', '.join(missing)}"


def test_a_difference_names_the_first_step_that_changed_and_shows_its_diff() -> None:
    recorded = run(FILES[0]).golden
    changed = json.loads(json.dumps(recorded))
    changed["steps"][2]["session"]["locale"] = "xx"
    changed["steps"][4]["session"]["crisis"] = not changed["steps"][4]["session"]["crisis"]
    found = first_difference(changed, recorded)
    assert found is not None
    headline, *diff = found.splitlines()
    step_input = json.dumps(recorded["steps"][2]["input"], ensure_ascii=False)
    assert headline == f"step 2 (input {step_input}) differs (and 1 later step):"
    assert '-session.locale = "xx"' in diff and '+session.locale = "nl"' in diff
    assert first_difference(recorded, recorded) is None
    shorter = {**recorded, "steps": recorded["steps"][:-1]}
    assert (first_difference(shorter, recorded) or "").endswith("is not in the golden file")
