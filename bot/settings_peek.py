"""A few settings read without pydantic, for commands that must start fast (`intake
route`: the whole pydantic-settings machinery costs more than the routing itself).

The same sources in the same order as `bot.settings.Settings`: the process
environment first, then a `.env` file in the working directory; names are
case-insensitive. The `.env` reader knows what an operator writes there: `KEY=value`,
an optional `export `, `#` comments, values in single or double quotes. Anything a
command needs beyond a plain string goes through `Settings` instead.
`tests/bot/test_settings_peek.py` holds both readers to the same answers.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

__all__ = ["peek"]


@cache
def _dotenv(path: Path) -> dict[str, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return {}
    values: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        if line.startswith("export "):
            line = line[len("export ") :].lstrip()
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        values[key.strip().lower()] = value
    return values


def peek(name: str, default: str | None = None) -> str | None:
    """The setting `name` (e.g. "DEFAULT_LOCALE") as a string; an empty value counts
    as unset, as in `Settings`."""
    wanted = name.lower()
    for key, value in os.environ.items():
        if key.lower() == wanted:
            return value or default
    found = _dotenv(Path(".env").absolute()).get(wanted)
    return found or default
