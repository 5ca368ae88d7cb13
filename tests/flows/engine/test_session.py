"""Sessions survive a JSON round trip (property test); events and texts become JSON."""

from __future__ import annotations

import json
from datetime import date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from flows.engine import (
    Answer,
    AnswerStatus,
    Pending,
    PendingKind,
    Session,
    SessionStatus,
    Submission,
    event_to_json,
    text_from_json,
    text_to_json,
)
from flows.texts import Text
from tests.factories.engine import Chat

ids = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_0123456789", min_size=1, max_size=12)
json_scalars = st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.text(max_size=30)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ids, inner, max_size=4),
    max_leaves=8,
)
moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1))

answers = st.builds(
    Answer,
    value=json_values,
    status=st.sampled_from(AnswerStatus),
    facts=st.dictionaries(ids, json_values, max_size=4),
)
plain_pending = st.builds(
    Pending,
    kind=st.sampled_from(PendingKind),
    node=ids,
    token=ids,
    selection=st.lists(ids, max_size=3).map(tuple),
    place=st.none() | st.text(max_size=20),
    known_place=st.booleans(),
)
pendings = (
    st.none()
    | plain_pending
    | st.builds(
        Pending,
        kind=st.just(PendingKind.CONFIRM_STOP),
        node=ids,
        token=ids,
        resume=plain_pending,
    )
)
submissions = st.none() | st.builds(
    Submission, reference=ids, on=st.dates(date(2000, 1, 1), date(2100, 1, 1)), at=moments
)
sessions = st.builds(
    Session,
    id=ids,
    flow_id=ids,
    flow_version=st.integers(1, 1000),
    locale=st.sampled_from(["nl", "en", "ar", "pl"]),
    started_at=moments,
    updated_at=moments,
    status=st.sampled_from(SessionStatus),
    answers=st.dictionaries(ids, answers, max_size=6),
    history=st.lists(ids, max_size=6).map(tuple),
    shown=st.lists(ids, max_size=6).map(tuple),
    pending=pendings,
    seq=st.integers(0, 10**6),
    crisis=st.booleans(),
    summary_confirmed=st.booleans(),
    changing=st.none() | ids,
    submission=submissions,
)


@settings(max_examples=150, deadline=None)
@given(sessions)
def test_a_session_survives_a_json_round_trip(session: Session) -> None:
    encoded = json.dumps(session.to_json())
    assert Session.from_json(json.loads(encoded)) == session


def test_real_sessions_survive_a_json_round_trip() -> None:
    chat = Chat("hulpverlener")
    for answer in ["Radar", "1", "ja", "J.K.", "14-03-1985", "1", "Heerlen", "nee", "alleen"]:
        chat.say(answer)
        session = chat.session
        assert Session.from_json(json.loads(json.dumps(session.to_json()))) == session


def test_events_are_plain_json() -> None:
    chat = Chat("veldwerk")
    for answer in [
        "ja",
        "Heerlen",
        "straat",
        "30",
        "1, 2",
        "veel",
        "nee",
        "nee",
        "geen telefoon",
        "Bram Koster",
        "Moveoo",
        "06-55512345",
        "1",
    ]:
        chat.say(answer)
    for event in chat.events:
        data = event_to_json(event)
        assert data["type"] == event.type
        json.dumps(data)  # no exception: plain JSON
    submitted = next(event_to_json(e) for e in chat.events if e.type == "intake_submitted")
    assert submitted["recommendation"]["product"] == "housing_first"
    assert submitted["profile"]["municipality"] == "Heerlen"


texts = st.recursive(
    st.builds(Text, st.just("Hallo {name}"), st.fixed_dictionaries({"name": st.text(max_size=10)})),
    lambda inner: st.builds(
        Text,
        st.just("{a} en {b}"),
        st.fixed_dictionaries({"a": inner, "b": st.integers() | st.dates() | st.text(max_size=5)}),
    ),
    max_leaves=5,
)


@settings(max_examples=80, deadline=None)
@given(texts)
def test_a_text_survives_a_json_round_trip(text: Text) -> None:
    assert text_from_json(json.loads(json.dumps(text_to_json(text)))) == text
