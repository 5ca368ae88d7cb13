"""A `flows.texts.Text` as plain JSON, so a message can be stored and shown again later
in any language (the advice's reasons, the web chat's transcript, queued messages):

    {"msgid": "...", "params": {"name": value}, "plural": "...", "count": "name"}

A parameter is a string, an integer, {"date": "YYYY-MM-DD"} or {"text": {...}}.
Reading refuses anything else with `ValueError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flows.texts import Param, Text

__all__ = ["text_from_json", "text_to_json"]


def _param_to_json(value: Param) -> Any:
    if isinstance(value, Text):
        return {"text": text_to_json(value)}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    return value


def text_to_json(text: Text) -> dict[str, Any]:
    out: dict[str, Any] = {"msgid": text.msgid}
    if text.params:
        out["params"] = {name: _param_to_json(value) for name, value in text.params.items()}
    if text.plural is not None:
        out["plural"] = text.plural
        out["count"] = text.count
    return out


def _param_from_json(value: Any) -> Param:
    if isinstance(value, Mapping):
        if "text" in value:
            return text_from_json(value["text"])
        if "date" in value:
            return date.fromisoformat(value["date"])
        raise ValueError(f"not a text parameter: {sorted(value)}")
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f"not a text parameter: {value!r}")
    return value


def text_from_json(data: Mapping[str, Any]) -> Text:
    params = {name: _param_from_json(v) for name, v in (data.get("params") or {}).items()}
    return Text(data["msgid"], params, data.get("plural"), data.get("count"))
