"""Parity: the same script through aiogram and through python-telegram-bot gives the
same messages, keyboards, edits and callback answers."""

from __future__ import annotations

import re

import pytest

from tests.factories.databases import Backend
from tests.fakes import STICKER
from tests.scenario_files import load_scenarios
from tests.telegram.harness import telegram_bot
from tests.telegram.scripts import REFERENCE, replay

CHAT = 31337
ROUGH = next(s for s in load_scenarios() if s.name == "zelfmelding/rough_path")
TICKS = next(s for s in load_scenarios() if s.name == "veldwerk/change_justice_at_summary")

Transcript = list[tuple[str, str | None, list[list[str]]]]
HANDOFF_CODE = re.compile(r"\?code=[0-9A-Z]{4}-[0-9A-Z]{4}")  # random per link


async def transcript(backend: Backend, framework: str) -> tuple[Transcript, list[str | None]]:
    async with telegram_bot(backend, framework, "polling") as bot:
        await bot.send(CHAT, "/privacy")
        await bot.send(CHAT, None, sticker=STICKER)
        await bot.send(CHAT, "/bestaatniet")
        await replay(bot, CHAT, ROUGH)
        await bot.send(CHAT, "/status")
        await replay(bot, CHAT + 1, TICKS)  # multiple choice: ticks edit the keyboard
        await bot.press(CHAT + 1, "", data="not:ours!")
        lines = bot.transcript(CHAT) + bot.transcript(CHAT + 1)
        answers: list[str | None] = [(r.answer or {}).get("text") for r in bot.api.callback_answers]
    normalised: Transcript = [
        (
            method,
            HANDOFF_CODE.sub("?code=XXXX-XXXX", REFERENCE.sub("LH-XXXX-XX", text or "")),
            keyboard,
        )
        for method, text, keyboard in lines
    ]
    return normalised, answers


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_aiogram_and_ptb_send_the_same_messages(backend: Backend) -> None:
    aiogram, aiogram_answers = await transcript(backend, "aiogram")
    ptb, ptb_answers = await transcript(backend, "ptb")
    assert len(aiogram) > 40
    assert any(method == "editMessageReplyMarkup" for method, _, _ in aiogram)
    assert any("?code=XXXX-XXXX" in (text or "") for _, text, _ in aiogram)  # hand-off links
    assert aiogram == ptb
    assert aiogram_answers == ptb_answers
