"""The crisis layer: Dutch and English signs of danger, typos included, trigger at any
question; ordinary answers do not."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path
from string import ascii_lowercase

import pytest

from flows.engine import CrisisDetected, MessageCreated, QuestionAsked, TextInput, resume
from flows.engine.crisis import MAX_CHARS, crisis_phrases, detect_crisis, edit_distance
from flows.engine.crisis_text import allowed_typos, arabic_forms
from flows.engine.session import CrisisMark
from locales import render
from tests.factories.engine import Chat, make_env, sessions_at_every_question

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

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


@pytest.mark.parametrize("text", CRISIS)
def test_a_crisis_phrase_is_detected(text: str) -> None:
    assert detect_crisis(text) is not None


def test_the_hit_names_categories_and_phrases_not_the_text() -> None:
    hit = detect_crisis("ik wil dood, hij slaat me")
    assert hit is not None
    assert hit.categories == ("suicide", "violence")
    assert set(hit.phrases) <= {"ik wil dood", "slaat me"} and hit.languages == ("nl",)


def test_edit_distance_counts_a_swap_once() -> None:
    assert edit_distance("zelfmorod", "zelfmoord", 2) == 1
    assert edit_distance("abc", "abc", 0) == 0
    assert edit_distance("kat", "hond", 1) == 2  # cut off above the limit


def test_a_crisis_phrase_at_the_end_of_the_longest_message_is_found() -> None:
    # How fast this is: bench/crisis_detection.py (no timing in unit tests).
    text = "ik zoek een huis " * 240 + "ik wil dood"
    assert len(text) <= MAX_CHARS and detect_crisis(text) is not None
    # Beyond a channel's longest message the text is not read (bounded time).
    assert detect_crisis("ik zoek een huis " * 300 + "ik wil dood") is None


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


def _said(chat: Chat) -> str:
    return "\n".join(
        render(t) for e in chat.sprint.events if isinstance(e, MessageCreated) for t in e.texts
    )


def test_the_crisis_message_gives_the_numbers_and_no_false_promise() -> None:
    chat = Chat("zelfmelding")
    chat.say("ja")
    chat.say("ik wil niet meer leven")
    text = _said(chat)
    for number in ("112", "113", "0800-0113"):
        assert number in text
    assert "geen noodhulp" in text and "tolk" in text
    assert "seintje" not in text and "medewerker" not in text
    assert chat.session.crisis
    [mark] = chat.session.crisis_marks
    assert mark.category == "suicide" and mark.at == chat.session.updated_at
    # The question it came at (flow and node ids, not personal data), never the words.
    assert (mark.flow, mark.node) == ("zelfmelding", chat.session.pending.node)
    assert "leven" not in str(mark.to_json())


def test_a_crisis_mark_survives_json_and_reads_marks_stored_without_a_node() -> None:
    at = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    mark = CrisisMark("violence", at, "living", "zelfmelding")
    assert CrisisMark.from_json(mark.to_json()) == mark
    old = {"category": "suicide", "at": at.isoformat()}  # a session stored before
    assert CrisisMark.from_json(old) == CrisisMark("suicide", at)
    assert CrisisMark("suicide", at).to_json() == old


def test_the_typed_crisis_word_gives_every_number() -> None:
    chat = Chat("zelfmelding")
    chat.command("crisis")
    text = _said(chat)
    for number in ("112", "113", "0800-0113", "0800-2000"):
        assert number in text
    assert [m.category for m in chat.session.crisis_marks] == ["command"]


@pytest.mark.parametrize(
    ("typed", "number", "other"),
    [
        ("hij slaat me", "0800-2000", "0800-0113"),
        ("ik snij mezelf", "0800-0113", "0800-2000"),
        ("seks voor een slaapplek", "0800-2000", "0800-0113"),
        ("ik ben in gevaar", "112", "0800-2000"),
        ("het vriest en ik slaap buiten", "112", "0800-2000"),
    ],
)
def test_each_category_has_its_own_answer(typed: str, number: str, other: str) -> None:
    chat = Chat("zelfmelding")
    chat.say(typed)
    text = _said(chat)
    assert number in text and "112" in text and other not in text


def test_a_farsi_tigrinya_or_somali_crisis_also_gets_a_text_in_that_language() -> None:
    chat = Chat("zelfmelding")
    chat.say("waxaan rabaa inaan dhinto")
    text = _said(chat)
    assert "wac 112" in text and "0800-0113" in text


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
    """Words near and far from the phrase words: as written, with a typo, run
    together with another word, inside a longer word, and random ones of all lengths."""
    phrases = crisis_phrases()
    rng = random.Random(7)
    words = sorted(w for w in phrases.words if w.isascii())
    out: list[str] = []
    for word in rng.sample(words, 150):
        i = rng.randrange(len(word))
        out += [word, word[:i] + word[i + 1 :], word[:i] + "x" + word[i:]]
        out += [word[:i] + "x" + word[i + 1 :], word + "heid", "on" + word + "lijk"]
    out += ["".join(rng.choice(ascii_lowercase) for _ in range(n)) for n in range(1, 25)] * 4
    return out


def test_the_typo_index_finds_what_comparing_every_word_finds() -> None:
    """`_lookup` meets typos through a dictionary of deletes; the oracle compares the
    typed word with every phrase word by edit distance, forms and containment."""
    phrases = crisis_phrases()
    for typed in _typed_words():
        oracle = {
            index
            for index, word in enumerate(phrases.words)
            if arabic_forms(typed) & arabic_forms(word)
            or (
                typed not in phrases.not_typos
                and (
                    edit_distance(typed, word, allowed_typos(len(word))) <= allowed_typos(len(word))
                    or (len(word) >= 7 and word in typed)
                )
            )
        }
        found = {entry[0] for entry in phrases._lookup(typed)[0] if len(entry) == 1}
        assert found == oracle, typed
