"""Reading the chat's form posts: every field checked, anything odd refused.

The page's forms (see templates/_composer.html) post `action` and:
- `choice`: `token` and `option` (one submit button per option);
- `select`: `token` and zero or more `options` (tick boxes of a multiple choice);
- `text`: `token` and `text`;
- `command`: `command` (back, help, stop; restart and crisis as typed words do);
- `language`: `language` (a shipped locale).
Each also carries `csrf`, `form_id` (the one-time update id) and `page_locale`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl

from flows.engine import prompts as p
from flows.engine.inputs import (
    ChoiceInput,
    Command,
    CommandInput,
    Input,
    LanguageInput,
    SelectionInput,
    TextInput,
)
from locales.languages import language

__all__ = ["Posted", "parse_body", "read_post", "single"]

_TOKEN = re.compile(r"^[0-9a-z]{1,20}$")
_OPTION = re.compile(r"^[a-z_][a-z0-9_:.]{0,80}$")
# The page has buttons for back, help and stop; restart and crisis can be typed too.
_COMMANDS = {command.value: command for command in Command}
_MAX_FIELDS = 100


@dataclass(frozen=True)
class Posted:
    action: str
    form_id: str | None
    page_locale: str | None
    token: str | None
    inp: Input | None  # None: the post is not a valid answer


def parse_body(body: bytes) -> list[tuple[str, str]]:
    """The fields of an `application/x-www-form-urlencoded` body."""
    try:
        text = body.decode("utf-8")
        return parse_qsl(text, keep_blank_values=True, max_num_fields=_MAX_FIELDS)
    except (UnicodeDecodeError, ValueError):
        return []


def single(fields: Sequence[tuple[str, str]], name: str) -> str | None:
    """The value of a field posted exactly once (None: missing, or posted twice)."""
    values = [value for key, value in fields if key == name]
    return values[0] if len(values) == 1 else None


def _input(fields: Sequence[tuple[str, str]], action: str, text_limit: int) -> Input | None:
    token = single(fields, "token")
    if action == "text":
        text = single(fields, "text")
        # Longer than any answer may be: the engine says so (its limit is lower).
        return None if text is None else TextInput(text[: text_limit + 1])
    if action == "command":
        command = _COMMANDS.get(single(fields, "command") or "")
        return CommandInput(command) if command else None
    if action == "language":
        code = single(fields, "language") or ""
        return LanguageInput(code) if language(code) is not None else None
    if token is None or not _TOKEN.match(token):
        return None
    if action == "choice":
        option = single(fields, "option")
        return ChoiceInput(token, option) if option and _OPTION.match(option) else None
    if action == "select":
        options = [value for key, value in fields if key == "options"]
        if not all(_OPTION.match(o) for o in options) or len(set(options)) != len(options):
            return None
        if not options:  # nothing ticked: the engine asks to tick something
            return ChoiceInput(token, p.DONE)
        return SelectionInput(token, tuple(options))
    return None


def read_post(fields: Sequence[tuple[str, str]], text_limit: int) -> Posted:
    action = single(fields, "action") or ""
    token = single(fields, "token")
    return Posted(
        action=action,
        form_id=single(fields, "form_id"),
        page_locale=single(fields, "page_locale"),
        token=token if token and _TOKEN.match(token) else None,
        inp=_input(fields, action, text_limit),
    )
