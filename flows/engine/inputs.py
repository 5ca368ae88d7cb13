"""What a channel sends the engine: typed text, a button, a set of ticked options,
a command, or a language.

Buttons carry the prompt's token, so the engine can reject a stale or forged
callback (`choice_rejected`, session unchanged). `callback_data` and `parse_callback`
make and read Telegram callback data (at most 64 bytes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "CALLBACK_LIMIT",
    "ChoiceInput",
    "Command",
    "CommandInput",
    "Input",
    "LanguageInput",
    "SelectionInput",
    "TextInput",
    "callback_data",
    "parse_callback",
]

CALLBACK_LIMIT = 64  # bytes, Telegram's limit for inline keyboard callback data
_CALLBACK = re.compile(r"^([0-9a-z]{1,12}):([a-z_][a-z0-9_:.]{0,50})$")
_LOCALE = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?$")


class Command(StrEnum):
    STOP = "stop"  # asks to confirm, then discards the draft
    BACK = "back"  # the previous question
    HELP = "help"
    CRISIS = "crisis"  # crisis numbers and staff follow-up
    RESTART = "restart"
    LANGUAGE = "language"  # the language chooser


@dataclass(frozen=True)
class TextInput:
    text: str


@dataclass(frozen=True)
class ChoiceInput:
    """A button: the prompt's token and an option id."""

    token: str
    option: str


@dataclass(frozen=True)
class SelectionInput:
    """A whole multiple-choice answer at once (a web form's ticked boxes)."""

    token: str
    options: tuple[str, ...]


@dataclass(frozen=True)
class CommandInput:
    command: Command


@dataclass(frozen=True)
class LanguageInput:
    locale: str

    def __post_init__(self) -> None:
        if not _LOCALE.match(self.locale):
            raise ValueError(f"not a locale: {self.locale!r}")


Input = TextInput | ChoiceInput | SelectionInput | CommandInput | LanguageInput


def callback_data(token: str, option: str) -> str:
    """Callback data for a button; at most 64 bytes (flow ids are kept short for it)."""
    data = f"{token}:{option}"
    if len(data.encode()) > CALLBACK_LIMIT:
        raise ValueError(f"callback data longer than {CALLBACK_LIMIT} bytes: {data!r}")
    return data


def parse_callback(data: str) -> ChoiceInput | None:
    """The button a callback stands for, or None when it is not one of ours."""
    match = _CALLBACK.match(data)
    return ChoiceInput(match.group(1), match.group(2)) if match else None
