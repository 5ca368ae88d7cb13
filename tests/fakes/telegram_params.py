"""Read the parameters of a Bot API request the way Telegram does.

The real API takes a query string, `application/json`, `application/x-www-form-urlencoded`
or `multipart/form-data`. aiogram and python-telegram-bot both send form fields in
which objects and arrays (reply_markup, allowed_updates, ...) are JSON-encoded strings
and numbers are decimal strings; `read_params` turns all of them into typed values.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

__all__ = ["UploadedFile", "decode_value", "read_params"]

# Parameters whose value is always a string: never JSON-decode them ("123" stays "123").
STRING_PARAMS = frozenset(
    {
        "action",
        "business_connection_id",
        "callback_data",
        "callback_query_id",
        "caption",
        "data",
        "description",
        "emoji",
        "inline_message_id",
        "ip_address",
        "language_code",
        "message_effect_id",
        "name",
        "parse_mode",
        "secret_token",
        "short_description",
        "text",
        "url",
    }
)


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    filename: str
    content_type: str
    content: bytes


def decode_value(name: str, value: Any) -> Any:
    """Type one parameter: JSON-encoded objects, arrays, numbers and booleans are decoded."""
    if not isinstance(value, str) or name in STRING_PARAMS:
        return value
    try:
        decoded = json.loads(value)
    except ValueError:
        return value
    if isinstance(decoded, dict | list | bool | int | float) or decoded is None:
        return decoded
    return value


async def read_params(request: web.Request) -> dict[str, Any]:
    """All parameters of `request`: query string first, then the body (which wins).

    Raises `ValueError` when a JSON body cannot be parsed.
    """
    params: dict[str, Any] = {
        name: decode_value(name, value) for name, value in request.query.items()
    }
    if not request.can_read_body:
        return params
    if request.content_type == "application/json":
        body = await request.json()
        if not isinstance(body, dict):
            raise ValueError("the JSON body is not an object")
        params.update({name: decode_value(name, value) for name, value in body.items()})
        return params
    form = await request.post()
    for name, value in form.items():
        if isinstance(value, web.FileField):
            params[name] = UploadedFile(
                filename=value.filename,
                content_type=value.content_type,
                content=value.file.read(),
            )
        else:
            params[name] = decode_value(name, value)
    return params
