"""Plain JSON for the engine's values: texts, prompts, events, recommendations.

`to_json` turns any engine value (dataclasses, `Text`, dates, enums, tuples) into
JSON-ready data; a text is written by `flows.text_json`, which reads it back too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any

from flows.text_json import text_to_json
from flows.texts import Text

__all__ = ["to_json"]


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
