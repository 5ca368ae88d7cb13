"""The transcript a web chat page shows: what the bot said and what the person
answered, kept with the chat on the server (never in the cookie, never logged).

Entries are JSON: the bot's texts as message ids with parameters (`text_to_json`), so
the whole page is shown again in another language when the person switches; a typed
answer as typed (shown as text, never as HTML). The transcript is erased with the
conversation: when it ends, only the last messages (the result, or "stopped") stay,
for `WebChatConfig.ended_kept`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.web import wording
from flows.engine.inputs import (
    ChoiceInput,
    Command,
    CommandInput,
    Input,
    SelectionInput,
    TextInput,
)
from flows.engine.prompts import Prompt
from flows.text_json import text_from_json, text_to_json
from flows.texts import Text
from intake.conversation import Outgoing
from locales import render

__all__ = [
    "MAX_ENTRIES",
    "Entry",
    "Shown",
    "answer_entry",
    "bot_entries",
    "keep_last",
    "shown",
]

Entry = Mapping[str, Any]
MAX_ENTRIES = 400  # the oldest go first; a whole intake is about 100
TYPED_SHOWN = 300  # characters of a typed answer kept in the transcript

_COMMAND_LABELS = {
    Command.BACK: wording.BACK,
    Command.HELP: wording.HELP,
    Command.STOP: wording.STOP,
}


@dataclass(frozen=True)
class Shown:
    """One speech bubble, rendered: `by` is "bot" or "me"; `typed` marks the person's
    own words (their direction is detected by the browser)."""

    by: str
    kind: str
    lines: tuple[str, ...]
    typed: bool = False


def bot_entries(messages: Iterable[Outgoing]) -> list[Entry]:
    entries: list[Entry] = []
    for message in messages:
        texts = list(message.texts)
        if message.prompt is not None:
            texts.append(message.prompt.text)
        if texts:
            entries.append(
                {"by": "bot", "kind": message.kind, "texts": [text_to_json(t) for t in texts]}
            )
    return entries


def _said(*texts: Text) -> Entry:
    return {"by": "me", "kind": "answer", "texts": [text_to_json(t) for t in texts]}


def answer_entry(inp: Input, prompt: Prompt | None) -> Entry | None:
    """The person's bubble for an input: the label of the button they pressed, the
    options they ticked, or what they typed (cut short when very long)."""
    if isinstance(inp, TextInput):
        typed = inp.text if len(inp.text) <= TYPED_SHOWN else inp.text[:TYPED_SHOWN] + "…"
        return {"by": "me", "kind": "answer", "typed": typed}
    if isinstance(inp, CommandInput):
        label = _COMMAND_LABELS.get(inp.command)
        return _said(Text(label)) if label else None
    if prompt is None:
        return None
    if isinstance(inp, ChoiceInput):
        option = prompt.option(inp.option) if inp.token == prompt.token else None
        return _said(option.text) if option is not None else None
    if isinstance(inp, SelectionInput) and inp.token == prompt.token:
        labels = [o.text for o in prompt.options if o.id in inp.options]
        return _said(*labels) if labels else _said(Text(wording.CHOSE_NOTHING))
    return None


def keep_last(entries: Sequence[Entry]) -> list[Entry]:
    return list(entries[-MAX_ENTRIES:])


def _render(data: Any, locale: str) -> str | None:
    try:
        return render(text_from_json(data), locale)
    except (KeyError, TypeError, ValueError, IndexError):
        return None  # an entry from an older version that no longer renders


def shown(entries: Iterable[Entry], locale: str) -> list[Shown]:
    """The entries as bubbles in `locale`."""
    out: list[Shown] = []
    for entry in entries:
        by = "me" if entry.get("by") == "me" else "bot"
        kind = str(entry.get("kind", "say"))
        typed = entry.get("typed")
        if isinstance(typed, str):
            out.append(Shown(by, kind, (typed,), typed=True))
            continue
        lines = [_render(t, locale) for t in entry.get("texts", ())]
        kept = tuple(line for line in lines if line)
        if kept:
            out.append(Shown(by, kind, kept))
    return out
