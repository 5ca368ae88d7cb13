"""Polling confirms an update to Telegram only after it was applied: a crash before
the commit can no longer lose an answer. Through the real libraries (aiogram and
python-telegram-bot dispatch the updates), against the fake Bot API, whose queue keeps
an update until a getUpdates offset above it confirms it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from bot.telegram import wording
from bot.telegram.intake import Handled, Incoming
from flows.texts import Text
from intake.conversation import Turn
from locales import render
from tests.factories.databases import Backend
from tests.telegram.harness import FRAMEWORKS, TelegramBot, telegram_bot

SQLITE = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
WAIT = 15.0


def pending_ids(bot: TelegramBot) -> set[int]:
    return {int(u["update_id"]) for u in bot.api.pending_updates}


def gate(bot: TelegramBot, chat_id: int) -> tuple[asyncio.Event, asyncio.Event]:
    """Hold every update of one chat before it is handled: (reached, release)."""
    reached, release = asyncio.Event(), asyncio.Event()
    handle: Callable[[Incoming], Awaitable[Handled]] = bot.runner.intake.handle

    async def held(incoming: Incoming) -> Handled:
        if incoming.chat_id == chat_id:
            reached.set()
            await release.wait()
        return await handle(incoming)

    bot.runner.intake.handle = held  # type: ignore[method-assign]
    return reached, release


@SQLITE
@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_an_update_is_confirmed_only_after_it_was_applied(
    backend: Backend, framework: str
) -> None:
    slow, quick = 701, 702
    async with telegram_bot(backend, framework, "polling") as bot:
        await bot.send(slow, "/start")
        reached, release = gate(bot, slow)
        held = bot.api.inject_message(slow, "/help")
        await asyncio.wait_for(reached.wait(), WAIT)
        # Another chat goes on meanwhile, and its later update is applied ...
        before = bot.received(quick)
        later = bot.api.inject_message(quick, "/start")
        await bot.settle(quick, later, before)
        # ... but the update in flight stays unconfirmed at Telegram: a crash now
        # would have it sent again to the next process.
        await asyncio.sleep(0.3)  # several polls happen meanwhile
        assert held["update_id"] in pending_ids(bot)
        before = bot.received(slow)
        release.set()
        await bot.settle(slow, held, before)
        await bot.api.wait_for(lambda: held["update_id"] not in pending_ids(bot), WAIT)
        assert bot.runner.poller.stats.refetched >= 1  # fetched again, handled once
        assert bot.received(slow) == before + 1
        # The later update, done while the older one was open, came back with every
        # poll meanwhile: it was handled once all the same.
        assert bot.handled.times(later["update_id"]) == 1
        assert bot.handled.times(held["update_id"]) == 1


@SQLITE
@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_a_failed_update_is_tried_again_and_then_the_person_is_told(
    backend: Backend, framework: str
) -> None:
    chat = 703
    async with telegram_bot(backend, framework, "polling") as bot:
        bot.runner.poller.retry_pauses = (0.05, 0.05)
        await bot.send(chat, "/start")
        service = bot.runner.intake.service
        handle = service.handle
        tries: list[object] = []

        async def broken(channel: str, user_id: object, *args: Any, **how: Any) -> Turn:
            tries.append(how.get("update_id"))
            if len(tries) == 1:
                raise RuntimeError("the first try fails")
            return await handle(channel, user_id, *args, **how)  # type: ignore[arg-type]

        service.handle = broken  # type: ignore[method-assign]
        before = bot.received(chat)
        update = bot.api.inject_message(chat, "/help")
        await bot.api.wait_for(lambda: bot.received(chat) > before, WAIT)
        assert tries == [update["update_id"]] * 2  # tried again, applied once
        await bot.api.wait_for(lambda: update["update_id"] not in pending_ids(bot), WAIT)

        async def always_broken(*args: Any, **how: Any) -> Turn:
            raise RuntimeError("this update never works")

        service.handle = always_broken  # type: ignore[method-assign]
        before = bot.received(chat)
        lost = bot.api.inject_message(chat, "Heerlen", language_code="en")
        await bot.api.wait_for(lambda: lost["update_id"] not in pending_ids(bot), WAIT)
        # After the last try: let go (one broken update blocks nobody), and the
        # person hears that it did not work, in their language.
        await bot.api.wait_for(lambda: bot.received(chat) > before, WAIT)
        assert bot.texts(chat)[before:] == [render_not_applied("en")]
        assert bot.runner.poller.stats.given_up == 1


def render_not_applied(locale: str) -> str:
    return render(Text(wording.NOT_APPLIED), locale)
