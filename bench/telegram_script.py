"""The golden scenarios as a person does them in Telegram, and raw Bot API updates.

A scenario becomes a list of moves: ("text", what is typed) or ("press", the option
of a button on the newest keyboard). As in tests/telegram/scripts.py: `/start`, the
flow's button, then the steps; a multiple choice is ticked one button at a time and
closed with "Klaar" (`_done`); a command is its slash command; a language change is
`/taal` and the language's button; an empty text is left out (Telegram has none).
"""

from __future__ import annotations

import itertools
import time
from typing import Any

from common import ROOT  # noqa: F401  (puts the repository on sys.path)

from tests.fakes.telegram_objects import bot_user, chat, command_entities, user
from tests.scenario_files import COMMAND_TEXT, Scenario

Move = tuple[str, str]  # ("text", typed) or ("press", option)

BOT = bot_user(123456789, "loket_bench_bot")


def moves(scenario: Scenario) -> list[Move]:
    out: list[Move] = [("text", "/start"), ("press", scenario.flow)]
    for step in scenario.steps:
        if isinstance(step, str):
            if step:
                out.append(("text", step))
            continue
        ((kind, value),) = step.items()
        if kind == "choice":
            out.append(("press", str(value)))
        elif kind == "select":
            out.extend(("press", str(option)) for option in value)
            out.append(("press", "_done"))
        elif kind == "command":
            out.append(("text", COMMAND_TEXT[value]))
        elif kind == "language":
            out.extend([("text", "/taal"), ("press", str(value))])
        else:
            raise ValueError(f"unknown scenario step {step!r}")
    return out


class UpdateMaker:
    """Raw updates as Telegram sends them (for a framework's feed_update)."""

    def __init__(self) -> None:
        self._update_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        self._message_ids: dict[int, int] = {}

    def _message_id(self, chat_id: int) -> int:
        self._message_ids[chat_id] = self._message_ids.get(chat_id, 0) + 1
        return self._message_ids[chat_id]

    def message(self, chat_id: int, text: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": self._message_id(chat_id),
            "from": user(chat_id, language_code="nl"),
            "chat": chat(chat_id, "private"),
            "date": int(time.time()),
            "text": text,
        }
        if entities := command_entities(text):
            message["entities"] = entities
        return {"update_id": next(self._update_ids), "message": message}

    def callback(self, chat_id: int, message_id: int, data: str) -> dict[str, Any]:
        message = {
            "message_id": message_id,
            "from": BOT,
            "chat": chat(chat_id, "private"),
            "date": int(time.time()),
            "text": "?",
        }
        query = {
            "id": str(4_000_000_000 + next(self._query_ids)),
            "from": user(chat_id, language_code="nl"),
            "message": message,
            "chat_instance": str(chat_id * 7919),
            "data": data,
        }
        return {"update_id": next(self._update_ids), "callback_query": query}
