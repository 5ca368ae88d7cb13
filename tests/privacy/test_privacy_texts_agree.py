"""The privacy texts say what the code does: the days they name are the retention
settings, stopping erases at once, and a sign of danger keeps no words."""

from __future__ import annotations

import re
from datetime import date

from bot.settings import Settings
from flows.engine import flow_library
from flows.privacy_notices import current_notice

TODAY = date(2026, 12, 4)
DEFAULTS = Settings(_env_file=None)  # type: ignore[call-arg]


def _texts() -> list[str]:
    """The current notice of every flow, and each flow's short privacy text."""
    out: list[str] = []
    for flow_id in ("zelfmelding", "hulpverlener", "veldwerk"):
        notice = current_notice(flow_id, TODAY)
        out += [t.msgid for t in notice.texts]
        flow = flow_library().current(flow_id)
        out += list(flow.texts.values())
    return out


def _sentences() -> list[str]:
    return [s for text in _texts() for s in re.split(r"(?<=[.?!])\s+", " ".join(text.split()))]


def _days(pattern: str) -> set[int]:
    """The day counts of the sentences before a sentence that matches `pattern`."""
    sentences = _sentences()
    found = set()
    for i, sentence in enumerate(sentences):
        if re.search(pattern, sentence) and i + 1 < len(sentences):
            match = re.search(r"(\d+) dagen", sentence + " " + sentences[i + 1])
            if match:
                found.add(int(match.group(1)))
    return found


def test_unfinished_intakes_are_erased_after_the_conversation_retention() -> None:
    assert _days(r"niet af\?") == {DEFAULTS.retention_conversation_days}


def test_closed_pre_aanmeldingen_are_erased_after_the_closed_retention() -> None:
    assert _days(r"afgewezen") == {DEFAULTS.retention_closed_days}


def test_every_number_of_days_is_a_retention_setting() -> None:
    settings = {v for k, v in DEFAULTS.model_dump().items() if k.startswith("retention_")}
    for sentence in _sentences():
        for days in re.findall(r"(\d+) dagen", sentence):
            assert int(days) in settings, sentence


def test_stopping_erases_at_once_in_every_text_that_mentions_it() -> None:
    stops = [s for s in _sentences() if s.startswith("Stop je voordat")]
    assert stops
    assert all(
        s.endswith("meteen.") for s in _sentences() if s.startswith("Dan wissen we je antwoorden")
    )


def test_the_notice_says_signs_of_danger_keep_no_words() -> None:
    paragraphs = [t.msgid for t in current_notice("zelfmelding", TODAY).paragraphs]
    assert any("Je woorden bewaren we niet." in p for p in paragraphs)


def test_stop_really_erases_the_answers_at_once() -> None:
    from tests.factories.engine import Chat

    chat = Chat("zelfmelding")
    chat.say("ja")
    chat.say("Sam")
    chat.say("stop")
    chat.press("yes")
    assert chat.session.answers == {} and chat.session.history == ()


def test_a_crisis_record_keeps_no_words() -> None:
    from flows.engine import CrisisDetected, event_to_json
    from tests.factories.engine import Chat

    chat = Chat("zelfmelding")
    chat.say("ja")
    chat.say("ik wil dood, echt waar, Sam")
    [event] = chat.of(CrisisDetected)
    assert "dood" not in str(event_to_json(event)) and "Sam" not in str(event_to_json(event))
