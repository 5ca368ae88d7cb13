"""The fake Bot API, proven with the real aiogram 3 and python-telegram-bot over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from aiogram import Dispatcher
from aiogram import types as ag
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiohttp import web
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from tests.fakes import FakeBotAPI
from tests.fakes_tests.clients import aiogram_bot, aiogram_polling, ptb_application, ptb_polling

CHAT = 4242


def yes_no() -> ag.InlineKeyboardMarkup:
    return ag.InlineKeyboardMarkup(
        inline_keyboard=[
            [
                ag.InlineKeyboardButton(text="Ja", callback_data="yes"),
                ag.InlineKeyboardButton(text="Nee", callback_data="no"),
            ]
        ]
    )


async def test_aiogram_polls_echoes_and_answers_callbacks(api: FakeBotAPI) -> None:
    bot = aiogram_bot(api.base_url)
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def echo(message: ag.Message) -> None:
        await message.answer(f"echo: {message.text}", reply_markup=yes_no())

    @dispatcher.callback_query()
    async def pressed(query: ag.CallbackQuery) -> None:
        await query.answer(f"got {query.data}")

    async with aiogram_polling(api, dispatcher, bot):
        api.inject_message(CHAT, "hallo", language_code="nl")
        [sent] = await api.wait_for(lambda: api.sent_messages(CHAT))
        assert sent.text == "echo: hallo"
        assert sent.keyboard == [["Ja", "Nee"]]
        assert sent.message_id == 2  # the person's message was 1

        api.inject_callback(CHAT, sent.message_id, "yes")
        [answer] = await api.wait_for(lambda: api.callback_answers)
        assert answer.answer is not None
        assert answer.answer["text"] == "got yes"
        assert api.unanswered_callbacks() == []
        assert api.rate_violations == []


async def test_ptb_polls_echoes_and_answers_callbacks(api: FakeBotAPI) -> None:
    application = ptb_application(api.base_url)

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Ja", callback_data="yes")]])
        await update.effective_message.reply_text(
            f"echo: {update.effective_message.text}", reply_markup=keyboard
        )

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"start {context.args}")

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None
        await update.callback_query.answer(f"got {update.callback_query.data}")

    application.add_handler(CommandHandler("start", start))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    application.add_handler(CallbackQueryHandler(pressed))

    async with ptb_polling(application):
        api.inject_message(CHAT, "hallo")
        [sent] = await api.wait_for(lambda: api.sent_messages(CHAT))
        assert (sent.text, sent.keyboard) == ("echo: hallo", [["Ja"]])

        api.inject_callback(CHAT, sent.message_id, "yes")
        [answer] = await api.wait_for(lambda: api.callback_answers)
        assert answer.answer is not None
        assert answer.answer["text"] == "got yes"

        api.inject_message(CHAT, "/start LH-deeplink")  # needs the bot_command entity
        await api.wait_for(lambda: len(api.sent_messages(CHAT)) == 2)
        assert api.sent_texts(CHAT)[-1] == "start ['LH-deeplink']"
    # PTB confirms the last offset when it stops: nothing is left to redeliver.
    assert api.pending_updates == []


async def test_aiogram_sees_429_with_retry_after_and_5xx(api: FakeBotAPI) -> None:
    bot = aiogram_bot(api.base_url)
    try:
        api.fail_next("sendMessage", status=429, retry_after=3)
        with pytest.raises(TelegramRetryAfter) as flood:
            await bot.send_message(CHAT, "eerste")
        assert flood.value.retry_after == 3
        assert api.sent_messages(CHAT) == []  # a 429 sends nothing

        api.fail_next("sendMessage", status=502)
        with pytest.raises(TelegramServerError):
            await bot.send_message(CHAT, "eerste")

        await bot.send_message(CHAT, "eerste")
        assert api.sent_texts(CHAT) == ["eerste"]
        assert [call.status for call in api.calls_to("sendMessage")] == [429, 502, 200]
    finally:
        await bot.session.close()


async def test_ptb_sees_429_with_retry_after_and_5xx(
    api: FakeBotAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # PTB 22.2+: retry_after as a timedelta
    application = ptb_application(api.base_url)
    async with application:
        api.fail_next("sendMessage", status=429, retry_after=3)
        with pytest.raises(RetryAfter) as flood:
            await application.bot.send_message(CHAT, "eerste")
        assert flood.value.retry_after == timedelta(seconds=3)

        api.fail_next("sendMessage", status=500)
        with pytest.raises(NetworkError):
            await application.bot.send_message(CHAT, "eerste")

        await application.bot.send_message(CHAT, "eerste")
        assert api.sent_texts(CHAT) == ["eerste"]


async def test_429_storm_is_seeded_and_repeatable() -> None:
    outcomes: list[list[int]] = []
    for _ in range(2):
        async with FakeBotAPI() as api:
            api.fail_ratio("sendMessage", 0.5, status=429, retry_after=1, seed=7)
            for number in range(20):
                await api.execute("1:x", "sendMessage", {"chat_id": CHAT, "text": str(number)})
            outcomes.append([call.status or 0 for call in api.calls])
    assert outcomes[0] == outcomes[1]
    assert 0 < outcomes[0].count(429) < 20


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[str, list[tuple[str | None, dict[str, Any]]]]]:
    """A small webhook endpoint on 127.0.0.1 that answers with a sendMessage method."""
    received: list[tuple[str | None, dict[str, Any]]] = []

    async def hook(request: web.Request) -> web.Response:
        update = await request.json()
        received.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"), update))
        chat_id = update["message"]["chat"]["id"]
        return web.json_response({"method": "sendMessage", "chat_id": chat_id, "text": "via hook"})

    app = web.Application()
    app.router.add_post("/telegram", hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/telegram", received
    finally:
        await runner.cleanup()


async def test_webhook_delivers_with_secret_and_blocks_get_updates(
    api: FakeBotAPI, receiver: tuple[str, list[tuple[str | None, dict[str, Any]]]]
) -> None:
    url, received = receiver
    bot = aiogram_bot(api.base_url)
    try:
        assert await bot.set_webhook(url, secret_token="geheim_123")
        update = api.inject_message(CHAT, "via webhook")
        await api.wait_for(lambda: received)
        assert received == [("geheim_123", update)]
        # The method in the webhook's answer was run, as Telegram does.
        assert await api.wait_for(lambda: api.sent_texts(CHAT)) == ["via hook"]
        assert api.pending_updates == []

        with pytest.raises(TelegramConflictError):
            await bot.get_updates(timeout=0)

        assert await bot.delete_webhook(drop_pending_updates=True)
        assert await bot.get_updates(timeout=0) == []
    finally:
        await bot.session.close()


async def test_failed_webhook_delivery_is_retried_in_order(api: FakeBotAPI) -> None:
    answers = iter([500, 200, 200])
    seen: list[int] = []

    async def flaky(request: web.Request) -> web.Response:
        seen.append((await request.json())["update_id"])
        return web.Response(status=next(answers))

    app = web.Application()
    app.router.add_post("/", flaky)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/"
        await api.execute("1:x", "setWebhook", {"url": url})
        first = api.inject_message(CHAT, "een")["update_id"]
        second = api.inject_message(CHAT, "twee")["update_id"]
        await api.wait_for(lambda: len(seen) == 3)
        assert seen == [first, first, second]
        assert api.webhook is not None
        assert api.webhook.last_error_message == "Wrong response from the webhook: 500"
    finally:
        await runner.cleanup()


async def test_aiogram_gets_400_for_long_text_and_long_callback_data(api: FakeBotAPI) -> None:
    bot = aiogram_bot(api.base_url)
    try:
        with pytest.raises(TelegramBadRequest, match="message is too long"):
            await bot.send_message(CHAT, "x" * 4097)
        await bot.send_message(CHAT, "x" * 4096)

        too_long = ag.InlineKeyboardButton(text="Ja", callback_data="é" * 33)  # 66 bytes
        with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
            await bot.send_message(
                CHAT, "Vraag", reply_markup=ag.InlineKeyboardMarkup(inline_keyboard=[[too_long]])
            )
        fits = ag.InlineKeyboardButton(text="Ja", callback_data="é" * 32)  # 64 bytes
        await bot.send_message(
            CHAT, "Vraag", reply_markup=ag.InlineKeyboardMarkup(inline_keyboard=[[fits]])
        )
        assert len(api.sent_messages(CHAT)) == 2
    finally:
        await bot.session.close()


async def test_ptb_gets_400_for_long_text_and_long_callback_data(api: FakeBotAPI) -> None:
    application = ptb_application(api.base_url)
    async with application:
        with pytest.raises(BadRequest, match="Message is too long"):
            await application.bot.send_message(CHAT, "x" * 4097)
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Ja", callback_data="d" * 65)]])
        with pytest.raises(BadRequest, match="Button_data_invalid"):
            await application.bot.send_message(CHAT, "Vraag", reply_markup=keyboard)
    assert api.sent_messages(CHAT) == []
