"""What happened in the chats: messages in both directions, edits and callback queries.

Message ids count up per chat and are shared by the person's and the bot's messages,
as in a private Telegram chat.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.fakes.telegram_objects import JSONDict

__all__ = ["CallbackRecord", "ChatLog", "SentMessage"]


@dataclass(frozen=True)
class SentMessage:
    """One message the bot sent (sendMessage) or changed (editMessage*).

    `text` is the text as the bot sent it (markup included); for an edit of the
    keyboard alone it is the message's current text.
    """

    chat_id: int
    message_id: int
    text: str | None
    reply_markup: JSONDict | None
    parse_mode: str | None
    method: str
    time: float
    link_preview_options: JSONDict | None = None

    @property
    def buttons(self) -> list[list[JSONDict]]:
        """The inline keyboard's rows of buttons (empty without one)."""
        if not self.reply_markup:
            return []
        rows: list[list[JSONDict]] = self.reply_markup.get("inline_keyboard", [])
        return rows

    @property
    def keyboard(self) -> list[list[str]]:
        """The inline keyboard as rows of button texts."""
        return [[str(button.get("text")) for button in row] for row in self.buttons]

    @property
    def callback_data(self) -> list[str]:
        """The callback data of every button, row by row."""
        return [
            str(button["callback_data"])
            for row in self.buttons
            for button in row
            if "callback_data" in button
        ]


@dataclass
class CallbackRecord:
    """An injected callback query and the bot's answerCallbackQuery parameters."""

    query: JSONDict
    answer: dict[str, Any] | None = None


@dataclass
class ChatLog:
    sent: list[SentMessage] = field(default_factory=list)
    edits: list[SentMessage] = field(default_factory=list)
    callbacks: dict[str, CallbackRecord] = field(default_factory=dict)
    _messages: dict[tuple[int, int], JSONDict] = field(default_factory=dict)
    _last_message_id: dict[int, int] = field(default_factory=dict)
    _last_callback_id: int = 0

    def new_message_id(self, chat_id: int) -> int:
        message_id = self._last_message_id.get(chat_id, 0) + 1
        self._last_message_id[chat_id] = message_id
        return message_id

    def new_callback_id(self) -> str:
        self._last_callback_id += 1
        return f"{4_000_000_000_000_000 + self._last_callback_id}"

    def store(self, message: JSONDict) -> None:
        self._messages[(message["chat"]["id"], message["message_id"])] = message

    def get(self, chat_id: int, message_id: int) -> JSONDict | None:
        return self._messages.get((chat_id, message_id))

    def delete(self, chat_id: int, message_id: int) -> bool:
        return self._messages.pop((chat_id, message_id), None) is not None
