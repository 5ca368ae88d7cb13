"""The crisis layer reads every shipped language, not only Dutch and English."""

from __future__ import annotations

import pytest

from flows.engine.crisis import detect_crisis

CRISIS = [
    "Chcę umrzeć",
    "nie chce zyc",  # without Polish letters
    "On mnie bije mnie codziennie",
    "Vreau sa mor",
    "nu sunt in siguranta",
    "Я хочу померти",
    "він б'є мене",
    "أريد أن أموت",
    "انا في خطر",
    "Ölmek istiyorum",
    "olmek istiyorum artik",  # without Turkish letters
    "beni dövüyor",
    "Искам да умра",
    "домашно насилие",
]
ORDINARY = [
    "Mieszkam u siostry",
    "Tak",
    "Nie wiem",
    "Locuiesc la prieteni",
    "Da",
    "Живу у друзів",
    "Так",
    "أعيش مع عائلتي",
    "نعم",
    "Arkadaşımın yanında kalıyorum",
    "Evet",
    "Живея при приятели",
    "да",
    "Heerlen",
]


@pytest.mark.parametrize("text", CRISIS)
def test_crisis_phrases_in_other_languages(text: str) -> None:
    assert detect_crisis(text) is not None, text


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_answers_in_other_languages(text: str) -> None:
    assert detect_crisis(text) is None, text
