"""Reasons as stored: a `flows.texts.Text` becomes a JSON object of its message id,
plural form and parameters, so the reasons can be shown again in any language later.

    {"msgid": "...", "params": {"name": value}, "plural": "...", "count": "name"}

A parameter is a string, an integer, {"date": "YYYY-MM-DD"} or {"text": {...}}.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from flows.texts import Param, Text

__all__ = ["text_from_json", "text_to_json", "texts_from_json", "texts_to_json"]


def _param_to_json(value: Param) -> Any:
    if isinstance(value, Text):
        return {"text": text_to_json(value)}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    return value


def _param_from_json(value: Any) -> Param:
    if isinstance(value, Mapping):
        if "text" in value:
            return text_from_json(value["text"])
        if "date" in value:
            return date.fromisoformat(value["date"])
        raise ValueError(f"unknown reason parameter {sorted(value)}")
    if isinstance(value, str | int):
        return value
    raise ValueError(f"unknown reason parameter of type {type(value).__name__}")


def text_to_json(text: Text) -> dict[str, Any]:
    out: dict[str, Any] = {"msgid": text.msgid}
    if text.params:
        out["params"] = {name: _param_to_json(v) for name, v in text.params.items()}
    if text.plural is not None:
        out["plural"] = text.plural
        out["count"] = text.count
    return out


def text_from_json(data: Mapping[str, Any]) -> Text:
    params = {name: _param_from_json(v) for name, v in (data.get("params") or {}).items()}
    return Text(data["msgid"], params, data.get("plural"), data.get("count"))


def texts_to_json(texts: Iterable[Text]) -> list[dict[str, Any]]:
    return [text_to_json(t) for t in texts]


def texts_from_json(data: Iterable[Mapping[str, Any]]) -> tuple[Text, ...]:
    return tuple(text_from_json(d) for d in data)
