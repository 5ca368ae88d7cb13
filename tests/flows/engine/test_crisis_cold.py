"""Outside tonight in the frost: the crisis answer names the region's cold-weather
shelter in its season and its night shelter, from the operator's data only."""

from __future__ import annotations

from datetime import datetime

from flows.engine import MessageCreated
from locales import render
from tests.factories.engine import Chat

COLD = "het vriest en ik slaap buiten"


def crisis_lines(chat: Chat) -> list[str]:
    found = [e for e in chat.of(MessageCreated) if e.kind == "crisis"]
    return [render(t) for e in found for t in e.texts]


def in_heerlen(now: datetime) -> Chat:
    chat = Chat("zelfmelding", now=now)
    chat.say("ja")
    chat.say("Sam")
    chat.press("public_space")
    chat.say("Heerlen")
    return chat


def test_in_winter_the_regions_cold_weather_shelter_and_night_shelter() -> None:
    chat = in_heerlen(datetime(2026, 12, 20, 22, 0))
    chat.say(COLD)
    text = "\n".join(crisis_lines(chat))
    assert "Als het vriest, is er extra opvang: Extra opvang bij vorst Heerlen" in text
    assert "Nachtopvang: Nachtopvang Heerlen (VOORBEELD)" in text and "045 000 0002" in text
    assert "Sittard" not in text and "Maastricht" not in text  # Parkstad only
    assert "112" in text and "tolk" in text


def test_out_of_season_the_night_shelter_only() -> None:
    chat = in_heerlen(datetime(2026, 7, 20, 22, 0))
    chat.say(COLD)
    text = "\n".join(crisis_lines(chat))
    assert "Extra opvang bij vorst" not in text
    assert "Nachtopvang Heerlen (VOORBEELD)" in text


def test_before_the_place_is_known_every_regions_shelter() -> None:
    chat = Chat("zelfmelding", now=datetime(2026, 12, 20, 22, 0))
    chat.say("ja")
    chat.say(COLD)
    text = "\n".join(crisis_lines(chat))
    for city in ("Heerlen", "Sittard", "Maastricht"):
        assert f"Nachtopvang {city}" in text or f"Dag- en nachtopvang {city}" in text
