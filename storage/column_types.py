"""Column types shared by the tables: UTC timestamps, JSON documents, and the one place
where special-category personal data passes on its way to and from the database.

`SensitiveJSON` and `SensitiveText` mark the columns that hold health, justice or
free-text data and identifying details (the screening profile, answers, the bot's
reasons and referrals, conversation state, web chat transcripts, names and contact
details, staff notes, decision reasons, outbox payloads and addresses, TOTP secrets).
They are stored encrypted by `SensitiveValueCodec` (AES-256-GCM, `storage.encryption`);
the database file alone reveals none of them. See docs/privacy.md for the inventory.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, Dialect, LargeBinary
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator, TypeEngine

from storage.encryption import Keyring

__all__ = [
    "EncryptionNotConfigured",
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


class EncryptionNotConfigured(RuntimeError):
    """A sensitive value was read or written before the process configured its key."""


class SensitiveValueCodec:
    """Encryption at rest: every sensitive value is encrypted on its way into the
    database and decrypted on its way out, here and nowhere else (AES-256-GCM, see
    `storage.encryption`). `context` names the column and is authenticated with the
    value, so a value cannot be moved to another column.

    A process configures its keyring once at start (`intake serve`, the CLI commands,
    tests in an autouse fixture): `SensitiveValueCodec.configure(keyring)`. Without it
    reading or writing a sensitive column raises `EncryptionNotConfigured`.
    """

    _keyring: ClassVar[Keyring | None] = None

    @classmethod
    def configure(cls, keyring: Keyring | None) -> None:
        cls._keyring = keyring

    @classmethod
    def keyring(cls) -> Keyring:
        if cls._keyring is None:
            raise EncryptionNotConfigured(
                "no encryption key is configured in this process; set ENCRYPTION_KEY "
                "(see docs/privacy.md, key management)"
            )
        return cls._keyring

    @classmethod
    def configured(cls) -> bool:
        return cls._keyring is not None

    @classmethod
    def encode(cls, value: Any, context: str) -> bytes:
        """A JSON value, encrypted."""
        plain = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        return cls.keyring().encrypt(plain.encode("utf-8"), context)

    @classmethod
    def decode(cls, blob: bytes, context: str) -> Any:
        return json.loads(cls.keyring().decrypt(bytes(blob), context).decode("utf-8"))

    @classmethod
    def encode_text(cls, value: str, context: str) -> bytes:
        return cls.keyring().encrypt(value.encode("utf-8"), context)

    @classmethod
    def decode_text(cls, blob: bytes, context: str) -> str:
        return cls.keyring().decrypt(bytes(blob), context).decode("utf-8")


class SensitiveJSON(TypeDecorator[Any]):
    """A JSON value holding special-category data (health, justice) or free text,
    stored encrypted (binary). `context`: "table.column", authenticated with the value."""

    impl = LargeBinary
    cache_ok = True

    def __init__(self, context: str) -> None:
        super().__init__()
        self.context = context

    def process_bind_param(self, value: Any, dialect: Dialect) -> bytes | None:
        return None if value is None else SensitiveValueCodec.encode(value, self.context)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        return None if value is None else SensitiveValueCodec.decode(value, self.context)


class SensitiveText(TypeDecorator[str]):
    """A text holding special-category data, free text written by a person or by staff,
    an identifying detail (a name, a phone number) or a secret (an outbox address, a
    TOTP secret), stored encrypted (binary)."""

    impl = LargeBinary
    cache_ok = True

    def __init__(self, context: str) -> None:
        super().__init__()
        self.context = context

    def process_bind_param(self, value: str | None, dialect: Dialect) -> bytes | None:
        return None if value is None else SensitiveValueCodec.encode_text(value, self.context)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else SensitiveValueCodec.decode_text(value, self.context)
