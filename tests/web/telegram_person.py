"""A person in Telegram, for the hand-off tests: the real `TelegramIntake` (what both
adapters call) over a conversation service; what it would send is read from the
outbox. The adapters themselves, over HTTP to the fake Bot API, are tested in
tests/telegram."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from bot.telegram.intake import Incoming, TelegramIntake
from bot.telegram.rendering import RenderOptions
from bot.telegram.runner import sensitive_nodes
from flows.engine.inputs import callback_data
from intake.conversation import ConversationService
from storage.tables import OutboxMessageRow

__all__ = ["AFTER_PROBLEMS", "BEFORE_PROBLEMS", "CHAT", "WEB_CHAT_URL", "TelegramPerson"]

WEB_CHAT_URL = "https://chat.example/chat"
CHAT = 4242
# Telegram, up to the first sensitive question (health and addiction: `problems`).
BEFORE_PROBLEMS: list[Any] = [
    "/start",
    {"choice": "zelfmelding"},
    {"choice": "yes"},
    "Sam",
    {"choice": "public_space"},
    "Heerlen",
    {"choice": "same"},
    "45",
    {"choice": "alone"},
    "14",
    {"choice": "no"},
]
# The rest, in the web chat: with the 14 months on the street told in Telegram, these
# answers lead to Housing First.
AFTER_PROBLEMS: list[Any] = [
    {"select": ["addiction", "psychiatric"]},
    {"choice": "intensive"},
    {"choice": "yes"},
    {"choice": "no"},  # no care organisation yet
    {"choice": "yes"},
    {"choice": "yes"},
    {"choice": "none"},
    {"choice": "no"},
    {"choice": "none"},
    {"choice": "none"},
    {"choice": "_submit"},
]


class TelegramPerson:
    """A person in Telegram, through the intake both adapters call."""

    def __init__(self, service: ConversationService, chat_id: int = CHAT) -> None:
        options = RenderOptions(
            web_chat_url=WEB_CHAT_URL, sensitive_nodes=sensitive_nodes(service.library)
        )
        self.intake = TelegramIntake(service, render_options=options)
        self.service = service
        self.chat_id = chat_id
        self.update_id = 1000 * chat_id

    async def send(self, text: str) -> None:
        self.update_id += 1
        await self.intake.handle(Incoming(self.update_id, self.chat_id, text=text))

    async def press(self, option: str, token: str | None = None) -> None:
        """Press a button of the open question (or of the message with `token`)."""
        if token is None:
            view = await self.service.view("telegram", self.chat_id)
            assert view is not None and view.prompt is not None, "no open question"
            token = view.prompt.token
        self.update_id += 1
        data = callback_data(token, option)
        await self.intake.handle(
            Incoming(
                self.update_id, self.chat_id, callback_id="cb", callback_data=data, message_id=1
            )
        )

    @property
    def user_hash(self) -> str:
        return self.service.key("telegram", self.chat_id).user_hash

    async def step(self, step: Any) -> None:
        if isinstance(step, str):
            await self.send(step)
        else:
            await self.press(str(step["choice"]))

    async def open_question(self) -> str | None:
        view = await self.service.view("telegram", self.chat_id)
        return None if view is None or view.prompt is None else view.prompt.node

    async def payloads(self) -> list[dict[str, Any]]:
        """Every message queued for this chat, oldest first."""
        async with self.service.database.unit_of_work(write=False) as uow:
            rows = await uow.session.scalars(
                select(OutboxMessageRow)
                .where(OutboxMessageRow.recipient_hash == self.user_hash)
                .order_by(OutboxMessageRow.id)  # type: ignore[arg-type]
            )
            return [dict(row.payload) for row in rows]

    async def links(self) -> list[str]:
        texts = [str(p.get("text", "")) for p in await self.payloads()]
        return re.findall(r"https://chat\.example/chat\?code=[A-Z0-9-]+", "\n".join(texts))
