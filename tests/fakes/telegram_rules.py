"""The checks the real Bot API makes, with its error descriptions.

Each check raises `ApiError`, which the fake server turns into the answer Telegram gives:
`{"ok": false, "error_code": 400, "description": "Bad Request: ..."}`.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from http import HTTPStatus
from typing import Any

__all__ = [
    "CALLBACK_DATA_MAX_BYTES",
    "CHAT_ACTIONS",
    "MESSAGE_MAX_CHARS",
    "ApiError",
    "bad_request",
    "check_callback_answer",
    "check_commands",
    "check_reply_markup",
    "check_secret_token",
    "require_chat_id",
    "require_int",
    "visible_text",
]

MESSAGE_MAX_CHARS = 4096
CALLBACK_DATA_MAX_BYTES = 64
CALLBACK_ANSWER_MAX_CHARS = 200
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
INLINE_BUTTON_ACTIONS = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)
HTML_TAGS = frozenset(
    {
        "a",
        "b",
        "blockquote",
        "code",
        "del",
        "em",
        "i",
        "ins",
        "pre",
        "s",
        "span",
        "strike",
        "strong",
        "tg-emoji",
        "tg-spoiler",
        "u",
    }
)
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
BOT_COMMAND = re.compile(r"[a-z0-9_]{1,32}")


class ApiError(Exception):
    """An unsuccessful Bot API answer."""

    def __init__(
        self,
        status: int,
        description: str,
        parameters: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        """The JSON body Telegram sends with this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(reason: str) -> ApiError:
    return ApiError(HTTPStatus.BAD_REQUEST, f"Bad Request: {reason}")


def require_int(params: dict[str, Any], name: str) -> int:
    value = params.get(name)
    if value is None or value == "":
        raise bad_request(f"{name} is empty")
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad_request(f"invalid {name} specified")
    return value


def require_chat_id(params: dict[str, Any]) -> int:
    """The numeric chat id; `@username` chats do not exist in the fake."""
    value = params.get("chat_id")
    if value is None or value == "":
        raise bad_request("chat_id is empty")
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad_request("chat not found")
    return value


class _TelegramHTML(HTMLParser):
    """Checks Telegram's HTML subset and collects the visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.open_tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in HTML_TAGS:
            raise bad_request(f'can\'t parse entities: Unsupported start tag "{tag}"')
        self.open_tags.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open_tags or self.open_tags[-1] != tag:
            raise bad_request(f'can\'t parse entities: Unexpected end tag "{tag}"')
        self.open_tags.pop()

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def visible_text(text: Any, parse_mode: Any) -> str:
    """The text a person sees, checked for Telegram's length limit and markup rules.

    With `parse_mode="HTML"` the tags are checked (only Telegram's subset, properly
    nested) and removed before counting; Markdown texts are counted as they are.
    Lengths are counted in code points.
    """
    if text is None or text == "":
        raise bad_request("message text is empty")
    text = str(text)
    shown: str
    if parse_mode in (None, ""):
        shown = text
    elif parse_mode == "HTML":
        parser = _TelegramHTML()
        parser.feed(text)
        parser.close()
        if parser.open_tags:
            tag = parser.open_tags[-1]
            raise bad_request(
                f"can't parse entities: Can't find end tag corresponding to start tag \"{tag}\""
            )
        shown = html.unescape("".join(parser.parts))
    elif parse_mode in ("Markdown", "MarkdownV2"):
        shown = text
    else:
        raise bad_request("unsupported parse_mode")
    if not shown.strip():
        raise bad_request("message text is empty")
    if len(shown) > MESSAGE_MAX_CHARS:
        raise bad_request("message is too long")
    return shown


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    if not button["text"]:
        raise bad_request("can't parse inline keyboard button: Text must be non-empty")
    actions = INLINE_BUTTON_ACTIONS.intersection(button)
    if len(actions) != 1:
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must have exactly one "
            "optional field"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        size = len(data.encode("utf-8")) if isinstance(data, str) else 0
        if not 1 <= size <= CALLBACK_DATA_MAX_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")


def check_reply_markup(markup: Any, *, inline_only: bool = False) -> dict[str, Any] | None:
    """Validate a reply_markup; inline keyboards are checked button by button."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request('field "inline_keyboard" must be an Array of Arrays')
        for row in rows:
            for button in row:
                _check_inline_button(button)
        return markup
    if inline_only:
        raise bad_request("inline keyboard expected")
    if not {"keyboard", "remove_keyboard", "force_reply"}.intersection(markup):
        raise bad_request("can't parse reply keyboard markup JSON object")
    return markup


def check_callback_answer(params: dict[str, Any]) -> None:
    text = params.get("text")
    if text is not None and len(str(text)) > CALLBACK_ANSWER_MAX_CHARS:
        raise bad_request("MESSAGE_TOO_LONG")


def check_secret_token(token: Any) -> None:
    if token is None:
        return
    if not isinstance(token, str) or not SECRET_TOKEN.fullmatch(token):
        raise bad_request("secret token contains unallowed characters")


def check_commands(commands: Any) -> list[dict[str, Any]]:
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("commands must be an Array of at most 100 BotCommand")
    for command in commands:
        if not isinstance(command, dict):
            raise bad_request("can't parse BotCommand")
        name, description = command.get("command"), command.get("description")
        if not isinstance(name, str) or not BOT_COMMAND.fullmatch(name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    checked: list[dict[str, Any]] = commands
    return checked
