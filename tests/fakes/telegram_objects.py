"""Builders for the Bot API objects the fake server returns and injects.

Everything is a plain JSON-ready dict shaped like the real Bot API, so that aiogram's
pydantic models and python-telegram-bot's `de_json` accept it. The sample payloads at
the bottom (`STICKER`, `PHOTO`, `VOICE`, `LOCATION`) carry every field the libraries
require, for injecting "bad input" such as

    api.inject_message(chat_id, None, sticker=STICKER)
"""

from __future__ import annotations

import time
from typing import Any

__all__ = [
    "LOCATION",
    "PHOTO",
    "STICKER",
    "VOICE",
    "JSONDict",
    "bot_user",
    "chat",
    "command_entities",
    "now",
    "user",
]

JSONDict = dict[str, Any]

BOT_FIRST_NAME = "Loket Test Bot"
GROUP_TITLE = "Test group"


def now() -> int:
    """The Unix time in whole seconds, as the Bot API dates messages."""
    return int(time.time())


def bot_user(bot_id: int, username: str) -> JSONDict:
    """The User object `getMe` answers for the bot."""
    return {
        "id": bot_id,
        "is_bot": True,
        "first_name": BOT_FIRST_NAME,
        "username": username,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


def user(
    user_id: int,
    *,
    first_name: str = "Test",
    language_code: str | None = None,
    username: str | None = None,
) -> JSONDict:
    """A human User, as it appears in `from` of messages and callback queries."""
    result: JSONDict = {"id": user_id, "is_bot": False, "first_name": first_name}
    if username is not None:
        result["username"] = username
    if language_code is not None:
        result["language_code"] = language_code
    return result


def chat(chat_id: int, chat_type: str, *, first_name: str = "Test") -> JSONDict:
    """A Chat: private chats carry the person's name, groups a title."""
    if chat_type == "private":
        return {"id": chat_id, "type": "private", "first_name": first_name}
    if chat_type in ("group", "supergroup", "channel"):
        return {"id": chat_id, "type": chat_type, "title": GROUP_TITLE}
    raise ValueError(f"unknown chat type {chat_type!r}")


def command_entities(text: str | None) -> list[JSONDict]:
    """The `bot_command` entity Telegram adds to a text that starts with a slash.

    python-telegram-bot's CommandHandler relies on it, so injected commands need it.
    """
    if not text or not text.startswith("/"):
        return []
    command = text.split(maxsplit=1)[0]
    return [{"type": "bot_command", "offset": 0, "length": len(command.encode("utf-16-le")) // 2}]


STICKER: JSONDict = {
    "file_id": "CAACAgIAAxkBAAEfake-sticker",
    "file_unique_id": "AgADfakesticker",
    "type": "regular",
    "width": 512,
    "height": 512,
    "is_animated": False,
    "is_video": False,
    "emoji": "\N{THUMBS UP SIGN}",
}

PHOTO: list[JSONDict] = [
    {"file_id": "AgACAgfake-photo-s", "file_unique_id": "AQADfakes", "width": 90, "height": 90},
    {"file_id": "AgACAgfake-photo-m", "file_unique_id": "AQADfakem", "width": 320, "height": 320},
]

VOICE: JSONDict = {
    "file_id": "AwACAgfake-voice",
    "file_unique_id": "AgADfakevoice",
    "duration": 3,
    "mime_type": "audio/ogg",
}

LOCATION: JSONDict = {"latitude": 50.8514, "longitude": 5.6910}
