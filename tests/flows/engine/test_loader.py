"""The flow loader: every broken flow file gets a precise message with its line, all
problems at once, and nothing crashes."""

from __future__ import annotations

import random
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.engine import FlowError, check_flow_text, definition_files, parse_flow
from flows.engine.flow_format import Action, QuestionType
from tests.factories.flow_files import GOOD


def problems_of(text: str) -> list[str]:
    flow, problems = check_flow_text(text, "mini.yaml")
    assert (flow is None) == bool(problems)
    return [str(p) for p in problems]


def broken(old: str, new: str) -> str:
    assert old in GOOD, old
    return GOOD.replace(old, new, 1)


def test_the_good_flow_loads() -> None:
    flow = parse_flow(GOOD, "mini.yaml")
    assert flow.id == "mini" and flow.version == 1
    assert list(flow.nodes) == ["hello", "place", "sleep", "contact", "summary", "submit", "done"]
    assert flow.nodes["hello"].say == "Hallo!"
    sleep = flow.nodes["sleep"].question
    assert sleep is not None and sleep.type == QuestionType.SINGLE_CHOICE
    assert flow.nodes["done"].action == Action.END


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "flow: mini\nnodes: [a, b\n",
            ["mini.yaml:3: this is not valid YAML"],
            id="yaml-syntax",
        ),
        pytest.param("", ["mini.yaml:1: the file is empty"], id="empty-file"),
        pytest.param(
            "- just\n- a list\n",
            ["mini.yaml:1: flow file: expected a mapping with flow, version, start, nodes"],
            id="not-a-mapping",
        ),
        pytest.param(
            broken("version: 1\n", ""),
            ["mini.yaml:1: flow file: the required key 'version' is missing"],
            id="missing-version",
        ),
        pytest.param(
            broken("version: 1", "version: one"),
            ["mini.yaml:2: version: expected a whole number, got str 'one'"],
            id="version-not-a-number",
        ),
        pytest.param(
            broken('    question: "Waar woon je?"', '    questoin: "Waar woon je?"'),
            [
                "mini.yaml:13: node 'place': a question needs 'question'",
                "mini.yaml:15: node 'place': unknown key 'questoin'; did you mean 'question'?",
            ],
            id="misspelled-key",
        ),
        pytest.param(
            broken("  contact:\n    ask: phone", "  place:\n    ask: phone"),
            ["mini.yaml:33: 'place' appears twice in this mapping (first on line 13)"],
            id="duplicate-node-id",
        ),
        pytest.param(
            broken("    next: sleep", "    next: slep"),
            [
                "mini.yaml:18: node 'place': 'next' goes to 'slep', which is not a node; did "
                "you mean 'sleep'?"
            ],
            id="unknown-target",
        ),
        pytest.param(
            broken("start: hello", "start: helo"),
            ["mini.yaml:4: start: 'helo' is not a node; did you mean 'hello'?"],
            id="unknown-start",
        ),
        pytest.param(
            broken("ask: municipality", "ask: town"),
            [
                "mini.yaml:14: node 'place': unknown question type 'town'; use one of "
                "single_choice, multiple_choice, yes_no, number, date, municipality, phone, "
                "email, text"
            ],
            id="unknown-question-type",
        ),
        pytest.param(
            broken("fact: sleeping_place", "fact: sleeping_spot"),
            [
                "mini.yaml:23: node 'sleep': unknown fact 'sleeping_spot': not a screening "
                "profile field and not declared under local_facts; did you mean "
                "'sleeping_place'?"
            ],
            id="unknown-fact",
        ),
        pytest.param(
            broken("- id: public_space", "- id: street"),
            [
                "mini.yaml:25: node 'sleep'.options[1]: 'street' is not a value of "
                "sleeping_place; use one of public_space"
            ],
            id="option-not-a-profile-value",
        ),
        pytest.param(
            broken(
                "{fact: sleeping_place, eq: public_space}",
                "{fact: sleeping_place, equals: public_space}",
            ),
            ["mini.yaml:30: node 'sleep'.next[1].when: unknown operator 'equals'"],
            id="unknown-condition-operator",
        ),
        pytest.param(
            broken(
                "{fact: sleeping_place, eq: public_space}", "{fact: sleeping_place, eq: outside}"
            ),
            ["mini.yaml:30: node 'sleep'.next[1].when: 'outside' is not a value of sleeping_place"],
            id="condition-value-not-a-profile-value",
        ),
        pytest.param(
            broken("    say: {ref: greeting}", "    say: {ref: greting}"),
            [
                "mini.yaml:11: node 'hello'.say: unknown message id 'greting': it is not "
                "defined under 'texts'; did you mean 'greeting'?"
            ],
            id="unknown-message-id",
        ),
        pytest.param(
            broken("      - to: summary\n", ""),
            [
                "mini.yaml:30: node 'sleep'.next: dead end: when no condition holds, node "
                "'sleep' has nowhere to go"
            ],
            id="dead-end-conditions",
        ),
        pytest.param(
            broken("    next: summary\n  summary:", "  summary:"),
            ["mini.yaml:33: node 'contact': dead end: the node has no 'next'"],
            id="dead-end-no-next",
        ),
        pytest.param(
            broken("    next: done\n", "    next: hello\n"),
            [
                "mini.yaml:10: the flow goes round in a circle: hello -> place -> sleep -> "
                "contact -> summary -> submit -> hello"
            ],
            id="cycle",
        ),
        pytest.param(
            broken("ask: municipality", "ask: yes_no"),
            [
                "mini.yaml:14: node 'place': the profile field 'municipality' needs a "
                "municipality question, not yes_no"
            ],
            id="wrong-type-for-profile-field",
        ),
        pytest.param(
            broken('    question: "Waar woon je?"', '    question: "Waar woon je, {naam}?"'),
            ["mini.yaml:15: node 'place'.question: placeholder {naam} is not a known fact"],
            id="unknown-placeholder",
        ),
        pytest.param(
            broken("action: summary", "action: sumary"),
            [
                "mini.yaml:40: node 'summary': unknown action 'sumary'; use one of summary, "
                "submit, result, end, begin; did you mean 'summary'?"
            ],
            id="unknown-action",
        ),
        pytest.param(
            broken(
                '        text: "Bij vrienden"',
                '        text: "Bij vrienden"\n'
                "      - id: family_friends\n"
                '        text: "Nog eens"',
            ),
            [
                "mini.yaml:29: node 'sleep'.options[3]: option id 'family_friends' is used "
                "twice (line 27)"
            ],
            id="duplicate-option",
        ),
        pytest.param(
            broken("ask: municipality", "ask: number").replace("fact: municipality", "fact: age"),
            ["mini.yaml:13: node 'place': a number for the profile field 'age' needs 'min'"],
            id="profile-number-without-range",
        ),
        pytest.param(
            broken("ask: municipality", "ask: number\n    min: -5\n    max: 200").replace(
                "fact: municipality", "fact: age"
            ),
            [
                "mini.yaml:15: node 'place'.min: age: -5 is out of range",
                "mini.yaml:16: node 'place'.max: age: 200 is out of range",
            ],
            id="profile-number-out-of-range",
        ),
        pytest.param(
            broken("    fact: contact", "    fact: contact\n    min: 3"),
            ["mini.yaml:38: node 'contact': 'min' is only for number questions"],
            id="key-for-another-type",
        ),
    ],
)
def test_a_broken_flow_gets_a_precise_message(text: str, expected: list[str]) -> None:
    problems = problems_of(text)
    for message in expected:
        assert any(p.startswith(message) for p in problems), f"{message!r} not in {problems}"


def test_every_problem_is_reported_at_once() -> None:
    text = broken("version: 1", "version: 0")
    text = text.replace("fact: sleeping_place", "fact: sleep_place").replace(
        "next: sleep\n", "next: slep\n"
    )
    problems = problems_of(text)
    assert len(problems) >= 3
    with pytest.raises(FlowError) as error:
        parse_flow(text, "mini.yaml")
    assert str(error.value).count("mini.yaml:") == len(problems)


def test_the_packaged_flows_load() -> None:
    for path in definition_files():
        flow, problems = check_flow_text(path.read_text(encoding="utf-8"), path.name)
        assert problems == [] and flow is not None
        assert path.name == f"{flow.id}.yaml"


def _mutations(seed: int) -> str:
    """A real flow file with some lines dropped, swapped or garbled."""
    source = definition_files()[seed % len(definition_files())].read_text(encoding="utf-8")
    lines = source.splitlines()
    rng = random.Random(seed)
    for _ in range(rng.randint(1, 4)):
        index = rng.randrange(len(lines))
        choice = rng.randrange(4)
        if choice == 0:
            del lines[index]
        elif choice == 1:
            lines.insert(index, lines[rng.randrange(len(lines))])
        elif choice == 2:
            lines[index] = lines[index][: rng.randrange(len(lines[index]) + 1)]
        else:
            lines[index] = lines[index].replace(":", "", 1)
    return "\n".join(lines)


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=10**6))
def test_a_damaged_flow_file_never_crashes_the_loader(seed: int) -> None:
    flow, problems = check_flow_text(_mutations(seed), "damaged.yaml")
    assert (flow is None) == bool(problems)
    for problem in problems:
        assert problem.line >= 1 and problem.message


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=200))
def test_any_text_never_crashes_the_loader(text: str) -> None:
    flow, problems = check_flow_text(text, "random.yaml")
    assert flow is None and problems


def test_a_file_that_is_not_utf8_is_reported(tmp_path: Path) -> None:
    from flows.engine import load_flow

    path = tmp_path / "bad.yaml"
    path.write_bytes(b"flow: \xff\xfe")
    with pytest.raises(FlowError, match="not UTF-8"):
        load_flow(path)


REGISTERED = GOOD + textwrap.dedent(
    """\
    registration:
      submitter: self
      offer: {text: "Voor mezelf", order: 1}
      consent_version: contact
    """
)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("submitter: self", "submitter: buurman"),
            "mini.yaml:48: registration.submitter: 'buurman'; expected one of self, "
            "professional, veldwerker",
        ),
        (
            ("consent_version: contact", "consent_version: toestemming"),
            "mini.yaml:50: registration.consent_version: 'toestemming' is not a fact of this "
            "flow; declare it under local_facts or use a profile field",
        ),
        (
            ("order: 1}", "order: eerst}"),
            "mini.yaml:49: registration.offer.order: expected a whole number of 1 or more",
        ),
        (
            ("submitter: self", "submitter: professional"),
            "mini.yaml:48: registration.submitter_details.name: a professional or veldwerker",
        ),
        (
            ("consent_version: contact", "consent_version: contact\n  kleur: blauw"),
            "mini.yaml:51: registration: unknown key 'kleur'",
        ),
    ],
)
def test_a_bad_registration_names_the_line_and_what_it_accepts(
    change: tuple[str, str], expected: str
) -> None:
    found = problems_of(REGISTERED.replace(*change, 1))
    assert any(p.startswith(expected) for p in found), found


def test_a_consent_version_without_a_privacy_notice_is_named() -> None:
    text = REGISTERED.replace(
        "    fact: contact\n",
        '    fact: contact\n    sets: {contact: "toestemming-9"}\n',
        1,
    )
    found = problems_of(text)
    assert any(
        "consent version 'toestemming-9' has no privacy notice; known: " in p
        and "privacy-zelfmelding-1" in p
        for p in found
    ), found
