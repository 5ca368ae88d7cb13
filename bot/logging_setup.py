"""Structured logs without personal data, for `intake serve` (docs/privacy.md, logs).

One line per event: JSON (`LOG_FORMAT=json`, the default: one object per line, for a
log collector) or `key=value` text (`LOG_FORMAT=text`, for a terminal). Fields: `ts`
(UTC), `level`, `logger`, `msg`, and for an error `error` (the exception's type) and
`where` (file:line of the innermost frames).

What keeps personal data out:
- the code logs ids, counts and codes only (tests/privacy/test_logs.py runs complete
  intakes in every flow and channel and finds no answer, name, phone number or chat id);
- an exception's message is never written (SQL errors quote the values of the row,
  HTTP errors the URL): only its type and where it happened;
- e-mail addresses and phone numbers that slip into a message anyway are masked;
- uvicorn's access log is off (paths may carry codes), and the HTTP clients' request
  lines (URLs carry the bot token) are kept at WARNING.
"""

from __future__ import annotations

import json
import logging
import logging.config
import re
import traceback
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "JsonFormatter",
    "KeyValueFormatter",
    "configure_logging",
    "logging_config",
    "mask_personal_data",
]

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# +31612345678, 0031..., 06-12345678, 06 1234 5678, 045-1234567: 9 or more digits.
_PHONE = re.compile(r"(?<![\w.])(\+|00)?\d[\d\s-]{7,}\d(?![\w.])")
_FRAMES = 3


def mask_personal_data(text: str) -> str:
    """E-mail addresses and phone-like numbers replaced by placeholders."""
    text = _EMAIL.sub("<email>", text)

    def phone(match: re.Match[str]) -> str:
        digits = sum(ch.isdigit() for ch in match.group(0))
        return "<number>" if digits >= 9 else match.group(0)

    return _PHONE.sub(phone, text)


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
        "level": record.levelname,
        "logger": record.name,
        "msg": mask_personal_data(record.getMessage()),
    }
    if record.exc_info and record.exc_info[0] is not None:
        error_type, _, tb = record.exc_info
        fields["error"] = error_type.__name__
        frames = traceback.extract_tb(tb)[-_FRAMES:] if tb is not None else []
        fields["where"] = " < ".join(
            f"{frame.filename.rsplit('/', 2)[-1]}:{frame.lineno}" for frame in reversed(frames)
        )
    return fields


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(_fields(record), ensure_ascii=False)


class KeyValueFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        pairs = _fields(record).items()
        return " ".join(f"{key}={json.dumps(value, ensure_ascii=False)}" for key, value in pairs)


OWN_PACKAGES = ("bot", "storage", "loket", "flows", "locales")
# Libraries that write SQL parameters, request URLs (with the bot token) or form fields
# at their DEBUG or INFO level: never below WARNING, whatever LOG_LEVEL says.
QUIET = (
    "aiosqlite",
    "asyncpg",
    "sqlalchemy",
    "alembic",
    "httpx",
    "httpcore",
    "multipart",
    "python_multipart",
)


def logging_config(fmt: str = "json", level: str = "INFO") -> dict[str, Any]:
    """A `logging.config.dictConfig` for the service (also passed to uvicorn). DEBUG
    applies to our own packages only; libraries log at INFO at the most."""
    formatter = JsonFormatter if fmt == "json" else KeyValueFormatter
    library_level = max(level, "INFO", key=_rank)
    loggers: dict[str, dict[str, Any]] = {name: {"level": level} for name in OWN_PACKAGES}
    loggers |= {name: {"level": "WARNING"} for name in QUIET}
    loggers |= {
        "uvicorn": {"handlers": [], "level": library_level, "propagate": True},
        "uvicorn.error": {"handlers": [], "level": library_level, "propagate": True},
        "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"structured": {"()": f"{__name__}.{formatter.__name__}"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "structured",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["stderr"], "level": library_level},
        "loggers": loggers,
    }


def _rank(level: str) -> int:
    return int(logging.getLevelName(level))


def configure_logging(fmt: str = "json", level: str = "INFO") -> dict[str, Any]:
    """Set up the process's logging; returns the configuration (for uvicorn)."""
    config = logging_config(fmt, level)
    logging.config.dictConfig(config)
    return config
