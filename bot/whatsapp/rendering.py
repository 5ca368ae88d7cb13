"""A conversation turn as WhatsApp messages: the outbox payloads of one turn.

A payload is a Cloud API message object without the recipient (`{"type": "text",
"text": {"body": ...}}` or `{"type": "interactive", "interactive": {...}}`); the
deliverer adds `messaging_product` and `to`. Payloads written by others (the
dashboard) may be just `{"text": "..."}`.

One turn is one message where it can: the sentences, a blank line between blocks,
then the question. A question's options become, in this order of preference:

- reply buttons: at most 3 options, each label at most 20 characters;
- a list message: at most 10 options, each label at most 72 characters (a label
  longer than a row title's 24 characters is cut there and shown whole as the row's
  description);
- numbered text ("1. Ja"): anything else. A typed number always picks the option
  (the engine reads it), so every question can be answered by typing.

An interactive message's body holds at most 1,024 characters: longer sentences go
first as a text message of their own. A text longer than 4,096 characters is split
at a blank line, a line end or a space. The buttons and list rows carry the
question's token and the option (`flows.engine.inputs.callback_data`), so an old or
forged button changes nothing. A ticked option of a multiple choice shows ✅.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from bot.message_parts import split_text as split_parts
from bot.whatsapp import wording
from flows.engine.inputs import callback_data
from flows.engine.prompts import Prompt
from flows.engine.wording import EXAMPLE
from flows.texts import Text
from intake.conversation import Outgoing, Turn
from locales import render

__all__ = [
    "BODY_LIMIT",
    "BUTTON_TITLE",
    "MAX_BUTTONS",
    "MAX_ROWS",
    "ROW_DESCRIPTION",
    "ROW_TITLE",
    "TEXT_LIMIT",
    "Payload",
    "render_turn",
    "split_text",
    "text_payloads",
]

TEXT_LIMIT = 4096  # a text message's body
BODY_LIMIT = 1024  # an interactive message's body
MAX_BUTTONS = 3
BUTTON_TITLE = 20
MAX_ROWS = 10
ROW_TITLE = 24
ROW_DESCRIPTION = 72
LIST_BUTTON_LIMIT = 20
SELECTED_MARK = "\N{WHITE HEAVY CHECK MARK} "

Payload = dict[str, Any]


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Parts of at most `limit` characters (`bot.message_parts`)."""
    return split_parts(text, limit)


def text_message(body: str) -> Payload:
    return {"type": "text", "text": {"body": body, "preview_url": False}}


def _texts(blocks: Iterable[str]) -> list[Payload]:
    joined = "\n\n".join(block for block in blocks if block)
    return [text_message(part) for part in split_text(joined)] if joined else []


def _labels(prompt: Prompt, locale: str) -> list[str]:
    labels = []
    for option in prompt.options:
        label = render(option.text, locale)
        if prompt.multiple and option.selected:
            label = SELECTED_MARK + label
        labels.append(label)
    return labels


def _prompt_block(prompt: Prompt, locale: str) -> str:
    lines = [render(prompt.text, locale)]
    if prompt.accepts_text and prompt.example is not None:
        lines.append(render(Text(EXAMPLE, {"example": prompt.example}), locale))
    return "\n".join(lines)


def _buttons(prompt: Prompt, labels: list[str], body: str) -> Payload:
    buttons = [
        {"type": "reply", "reply": {"id": callback_data(prompt.token, option.id), "title": label}}
        for option, label in zip(prompt.options, labels, strict=True)
    ]
    return {
        "type": "interactive",
        "interactive": {"type": "button", "body": {"text": body}, "action": {"buttons": buttons}},
    }


def _row(row_id: str, label: str) -> dict[str, str]:
    if len(label) <= ROW_TITLE:
        return {"id": row_id, "title": label}
    return {"id": row_id, "title": label[: ROW_TITLE - 1].rstrip() + "…", "description": label}


def _list(prompt: Prompt, labels: list[str], body: str, locale: str) -> Payload:
    rows = [
        _row(callback_data(prompt.token, option.id), label)
        for option, label in zip(prompt.options, labels, strict=True)
    ]
    button = render(Text(wording.LIST_BUTTON), locale)[:LIST_BUTTON_LIMIT]
    return {
        "type": "interactive",
        "interactive": {
            "type": "list",
            "body": {"text": body},
            "action": {"button": button, "sections": [{"rows": rows}]},
        },
    }


def _numbered(block: str, labels: list[str]) -> str:
    return "\n".join([block, *(f"{n}. {label}" for n, label in enumerate(labels, start=1))])


def _question(blocks: list[str], prompt: Prompt, locale: str) -> list[Payload]:
    """The sentences before a question and the question, in as few messages as fit."""
    block = _prompt_block(prompt, locale)
    labels = _labels(prompt, locale)
    fits_buttons = 0 < len(labels) <= MAX_BUTTONS and all(len(x) <= BUTTON_TITLE for x in labels)
    fits_list = 0 < len(labels) <= MAX_ROWS and all(len(x) <= ROW_DESCRIPTION for x in labels)
    if not (fits_buttons or fits_list) or len(block) > BODY_LIMIT:
        return _texts([*blocks, _numbered(block, labels) if labels else block])
    together = "\n\n".join(b for b in [*blocks, block] if b)
    before: list[Payload] = []
    body = together
    if len(together) > BODY_LIMIT:  # the sentences go first, on their own
        before, body = _texts(blocks), block
    if fits_buttons:
        return [*before, _buttons(prompt, labels, body)]
    return [*before, _list(prompt, labels, body, locale)]


def render_turn(turn: Turn) -> list[Payload]:
    """The payloads of a turn, in order."""
    locale = turn.locale
    payloads: list[Payload] = []
    blocks: list[str] = []
    for message in turn.messages:
        if message.texts:
            blocks.append("\n".join(render(text, locale) for text in message.texts))
        if message.prompt is not None:
            payloads.extend(_question(blocks, message.prompt, locale))
            blocks = []
    payloads.extend(_texts(blocks))
    return payloads


def text_payloads(
    texts: Sequence[Text], locale: str, prompt: Prompt | None = None
) -> list[Payload]:
    """Sentences (and an open question) as payloads: for replies outside a turn."""
    return render_turn(Turn((Outgoing(tuple(texts), prompt, "notice"),), locale))
