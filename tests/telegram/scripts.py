"""A person's side of a conversation in Telegram: the golden scenario steps, typed and
pressed through the fake Bot API (`harness.TelegramBot`)."""

from __future__ import annotations

import re
from typing import Any

from bot.telegram.delivery import CHANNEL
from storage.conversations import ConversationKey
from storage.pre_aanmeldingen import PreAanmelding, PreAanmeldingFilter
from tests.scenario_files import COMMAND_TEXT, Scenario
from tests.telegram.harness import SECRET, TelegramBot

REFERENCE = re.compile(r"LH-[0-9A-Z]{4}-[0-9A-Z]{2}")


async def step(bot: TelegramBot, chat_id: int, move: Any) -> None:
    """One scenario step: text typed, a button pressed, a command, a language."""
    if isinstance(move, str):
        if move:  # Telegram has no empty messages
            await bot.send(chat_id, move)
        return
    ((kind, value),) = move.items()
    if kind == "choice":
        await bot.press(chat_id, str(value))
    elif kind == "select":  # Telegram ticks one button at a time, then "Klaar"
        for option in value:
            await bot.press(chat_id, option)
        await bot.press(chat_id, "_done")
    elif kind == "command":
        await bot.send(chat_id, COMMAND_TEXT[value])
    elif kind == "language":
        await bot.send(chat_id, "/taal")
        await bot.press(chat_id, value)
    else:
        raise AssertionError(f"unknown step {move!r}")


async def replay(bot: TelegramBot, chat_id: int, scenario: Scenario) -> None:
    await bot.send(chat_id, "/start")
    await bot.press(chat_id, scenario.flow)
    for move in scenario.steps:
        await step(bot, chat_id, move)


async def submitted(bot: TelegramBot, chat_id: int) -> list[PreAanmelding]:
    """The pre-aanmeldingen of this chat, found the way /status finds them."""
    key = ConversationKey.for_user(SECRET, CHANNEL, chat_id)
    async with bot.database.unit_of_work(write=False) as uow:
        return await uow.pre_aanmeldingen.find(PreAanmeldingFilter(channel_user_hash=key.user_hash))


async def open_token(bot: TelegramBot, chat_id: int) -> str | None:
    """The token of the open question: equal before and after = the conversation stayed."""
    view = await bot.runner.service.view(CHANNEL, chat_id)
    return view.prompt.token if view is not None and view.prompt is not None else None
