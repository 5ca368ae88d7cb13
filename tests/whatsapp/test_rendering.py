"""A turn as WhatsApp messages: reply buttons (3, 20 characters), a list (10 rows, 24
characters, a longer label whole as the description), numbered text otherwise; the
1,024-character body of an interactive message, and texts split at 4,096."""

from __future__ import annotations

from bot.whatsapp.delivery import requests_of
from bot.whatsapp.rendering import (
    BODY_LIMIT,
    ROW_DESCRIPTION,
    TEXT_LIMIT,
    render_turn,
    split_text,
    text_payloads,
)
from flows.engine.prompts import Prompt, PromptOption
from flows.texts import Text
from intake.conversation import Outgoing, Turn


def _prompt(*labels: str, multiple: bool = False, selected: tuple[str, ...] = ()) -> Prompt:
    options = tuple(
        PromptOption(f"o{n}", Text(label), selected=f"o{n}" in selected)
        for n, label in enumerate(labels, start=1)
    )
    return Prompt("7", "node", "choice", Text("Waar slaap je?"), options, False, multiple)


def _turn(prompt: Prompt, *say: str) -> Turn:
    said = (Outgoing(tuple(Text(s) for s in say)),) if say else ()
    return Turn((*said, Outgoing((), prompt, "question")), "nl")


def test_three_short_options_are_reply_buttons_with_the_token() -> None:
    [payload] = render_turn(_turn(_prompt("Ja", "Nee", "Weet ik niet"), "Dank je."))
    interactive = payload["interactive"]
    assert interactive["type"] == "button"
    assert interactive["body"]["text"] == "Dank je.\n\nWaar slaap je?"
    buttons = [b["reply"] for b in interactive["action"]["buttons"]]
    assert [b["id"] for b in buttons] == ["7:o1", "7:o2", "7:o3"]
    assert [b["title"] for b in buttons] == ["Ja", "Nee", "Weet ik niet"]


def test_more_options_or_longer_labels_are_a_list() -> None:
    long = "Bij vrienden of familie, op de bank"  # 35 characters
    [payload] = render_turn(_turn(_prompt("Buiten", "In de nachtopvang", long, "Anders")))
    interactive = payload["interactive"]
    assert interactive["type"] == "list"
    assert 0 < len(interactive["action"]["button"]) <= 20
    rows = interactive["action"]["sections"][0]["rows"]
    assert len(rows) == 4
    assert all(len(row["title"]) <= 24 for row in rows)
    assert rows[2]["description"] == long
    assert "description" not in rows[0]


def test_what_fits_no_list_is_numbered_text() -> None:
    eleven = [f"Optie {n}" for n in range(1, 12)]
    [payload] = render_turn(_turn(_prompt(*eleven)))
    assert payload["type"] == "text"
    body = payload["text"]["body"]
    assert body.startswith("Waar slaap je?\n1. Optie 1\n2. Optie 2")
    assert "11. Optie 11" in body
    too_long = "x" * (ROW_DESCRIPTION + 1)
    [payload] = render_turn(_turn(_prompt("Ja", too_long)))
    assert payload["type"] == "text"
    assert f"2. {too_long}" in payload["text"]["body"]


def test_long_sentences_go_first_so_the_body_fits() -> None:
    privacy = "Over je gegevens. " * 80  # about 1,400 characters
    payloads = render_turn(_turn(_prompt("Ja", "Nee"), privacy.strip()))
    assert [p["type"] for p in payloads] == ["text", "interactive"]
    assert payloads[1]["interactive"]["body"]["text"] == "Waar slaap je?"
    assert len(payloads[1]["interactive"]["body"]["text"]) <= BODY_LIMIT


def test_a_ticked_option_shows_a_tick() -> None:
    [payload] = render_turn(
        _turn(_prompt("Geld", "Werk", "Klaar", multiple=True, selected=("o1",)))
    )
    titles = [b["reply"]["title"] for b in payload["interactive"]["action"]["buttons"]]
    assert titles[0].startswith("\N{WHITE HEAVY CHECK MARK}")
    assert not titles[1].startswith("\N{WHITE HEAVY CHECK MARK}")


def test_texts_are_split_at_4096_at_a_boundary() -> None:
    paragraph = "woord " * 500  # 3,000 characters
    text = f"{paragraph.strip()}\n\n{paragraph.strip()}"
    parts = split_text(text)
    assert len(parts) == 2
    assert all(len(part) <= TEXT_LIMIT for part in parts)
    assert "".join(parts).replace(" ", "") == text.replace("\n", "").replace(" ", "")
    payloads = text_payloads([Text(text)], "nl")
    assert [len(p["text"]["body"]) <= TEXT_LIMIT for p in payloads] == [True, True]
    # A plain text queued by others (the dashboard) is split by the deliverer.
    assert len(requests_of({"text": "a" * (TEXT_LIMIT + 10)})) == 2
