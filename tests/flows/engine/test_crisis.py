"""The crisis layer: Dutch and English signs of danger, typos included, trigger at any
question; ordinary answers do not."""

from __future__ import annotations

import random
from datetime import datetime
from functools import cache
from pathlib import Path
from string import ascii_lowercase

import pytest
import yaml

from flows.engine import CrisisDetected, MessageCreated, QuestionAsked, Session, TextInput, resume
from flows.engine.crisis import crisis_phrases, detect_crisis, edit_distance
from flows.engine.session import PendingKind
from locales import render
from tests.flows.engine.chat import Chat, make_env

CRISIS = [
    # Dutch
    "ik wil dood",
    "Ik wil gewoon dood",
    "ik wil zelfmoord plegen",
    "zelfmorod",
    "zelf moord",
    "ZELFMOOOORD",
    "ik denk aan zelfdodnig",
    "ik wil er een eind aan maken",
    "ik wil niet meer leeven",
    "ik zie het niet meer ziten",
    "ik ga mezelf iets aandoen",
    "ik snij mezelf",
    "ik ben levensmoe",
    "overdosis pillen genomen",
    "hij slaat me elke dag",
    "mijn vriend mishandelt me",
    "ik ben in gevaar",
    "ze willen me vermoorden",
    "huiselijk gewelt",
    "ik ben verkracht",
    "ik word bedreigt",
    "ik ben niet veilig thuis",
    "mijn ex heeft een mes",
    # English
    "I want to kil myself",
    "i wanna dye",
    "suicidal thoughts",
    "s u i c i d e",
    "I want to end my lfie",
    "im going to hurt myslef",
    "I'm not safe at home",
    "he hits me",
    "I was rapped",
    "domestic violance",
    "he threatened to kill me",
    "I don't want to live anymore",
]

ORDINARY = [
    "ja",
    "nee",
    "weet ik niet",
    "zeg ik liever niet",
    "Heerlen",
    "Hoensbroek",
    "Sittard-Geleen",
    "Maastricht",
    "bij mijn zus",
    "ik slaap in mijn auto",
    "op straat",
    "in de nachtopvang",
    "14-03-1985",
    "14 maart 1985",
    "06-12345678",
    "34",
    "ik heb schulden",
    "verslaving en schulden",
    "psychische problemen",
    "Leger des Heils",
    "begeleider",
    "casemanager",
    "ik woon bij vrienden",
    "mijn huisbaas wil me eruit zetten",
    "ik kom over twee maanden vrij uit de gevangenis",
    "ik heb een huurschuld",
    "door de week slaap ik bij mijn moeder",
    "mijn broer slaapt bij mij",
    "mijn vader is vorig jaar overleden",
    "ik wil door met mijn leven",
    "ik wil graag een eigen huis",
    "I sleep at a friend's place",
    "I live in my car",
    "my landlord wants me out",
    "I have debts",
    "I don't know",
    "alcohol abuse",
    "I want to drive to Maastricht",
    "piet@voorbeeld.nl",
    "J. de Vries",
    "versturen",
    "klopt",
]

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def test_there_are_enough_examples() -> None:
    assert len(CRISIS) >= 30 and len(ORDINARY) >= 30


@pytest.mark.parametrize("text", CRISIS)
def test_a_crisis_phrase_is_detected(text: str) -> None:
    assert detect_crisis(text) is not None


@pytest.mark.parametrize("text", ORDINARY)
def test_an_ordinary_answer_is_not_a_crisis(text: str) -> None:
    assert detect_crisis(text) is None


def test_the_hit_names_categories_not_the_text() -> None:
    hit = detect_crisis("ik wil dood, hij slaat me")
    assert hit is not None
    assert set(hit.categories) == {"suicide", "violence"}
    assert all(
        p in ("ik wil dood", "hij slaat me", "slaat mij", "hij slaat mij") for p in hit.phrases
    )


def test_edit_distance_counts_a_swap_once() -> None:
    assert edit_distance("zelfmorod", "zelfmoord", 2) == 1
    assert edit_distance("abc", "abc", 0) == 0
    assert edit_distance("kat", "hond", 1) == 2  # cut off above the limit


def test_a_crisis_phrase_at_the_end_of_a_very_long_input_is_found() -> None:
    # How fast this is: bench/crisis_detection.py (no timing in unit tests).
    assert detect_crisis("ik zoek een huis " * 300 + "ik wil dood") is not None


@cache
def sessions_at_every_question() -> list[tuple[str, str, Session]]:
    """(flow, node, session) for each question of each flow, from the scenarios."""
    found: dict[tuple[str, str], Session] = {}
    for path in sorted(SCENARIOS.glob("*/*.yaml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        chat = Chat(spec["flow"], now=datetime.fromisoformat(str(spec["now"])))
        for step in [None, *spec["inputs"]]:
            if step is not None:
                chat.step(step)
            pending = chat.session.pending
            if pending is not None and pending.kind == PendingKind.QUESTION:
                found.setdefault((chat.flow.id, pending.node), chat.session)
    return [(flow, node, session) for (flow, node), session in sorted(found.items())]


def test_every_question_of_every_flow_is_covered() -> None:
    from flows.engine import flow_library

    covered = {(flow, node) for flow, node, _ in sessions_at_every_question()}
    for flow_id in flow_library().ids:
        flow = flow_library().current(flow_id)
        assert {(flow_id, n.id) for n in flow.questions} <= covered


@pytest.mark.parametrize("text", CRISIS)
def test_a_crisis_phrase_triggers_at_every_question(text: str) -> None:
    from flows.engine import flow_library

    env = make_env()
    for flow_id, node, session in sessions_at_every_question():
        flow = flow_library().current(flow_id)
        sprint = resume(flow, session, TextInput(text), env)
        crisis = [e for e in sprint.events if isinstance(e, CrisisDetected)]
        assert crisis and crisis[0].node == node, f"{flow_id}.{node}: {text!r}"
        assert sprint.session.crisis
        # The same question is asked again, and nothing was recorded.
        asked = [e for e in sprint.events if isinstance(e, QuestionAsked)]
        assert asked[-1].prompt.node == node and asked[-1].prompt.token == session.pending.token  # type: ignore[union-attr]
        assert sprint.session.answers == session.answers


def test_the_crisis_message_gives_the_numbers() -> None:
    chat = Chat("zelfmelding")
    chat.say("ja")
    chat.say("ik wil niet meer leven")
    lines = [
        render(t) for e in chat.sprint.events if isinstance(e, MessageCreated) for t in e.texts
    ]
    text = "\n".join(lines)
    for number in ("112", "113", "0800-0113", "0800-2000"):
        assert number in text
    assert chat.session.crisis


def test_the_crisis_command_works_anywhere_and_even_after_the_end() -> None:
    chat = Chat("zelfmelding")
    chat.command("crisis")
    assert chat.of(CrisisDetected)[0].source == "command"
    chat.say("nee")  # no consent: the conversation ends
    assert not chat.session.active
    chat.say("help, hij slaat me")
    assert chat.of(CrisisDetected) and chat.session.crisis


def test_an_ordinary_answer_goes_on_normally() -> None:
    env = make_env()
    from flows.engine import flow_library

    for flow_id, _node, session in sessions_at_every_question()[:5]:
        sprint = resume(flow_library().current(flow_id), session, TextInput("weet ik niet"), env)
        assert not any(isinstance(e, CrisisDetected) for e in sprint.events)


def _typed_words() -> list[str]:
    """Words near and far from the phrases' first words: as written, with a typo, run
    together with another word, inside a longer word, and random ones of all lengths."""
    phrases = crisis_phrases()
    rng = random.Random(7)
    starts = sorted({words[0] for _, words in phrases.phrases})
    out: list[str] = []
    for start in starts:
        i = rng.randrange(len(start))
        out += [start, start[:i] + start[i + 1 :], start[:i] + "x" + start[i:]]
        out += [start + "heid", "on" + start + "lijk", start + rng.choice(starts)]
    out += ["".join(rng.choice(ascii_lowercase) for _ in range(n)) for n in range(1, 25)] * 4
    return out


def test_the_start_index_finds_what_trying_every_start_finds() -> None:
    """`_starting_with` only compares a typed word with starts of a near length (and
    long starts inside it); the oracle tries every start with the same word matching."""
    phrases = crisis_phrases()
    for typed in _typed_words():
        oracle = frozenset(
            index
            for start, indexes in phrases._starts.items()
            if phrases.word_matches(typed, start)
            for index in indexes
        )
        assert phrases._starting_with(typed) == oracle, typed
