"""Column types shared by the tables: UTC timestamps, JSON documents, and the one place
where special-category personal data passes on its way to and from the database.

`SensitiveJSON` and `SensitiveText` mark the columns that hold health, justice or
free-text data (the screening profile, free-text answers, conversation state, staff
notes, decision reasons, outbox payloads and addresses, TOTP secrets). Today they pass
values through unchanged; encryption at rest belongs in `SensitiveValueCodec`, so that
adding it changes this module (and a migration of the column types) and nothing else.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator, TypeEngine

__all__ = [
    "JSONDocument",
    "SensitiveJSON",
    "SensitiveText",
    "SensitiveValueCodec",
    "UtcDateTime",
]


def _json_impl() -> TypeEngine[Any]:
    return JSON().with_variant(JSONB(), "postgresql")


class UtcDateTime(TypeDecorator[datetime]):
    """A point in time, stored in UTC and always read back as an aware UTC datetime.

    SQLite keeps no time zone, PostgreSQL does; this type makes both behave the same.
    Naive datetimes are refused: every time in this project is aware.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; pass an aware datetime (UTC)")
        utc = value.astimezone(UTC)
        return utc if dialect.name == "postgresql" else utc.replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class JSONDocument(TypeDecorator[Any]):
    """A JSON value without personal data of special categories (JSONB on PostgreSQL)."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        return dialect.type_descriptor(_json_impl())


class SensitiveValueCodec:
    """The encryption-at-rest hook: every sensitive value is encoded on its way into the
    database and decoded on its way out, here and nowhere else.

    Pass-through for now. A later issue replaces `encode`/`decode` with authenticated
    encryption (the column types then become binary, in one migration).
    """

    @staticmethod
    def encode(value: Any) -> Any:
        return value

    @staticmethod
    def decode(value: Any) -> Any:
        return value


class SensitiveJSON(TypeDecorator[Any]):
    """A JSON value holding special-category data (health, justice) or free text."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        return dialect.type_descriptor(_json_impl())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return None if value is None else SensitiveValueCodec.encode(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        return None if value is None else SensitiveValueCodec.decode(value)


class SensitiveText(TypeDecorator[str]):
    """A text holding special-category data, free text written by a person or by staff,
    or a secret (an outbox address, a TOTP secret)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else str(SensitiveValueCodec.encode(value))

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else str(SensitiveValueCodec.decode(value))
