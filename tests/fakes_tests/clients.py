"""The real libraries, pointed at the fake: the construction code the adapters copy."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from aiogram import Bot as AiogramBot
from aiogram import Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from telegram.ext import Application

from tests.fakes import TEST_TOKEN, FakeBotAPI

POLL_SECONDS = 1


def aiogram_bot(base_url: str, token: str = TEST_TOKEN) -> AiogramBot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(base_url))
    return AiogramBot(token, session=session)


def ptb_application(base_url: str, token: str = TEST_TOKEN) -> Application:  # type: ignore[type-arg]
    return (
        Application.builder()
        .token(token)
        .base_url(f"{base_url}/bot")
        .base_file_url(f"{base_url}/file/bot")
        .build()
    )


@asynccontextmanager
async def aiogram_polling(
    api: FakeBotAPI, dispatcher: Dispatcher, bot: AiogramBot
) -> AsyncIterator[None]:
    """Poll with aiogram until the block ends, then stop and close the bot's session."""
    polling = asyncio.create_task(
        dispatcher.start_polling(
            bot, polling_timeout=POLL_SECONDS, handle_signals=False, close_bot_session=True
        )
    )
    try:
        await api.wait_for(lambda: api.calls_to("getUpdates") or polling.done())
        yield
    finally:
        if not polling.done():
            await dispatcher.stop_polling()
        await polling


@asynccontextmanager
async def ptb_polling(application: Application) -> AsyncIterator[None]:  # type: ignore[type-arg]
    """Initialise, start and poll with python-telegram-bot until the block ends."""
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(timeout=timedelta(seconds=POLL_SECONDS))
        try:
            yield
        finally:
            await application.updater.stop()
            await application.stop()
