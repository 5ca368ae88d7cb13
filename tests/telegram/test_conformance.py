"""The conformance suite: both frameworks, polling and webhook, through the real
libraries over HTTP against the fake Bot API, on the app `intake serve` runs.

Golden scenarios are replayed as a person in Telegram would: typing texts and
pressing the buttons of the last keyboard by their callback data, one chat each, all
at the same time. Each framework runs every golden scenario (all three flows, every
product, no product, back, help, stop cancelled, crisis words, a language switch,
changes at the summary) in one mode; the other mode runs a cover set: the three
flows, every product and no product, back, help, stop, crisis, language, changes.
"""

from __future__ import annotations

import asyncio
import re
from urllib.parse import urlencode

import httpx
import pytest

from bot.telegram.rendering import MESSAGE_LIMIT
from tests.factories.databases import Backend
from tests.fakes import LOCATION, PHOTO, STICKER, VOICE
from tests.scenario_files import Scenario, load_scenarios
from tests.telegram.harness import (
    FRAMEWORKS,
    MODES,
    WAIT,
    WEB_CHAT_URL,
    TelegramBot,
    telegram_bot,
)
from tests.telegram.scripts import open_token, replay, submitted
from tests.web.html_page import parse_page

SCENARIOS = load_scenarios()
COVER = {
    "veldwerk/housing",
    "veldwerk/housing_plus",
    "veldwerk/housing_first",
    "veldwerk/justitieel_released",
    "veldwerk/no_product_refuses_support",
    "veldwerk/change_justice_at_summary",
    "zelfmelding/rough_path",
    "hulpverlener/justitieel",
}
COMBINATIONS = [(f, m) for f in FRAMEWORKS for m in MODES]
IDS = [f"{f}-{m}" for f, m in COMBINATIONS]
EVERY_SCENARIO = {("aiogram", "polling"), ("ptb", "webhook")}  # the others: COVER


def test_the_cover_set_covers_every_flow_and_product() -> None:
    chosen = [s for s in SCENARIOS if s.name in COVER]
    assert len(chosen) == len(COVER)
    assert {s.flow for s in chosen} == {s.flow for s in SCENARIOS}
    assert {s.product for s in chosen} == {s.product for s in SCENARIOS}


SQLITE = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


async def check_scenario(bot: TelegramBot, chat_id: int, scenario: Scenario) -> None:
    await replay(bot, chat_id, scenario)
    records = await submitted(bot, chat_id)
    if not scenario.submits:
        assert records == [], scenario.name
        return
    [record] = records
    assert record.recommended_product == scenario.product, scenario.name
    assert record.channel == "telegram"
    assert any(record.reference in text for text in bot.texts(chat_id)[-2:]), scenario.name


@SQLITE
@pytest.mark.parametrize(("framework", "mode"), COMBINATIONS, ids=IDS)
async def test_every_golden_scenario_as_a_telegram_conversation(
    backend: Backend, framework: str, mode: str
) -> None:
    every = (framework, mode) in EVERY_SCENARIO
    scenarios = [s for s in SCENARIOS if every or s.name in COVER]
    async with telegram_bot(backend, framework, mode) as bot:
        await asyncio.gather(
            *(
                check_scenario(bot, 1000 + number, scenario)
                for number, scenario in enumerate(scenarios)
            )
        )
        api = bot.api
        assert api.unanswered_callbacks() == []
        assert api.rate_violations == []
        texts = [m.text or "" for m in api.sent_messages()]
        assert all(len(text) <= MESSAGE_LIMIT for text in texts)
        # The web chat is offered before the health and justice questions.
        assert any(WEB_CHAT_URL in text and "Heb je met" in text for text in texts)


@SQLITE
@pytest.mark.parametrize(("framework", "mode"), COMBINATIONS, ids=IDS)
async def test_commands_stop_crisis_language_and_bad_input(
    backend: Backend, framework: str, mode: str
) -> None:
    chat = 77
    async with telegram_bot(backend, framework, mode) as bot:
        await bot.send(chat, "/start", language_code="pl")
        assert "Kogo dotyczy to zgłoszenie?" in bot.last_text(chat)  # language_code pl
        await bot.send(chat, "/taal nl")
        await bot.press(chat, "zelfmelding")
        await bot.press(chat, "yes")
        await bot.send(chat, "Sam")
        question = await open_token(bot, chat)
        assert question is not None

        # Bad input: a kind explanation, and the same question stays open.
        for fields in ({"sticker": STICKER}, {"photo": PHOTO}, {"voice": VOICE}):
            assert await bot.send(chat, None, **fields) == 1
        await bot.send(chat, None, location=LOCATION)
        await bot.send(chat, "/onbekend")
        await bot.send(chat, "x" * 4096)
        mine = bot.api.sent_messages(chat)[-1]
        await bot.settle(chat, bot.api.inject_edited_message(chat, 1, "anders"), bot.received(chat))
        await bot.press(chat, "", data="forged-data")
        await bot.press(chat, "", data="zz:yes")  # a stale token: the engine says so
        assert await open_token(bot, chat) == question
        texts = bot.texts(chat)
        assert sum("kan ik niet lezen" in t or "can't read" in t.lower() for t in texts) >= 2
        assert mine.reply_markup is not None  # the open question came back with its buttons
        answers = [r.answer for r in bot.api.callback_answers]
        assert any(a and a.get("text") for a in answers)  # the forged button got a reply
        assert bot.api.unanswered_callbacks() == []

        # /hulp: the crisis numbers, and the question stays open.
        await bot.send(chat, "/hulp")
        assert "113" in bot.last_text(chat)
        assert await open_token(bot, chat) is not None

        # /taal with the chooser: the same question, in English.
        await bot.send(chat, "/taal")
        await bot.press(chat, "en")
        assert "Where do you usually sleep" in bot.last_text(chat)

        # /help adds the Telegram commands; /privacy offers the web chat.
        await bot.send(chat, "/help")
        assert "/status" in bot.last_text(chat)
        await bot.send(chat, "/privacy")
        assert WEB_CHAT_URL in bot.last_text(chat)

        # /stop, confirmed: the draft is gone.
        await bot.send(chat, "/stop")
        await bot.press(chat, "yes")
        assert await open_token(bot, chat) is None
        assert await submitted(bot, chat) == []

        # In a group the bot says once that it works in private chats only.
        group = -4242
        assert await bot.send(group, "/start", chat_type="group") == 1
        assert await bot.send(group, "/start@loket_test_bot", chat_type="group") == 0
        assert len(bot.api.sent_messages(group)) == 1
        assert "privé" in bot.last_text(group) or "private" in bot.last_text(group)


@SQLITE
@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_the_web_chat_link_moves_the_intake_out_of_telegram(
    backend: Backend, framework: str
) -> None:
    """Before the health question the bot sends a one-time link (without a preview);
    the web chat of the same service takes the intake over, and Telegram hears so."""
    chat = 91
    async with telegram_bot(backend, framework, "webhook") as bot:
        await bot.send(chat, "/start")
        await bot.press(chat, "zelfmelding")
        await bot.press(chat, "yes")
        await bot.send(chat, "Sam")
        await bot.press(chat, "public_space")
        await bot.send(chat, "Heerlen")
        await bot.press(chat, "same")
        await bot.send(chat, "45")
        await bot.press(chat, "alone")
        await bot.send(chat, "14")
        await bot.press(chat, "no")
        offer = bot.api.sent_messages(chat)[-1]
        assert offer.text is not None and "Je antwoorden gaan mee" in offer.text
        assert offer.link_preview_options == {"is_disabled": True}
        found = re.search(re.escape(WEB_CHAT_URL) + r"\?code=([A-Z0-9-]{9})", offer.text)
        assert found is not None
        await bot.send(chat, "/webchat")  # asked for: another link, the question again
        again = bot.api.sent_messages(chat)[-1]
        assert again.text is not None and "?code=" in again.text and again.reply_markup

        base = f"http://127.0.0.1:{bot.port}"
        async with httpx.AsyncClient(base_url=base, follow_redirects=True) as browser:
            page = parse_page((await browser.get(f"/chat?code={found.group(1)}")).text)
            form = page.forms_with("resume-form")[0]
            fields = [*form.hidden.items(), ("code", form.text_value or "")]
            response = await browser.post(
                form.action,
                content=urlencode(fields),
                headers={"content-type": "application/x-www-form-urlencoded"},
            )
            assert "Je antwoorden uit Telegram staan nu hier" in response.text

        await bot.api.wait_for(lambda: "Je gaat verder in de webchat" in bot.last_text(chat), WAIT)
        assert await open_token(bot, chat) is None  # Telegram's copy is gone
        await bot.send(chat, "/start")
        assert "Voor wie is deze aanmelding?" in bot.last_text(chat)  # a fresh start
