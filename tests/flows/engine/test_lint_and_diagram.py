"""Lint findings and diagrams of flows."""

from __future__ import annotations

from flows.engine import flow_library, lint, parse_flow
from flows.engine.diagram import condition_text, dot, mermaid
from flows.engine.lint import longest_question_path
from tests.factories.flow_files import GOOD

# Every flow that submits says who submits it (added at the end: no line moves).
REGISTRATION = (
    'registration:\n  submitter: self\n  offer: {text: "Voor mezelf", order: 1}\n'
    "  consent_version: contact\n"
)


def findings(text: str, registered: bool = True) -> list[str]:
    flow = parse_flow(text + (REGISTRATION if registered else ""), "mini.yaml")
    return [str(p) for p in lint(flow)]


def test_a_flow_without_registration_is_reported() -> None:
    assert findings(GOOD, registered=False) == [
        "mini.yaml:1: the flow has no 'registration': say who submits it, where the start "
        "screen offers it, and which facts hold the consent and the contact details"
    ]


def test_the_packaged_flows_have_no_findings() -> None:
    for flow_id in flow_library().ids:
        assert lint(flow_library().current(flow_id)) == []


def test_the_small_flow_has_no_findings() -> None:
    assert findings(GOOD) == []


def test_an_unreachable_node_is_reported() -> None:
    text = GOOD + '  orphan:\n    say: "Niemand komt hier."\n    next: done\n'
    assert findings(text) == [
        "mini.yaml:47: node 'orphan' is unreachable: no path from the start leads to it"
    ]


def test_unused_texts_and_local_facts_are_reported() -> None:
    text = GOOD.replace('  greeting: "Hallo!"', '  greeting: "Hallo!"\n  spare: "Ongebruikt"')
    text = text.replace('  contact: "how to reach the person"', '  contact: "x"\n  unused: "y"')
    found = findings(text)
    assert "mini.yaml:8: texts.spare is never used" in found
    assert "mini.yaml:5: local fact 'unused' is never set" in found


def test_a_condition_on_a_fact_no_question_sets_is_reported() -> None:
    text = GOOD.replace("{fact: sleeping_place, eq: public_space}", "{fact: age, gte: 18}")
    assert "mini.yaml:19: node 'sleep' tests 'age', which no question sets" in findings(text)


def test_a_submission_without_summary_is_reported() -> None:
    text = GOOD.replace("      - to: summary\n", "      - to: submit\n")
    assert (
        "mini.yaml:42: node 'submit' submits without a summary before it on some path"
        in findings(text)
    )


def test_too_many_questions_on_the_longest_path_are_reported() -> None:
    text = GOOD.replace("start: hello", "start: hello\nmax_questions: 2")
    found = findings(text)
    assert found == [
        "mini.yaml:5: the longest path asks 3 questions, more than max_questions (2): "
        "place -> sleep -> contact"
    ]


def test_veldwerk_asks_at_most_ten_questions() -> None:
    flow = flow_library().current("veldwerk")
    count, _ = longest_question_path(flow)
    assert count <= 10 == flow.max_questions


def test_mermaid_and_dot_name_every_node_and_condition() -> None:
    flow = flow_library().current("zelfmelding")
    text = mermaid(flow)
    assert text.startswith("flowchart TD")
    for node_id in flow.nodes:
        assert f"n_{node_id}" in text
    assert '-- "institution = detention" --> n_release_date' in text
    graph = dot(flow)
    assert graph.startswith("digraph zelfmelding {") and graph.rstrip().endswith("}")
    assert 'institution -> release_date [label="institution = detention"];' in graph


def test_condition_text() -> None:
    assert condition_text({"fact": "age", "lt": 18}) == "age < 18"
    assert condition_text({"any": [{"unknown": "age"}, {"not": {"fact": "x", "eq": True}}]}) == (
        "age unknown or not (x = true)"
    )
    assert condition_text({"fact": "p", "in": ["a", "b"]}) == "p in a, b"
