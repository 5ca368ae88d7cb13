"""Reasons as stored: each `flows.texts.Text` as the JSON of `flows.text_json`, so the
reasons can be shown again in any language later."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flows.text_json import text_from_json, text_to_json
from flows.texts import Text

__all__ = ["texts_from_json", "texts_to_json"]


def texts_to_json(texts: Iterable[Text]) -> list[dict[str, Any]]:
    return [text_to_json(t) for t in texts]


def texts_from_json(data: Iterable[Mapping[str, Any]]) -> tuple[Text, ...]:
    return tuple(text_from_json(d) for d in data)
