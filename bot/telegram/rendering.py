"""A conversation turn as Telegram messages: the outbox payloads of one turn.

One turn becomes one message where it can: the sentences of the turn, a blank line
between blocks, then the question, with the question's options as an inline keyboard
(one button per row; callback data `inputs.callback_data(token, option)`, at most 64
bytes). Fewer messages keep a person well under Telegram's one-message-per-second
pace. A text longer than Telegram's 4096 characters is split at paragraph, line or
word boundaries; the keyboard goes with the last part. Plain text only (no
parse_mode), so nothing a person typed can break the markup.

Ticking an option of a multiple-choice question changes the buttons of the message
that was pressed (editMessageReplyMarkup), with a new message as the fallback.

A payload is a JSON object without the chat: `{"method": "sendMessage", "text": ...,
"reply_markup": ...}`. The deliverer adds `chat_id`. Payloads written by others
(the dashboard) may be just `{"text": "..."}`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.message_parts import split_text as split_parts
from bot.telegram import wording
from flows.engine.inputs import callback_data
from flows.engine.prompts import Prompt
from flows.engine.wording import EXAMPLE
from flows.texts import Text
from intake.conversation import Outgoing, Turn
from intake.handoff import handoff_link
from locales import render

__all__ = [
    "MESSAGE_LIMIT",
    "Payload",
    "RenderOptions",
    "keyboard",
    "offers_web_chat",
    "render_texts",
    "render_turn",
    "split_text",
    "telegram_length",
    "text_payloads",
]

MESSAGE_LIMIT = 4096  # Telegram's limit, counted here in UTF-16 code units (stricter)
SELECTED_MARK = "\N{WHITE HEAVY CHECK MARK} "

Payload = dict[str, Any]


@dataclass(frozen=True)
class RenderOptions:
    """`web_chat_url`: offered before sensitive questions, `(flow_id, node)` pairs;
    with `handoff_code` the link carries it, so the answers go along (`intake.handoff`)."""

    web_chat_url: str | None = None
    sensitive_nodes: Collection[tuple[str, str]] = field(default_factory=frozenset)
    handoff_code: str | None = None

    def links_before(self, flow_id: str | None, prompt: Prompt) -> bool:
        """Whether the web chat is offered before this question (a sensitive one)."""
        return bool(self.web_chat_url) and (flow_id, prompt.node) in self.sensitive_nodes

    def web_chat_text(self) -> Text | None:
        """The offer of the web chat: with the one-time link when there is a code."""
        if not self.web_chat_url:
            return None
        if self.handoff_code is None:
            return Text(wording.WEB_CHAT, {"url": self.web_chat_url})
        link = handoff_link(self.web_chat_url, self.handoff_code)
        return Text(wording.WEB_CHAT_HANDOFF, {"url": link})


def offers_web_chat(
    turn: Turn, options: RenderOptions, *, pressed: tuple[str, int] | None = None
) -> bool:
    """Whether `render_turn` (with the same `pressed`) puts the web chat's link in
    this turn: not when ticking an option only changes the buttons."""
    if _tick_edit(turn, pressed) is not None:
        return False
    return any(
        message.prompt is not None and options.links_before(turn.flow_id, message.prompt)
        for message in turn.messages
    )


def telegram_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _cut(text: str, limit: int) -> int:
    """The longest prefix (in code points) that fits `limit` UTF-16 units."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def split_text(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Parts of at most `limit` UTF-16 units (`bot.message_parts`)."""
    return split_parts(text, limit, length=telegram_length, fits=_cut)


def render_texts(texts: Iterable[Text], locale: str) -> str:
    return "\n".join(render(text, locale) for text in texts)


def keyboard(prompt: Prompt, locale: str) -> dict[str, Any] | None:
    """The prompt's options as an inline keyboard, one button per row."""
    rows = []
    for option in prompt.options:
        label = render(option.text, locale)
        if prompt.multiple and option.selected:
            label = SELECTED_MARK + label
        rows.append([{"text": label, "callback_data": callback_data(prompt.token, option.id)}])
    return {"inline_keyboard": rows} if rows else None


def _prompt_block(prompt: Prompt, locale: str) -> str:
    lines = [render(prompt.text, locale)]
    if prompt.accepts_text and prompt.example is not None:
        lines.append(render(Text(EXAMPLE, {"example": prompt.example}), locale))
    return "\n".join(lines)


def _message(
    blocks: list[str], markup: dict[str, Any] | None, *, no_preview: bool = False
) -> list[Payload]:
    parts = split_text("\n\n".join(block for block in blocks if block))
    payloads: list[Payload] = [{"method": "sendMessage", "text": part} for part in parts]
    if no_preview:
        _without_preview(payloads)
    if markup is not None:
        payloads[-1]["reply_markup"] = markup
    return payloads


def render_turn(
    turn: Turn,
    options: RenderOptions | None = None,
    *,
    pressed: tuple[str, int] | None = None,
) -> list[Payload]:
    """The payloads of a turn, in order. `pressed`: the token of the button pressed and
    the message it was on, so that ticking a multiple choice edits that message."""
    options = options or RenderOptions()
    locale = turn.locale
    edit = _tick_edit(turn, pressed)
    if edit is not None:
        return [edit]
    payloads: list[Payload] = []
    blocks: list[str] = []
    offer = options.web_chat_text()
    for message in turn.messages:
        if message.texts:
            blocks.append(render_texts(message.texts, locale))
        prompt = message.prompt
        if prompt is None:
            continue
        linked = offer is not None and options.links_before(turn.flow_id, prompt)
        if linked and offer is not None:  # (`offer` again for the type checker)
            blocks.append(render(offer, locale))
        blocks.append(_prompt_block(prompt, locale))
        payloads.extend(_message(blocks, keyboard(prompt, locale), no_preview=linked))
        blocks = []
    if blocks:
        payloads.extend(_message(blocks, None))
    return payloads


def _tick_edit(turn: Turn, pressed: tuple[str, int] | None) -> Payload | None:
    """Ticking an option: only the same multiple-choice question came back."""
    if pressed is None or len(turn.messages) != 1:
        return None
    [message] = turn.messages
    prompt = message.prompt
    if message.texts or prompt is None or not prompt.multiple or prompt.token != pressed[0]:
        return None
    markup = keyboard(prompt, turn.locale)
    [fallback] = _message([_prompt_block(prompt, turn.locale)], markup)
    return {
        "method": "editMessageReplyMarkup",
        "message_id": pressed[1],
        "reply_markup": markup,
        "fallback": fallback,
    }


def text_payloads(
    texts: Sequence[Text], locale: str, prompt: Prompt | None = None, *, no_preview: bool = False
) -> list[Payload]:
    """Sentences (and an open question) as payloads: for replies outside a turn."""
    messages = [Outgoing(tuple(texts), prompt, "notice")]
    payloads = render_turn(Turn(tuple(messages), locale))
    return _without_preview(payloads) if no_preview else payloads


def _without_preview(payloads: list[Payload]) -> list[Payload]:
    """Telegram shows no preview of a link in these messages (it would fetch the page)."""
    for payload in payloads:
        payload["link_preview_options"] = {"is_disabled": True}
    return payloads
