"""The aiogram 3 adapter: aiogram's updates in, `TelegramIntake` does the rest.

Handlers are registered for messages, edited messages and callback queries. Updates
come in through `feed` (from the webhook, or from our poller: aiogram's own polling
would confirm an update before it is applied, bot/telegram/poller.py). Every callback
query is answered, also a forged one and also when handling failed. `TelegramIntake`
keeps one chat's updates in order.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import CallbackQuery, Message, Update

from bot.telegram.intake import Incoming, TelegramIntake

__all__ = ["AiogramAdapter"]


class AiogramAdapter:
    name = "aiogram"

    def __init__(
        self,
        token: str,
        base_url: str,
        intake: TelegramIntake,
    ) -> None:
        self.intake = intake
        self.bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(base_url)))
        self.dispatcher = Dispatcher()
        self.dispatcher.message.register(self._on_message)
        self.dispatcher.edited_message.register(self._on_edited_message)
        self.dispatcher.callback_query.register(self._on_callback_query)

    async def start(self) -> None:
        await self.bot.get_me()  # a wrong token or base URL fails here, loudly

    async def feed(self, data: dict[str, Any]) -> None:
        """One update from the webhook, handled before the webhook answers."""
        update = Update.model_validate(data, context={"bot": self.bot})
        await self.dispatcher.feed_update(self.bot, update)

    async def stop(self) -> None:
        await self.bot.session.close()

    # --- handlers --------------------------------------------------------------------

    async def _on_message(self, message: Message, event_update: Update) -> None:
        await self.intake.handle(Incoming.from_message(message, event_update.update_id))

    async def _on_edited_message(self, message: Message, event_update: Update) -> None:
        await self.intake.handle(
            Incoming.from_message(message, event_update.update_id, edited=True)
        )

    async def _on_callback_query(self, query: CallbackQuery, event_update: Update) -> None:
        await self.intake.handle_query(query, event_update.update_id)
