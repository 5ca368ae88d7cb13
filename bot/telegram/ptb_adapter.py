"""The python-telegram-bot (v21+) adapter: PTB's updates in, `TelegramIntake` does the rest.

One `TypeHandler` takes every update. There is no Updater: updates come in through
`feed` (`process_update`), from the webhook or from our poller (PTB's own polling
would confirm an update before it is applied, bot/telegram/poller.py). Every callback
query is answered, also a forged one and also when handling failed. `TelegramIntake`
keeps one chat's updates in order.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.telegram.intake import Incoming, TelegramIntake

__all__ = ["PtbAdapter"]


PtbApplication = Application[Any, Any, Any, Any, Any, Any]


class PtbAdapter:
    name = "ptb"

    def __init__(
        self,
        token: str,
        base_url: str,
        intake: TelegramIntake,
    ) -> None:
        self.intake = intake
        base = base_url.rstrip("/")
        builder = (
            Application.builder()
            .token(token)
            .base_url(f"{base}/bot")
            .base_file_url(f"{base}/file/bot")
            .updater(None)  # updates come through `feed`: see bot/telegram/poller.py
        )
        self.application: PtbApplication = builder.build()
        self.application.add_handler(TypeHandler(Update, self._on_update))

    async def start(self) -> None:
        await self.application.initialize()  # getMe: a wrong token fails here, loudly
        await self.application.start()

    async def feed(self, data: dict[str, Any]) -> None:
        """One update from the webhook, handled before the webhook answers."""
        update = Update.de_json(data, self.application.bot)
        await self.application.process_update(update)

    async def stop(self) -> None:
        application = self.application
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()

    # --- the handler -------------------------------------------------------------------

    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.callback_query is not None:
            await self.intake.handle_query(update.callback_query, update.update_id)
        elif update.edited_message is not None:
            await self.intake.handle(
                Incoming.from_message(update.edited_message, update.update_id, edited=True)
            )
        elif update.message is not None:
            await self.intake.handle(Incoming.from_message(update.message, update.update_id))
