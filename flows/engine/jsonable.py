"""Plain JSON for the engine's values: texts, prompts, events, recommendations.

`to_json` turns any engine value (dataclasses, `Text`, dates, enums, tuples) into
JSON-ready data; `text_from_json` reads a text back, so a host can store a message
and render it later in another language.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any

from flows.texts import Param, Text

__all__ = ["text_from_json", "text_to_json", "to_json"]


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
        return date.fromisoformat(value["date"])
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f"not a text parameter: {value!r}")
    return value


def text_from_json(data: Mapping[str, Any]) -> Text:
    params = {name: _param_from_json(v) for name, v in data.get("params", {}).items()}
    return Text(data["msgid"], params, data.get("plural"), data.get("count"))


def to_json(value: Any) -> Any:
    """JSON-ready data for an engine value."""
    if isinstance(value, Text):
        return text_to_json(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if hasattr(value, "to_json"):
            return value.to_json()
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_json(v) for v in value]
    return value
