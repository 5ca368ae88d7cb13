"""What users report losing with both frameworks: messages under rate limits, double
taps and redelivered updates. Through the real libraries, against the fake."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlmodel import col, select

from bot.telegram.delivery import CHANNEL
from storage.conversations import ConversationKey
from storage.tables import OutboxMessageRow
from tests.factories.databases import Backend
from tests.telegram.harness import FRAMEWORKS, MODES, SECRET, TelegramBot, telegram_bot
from tests.telegram.scripts import open_token

SQLITE = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


async def queued_payloads(bot: TelegramBot, chat_id: int) -> list[dict[str, Any]]:
    """What the bot queued for a chat, in outbox order, all delivered."""
    await bot.runner.deliverer.wait_idle()
    key = ConversationKey.for_user(SECRET, CHANNEL, chat_id)
    async with bot.database.unit_of_work(write=False) as uow:
        rows = list(
            await uow.session.scalars(
                select(OutboxMessageRow)
                .where(col(OutboxMessageRow.recipient_hash) == key.user_hash)
                .order_by(col(OutboxMessageRow.id))
            )
        )
    assert all(row.delivered_at is not None and row.recipient is None for row in rows)
    return [dict(row.payload) for row in rows]


# A burst of typed input per chat, sent without waiting: several messages per chat
# are queued while Telegram refuses some of them.
BURST = ("/start", "3", "ja", "Heerlen", "/help", "/status")


@SQLITE
@pytest.mark.parametrize(("framework", "mode"), [("aiogram", "polling"), ("ptb", "webhook")])
async def test_under_a_storm_of_429s_every_message_arrives_once_and_in_order(
    backend: Backend, framework: str, mode: str
) -> None:
    chats = (501, 502, 503, 504)
    async with telegram_bot(backend, framework, mode) as bot:
        bot.api.fail_ratio("sendMessage", 0.2, retry_after=1, seed=3)
        updates = [bot.api.inject_message(chat, text) for text in BURST for chat in chats]
        handled = bot.handled
        await asyncio.wait_for(asyncio.gather(*(handled.wait(u["update_id"]) for u in updates)), 15)
        await bot.runner.deliverer.wait_idle(30)
        bot.api.fail_ratio("sendMessage", 0)
        assert len(bot.api.faults.injected) >= 3
        assert bot.runner.deliverer.stats.rate_limited == len(bot.api.faults.injected)
        for chat in chats:
            payloads = await queued_payloads(bot, chat)
            assert len(payloads) == len(BURST)
            assert bot.texts(chat) == [p["text"] for p in payloads]  # once each, in order
        assert bot.api.rate_violations == []


@SQLITE
@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize("mode", MODES)
async def test_a_redelivered_update_has_one_effect(
    backend: Backend, framework: str, mode: str
) -> None:
    chat = 610
    async with telegram_bot(backend, framework, mode) as bot:
        await bot.send(chat, "/start")
        before = bot.received(chat)
        start = await open_token(bot, chat)  # the entry flow's question
        update = bot.api.inject_callback(chat, bot.keyboard_id(chat), f"{start}:veldwerk")
        await bot.settle(chat, update, before)
        token = await open_token(bot, chat)
        assert await bot.resend(chat, update) == 0  # the same update_id again
        assert await open_token(bot, chat) == token

        # A double tap: the same button twice. The second press is for a question
        # already answered: the bot says so, and nothing changes.
        message_id = bot.keyboard_id(chat)
        await bot.press(chat, "yes")
        after_first = await open_token(bot, chat)
        assert after_first != token
        before = bot.received(chat)
        second = bot.api.inject_callback(chat, message_id, f"{token}:yes")
        assert await bot.settle(chat, second, before) == 1
        assert await open_token(bot, chat) == after_first

        # A typed answer, delivered twice.
        before = bot.received(chat)
        typed = bot.api.inject_message(chat, "Heerlen")
        await bot.settle(chat, typed, before)
        asked = await open_token(bot, chat)
        assert asked != after_first
        assert await bot.resend(chat, typed) == 0
        assert await bot.resend(chat, second) == 0
        assert await bot.resend(chat, update, times=3) == 0
        assert await open_token(bot, chat) == asked
        assert bot.api.unanswered_callbacks() == []
