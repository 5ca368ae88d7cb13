"""No one is ever stuck: any sequence of inputs leaves an open question (or an ended
conversation), never an exception, and the session always survives JSON."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.engine import (
    ChoiceInput,
    Command,
    CommandInput,
    Input,
    LanguageInput,
    Session,
    TextInput,
    flow_library,
    resume,
    start,
)
from tests.factories.engine import make_env

TEXTS = [
    "ja",
    "nee",
    "1",
    "2",
    "3",
    "1, 2",
    "weet ik niet",
    "zeg ik liever niet",
    "klaar",
    "Heerlen",
    "Hoensbrok",
    "Timboektoe",
    "34",
    "14-03-1985",
    "31-02-2024",
    "06-12345678",
    "sam@voorbeeld.nl",
    "",
    "🙂",
    "x" * 3000,
    "ik wil dood",
    "versturen",
]

steps = st.one_of(
    st.sampled_from(TEXTS).map(lambda t: ("text", t)),
    st.integers(0, 20).map(lambda i: ("button", i)),
    st.sampled_from(list(Command)).map(lambda c: ("command", c)),
    st.just(("stale", 0)),
    st.just(("language", "en")),
)


@pytest.mark.parametrize("flow_id", ["zelfmelding", "hulpverlener", "veldwerk"])
@settings(max_examples=80, deadline=None)
@given(script=st.lists(steps, max_size=30))
def test_any_input_sequence_keeps_the_conversation_going(
    flow_id: str, script: list[tuple[str, object]]
) -> None:
    flow = flow_library().current(flow_id)
    env = make_env()
    sprint = start(flow, env)
    for kind, value in script:
        prompt = sprint.prompt if sprint.session.pending else None
        inp: Input
        if kind == "text":
            inp = TextInput(str(value))
        elif kind == "button" and prompt is not None and prompt.options:
            option = prompt.options[int(str(value)) % len(prompt.options)]
            inp = ChoiceInput(prompt.token, option.id)
        elif kind == "command":
            inp = CommandInput(Command(str(value)))
        elif kind == "language":
            inp = LanguageInput(str(value))
        else:
            inp = ChoiceInput("zz", "yes")
        sprint = resume(flow, sprint.session, inp, env)
        session = sprint.session
        if session.active:
            assert session.pending is not None
            assert sprint.prompt is not None and sprint.prompt.token == session.pending.token
        else:
            assert session.pending is None
        assert Session.from_json(json.loads(json.dumps(session.to_json()))) == session
