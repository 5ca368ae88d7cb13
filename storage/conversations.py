"""Conversation sessions: the engine's state for one channel user, saved at every step.

The caller holds the per-conversation lock (`UnitOfWork.lock_conversation`) before it
loads and saves; `save` also checks the version it loaded (optimistic check), so a
save that raced another one fails with `StaleConversation` instead of overwriting it.

Every message loads and saves: these are SQLAlchemy Core statements on the table, built
once (the same column types: the state is encrypted), not the ORM.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.engine import Clock
from storage.tables import ConversationSessionRow
from storage.user_hash import hash_channel_user

__all__ = [
    "Conversation",
    "ConversationKey",
    "ConversationStore",
    "SqlConversationStore",
    "StaleConversation",
]


@dataclass(frozen=True)
class ConversationKey:
    """A conversation's identity: the channel and the keyed hash of its user id."""

    channel: str
    user_hash: str

    @classmethod
    def for_user(cls, secret_key: str, channel: str, user_id: str | int) -> ConversationKey:
        return cls(channel, hash_channel_user(secret_key, channel, user_id))


@dataclass(frozen=True)
class Conversation:
    key: ConversationKey
    flow_id: str
    flow_version: str
    state: Mapping[str, Any]
    language: str
    created_at: datetime
    updated_at: datetime
    expires_at: datetime
    version: int

    def expired(self, now: datetime) -> bool:
        return self.expires_at <= now


class StaleConversation(RuntimeError):
    """The stored conversation is not the version the caller loaded (or already exists)."""


class ConversationStore(Protocol):
    async def load(self, key: ConversationKey) -> Conversation | None: ...

    async def save(
        self,
        key: ConversationKey,
        *,
        flow_id: str,
        flow_version: str,
        state: Mapping[str, Any],
        language: str,
        expires_at: datetime,
        expected_version: int | None,
    ) -> Conversation: ...

    async def delete(self, key: ConversationKey) -> bool: ...

    async def delete_expired(self) -> int: ...


_TABLE: Table = ConversationSessionRow.__table__  # type: ignore[attr-defined]
_C = _TABLE.c
_KEY = (_C.channel == bindparam("key_channel"), _C.user_hash == bindparam("key_hash"))
_LOAD = select(
    _C.channel,
    _C.user_hash,
    _C.flow_id,
    _C.flow_version,
    _C.state,
    _C.language,
    _C.created_at,
    _C.updated_at,
    _C.expires_at,
    _C.version,
).where(*_KEY)
_INSERT = insert(_TABLE)
_UPDATE = (
    update(_TABLE)
    .where(*_KEY, _C.version == bindparam("expected_version"))
    .values(  # bind names other than the columns' (SQLAlchemy keeps those for itself)
        version=bindparam("new_version"),
        flow_id=bindparam("new_flow_id"),
        flow_version=bindparam("new_flow_version"),
        state=bindparam("new_state", type_=_C.state.type),
        language=bindparam("new_language"),
        expires_at=bindparam("new_expires_at", type_=_C.expires_at.type),
        updated_at=bindparam("new_updated_at", type_=_C.updated_at.type),
    )
    .returning(_C.created_at)
)


def _loaded(row: Any) -> Conversation:
    return Conversation(
        key=ConversationKey(row.channel, row.user_hash),
        flow_id=row.flow_id,
        flow_version=row.flow_version,
        state=row.state,
        language=row.language,
        created_at=row.created_at,
        updated_at=row.updated_at,
        expires_at=row.expires_at,
        version=row.version,
    )


def _where(key: ConversationKey) -> tuple[Any, Any]:
    return (
        col(ConversationSessionRow.channel) == key.channel,
        col(ConversationSessionRow.user_hash) == key.user_hash,
    )


class SqlConversationStore:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self._session, self._clock = session, clock

    async def load(self, key: ConversationKey) -> Conversation | None:
        params = {"key_channel": key.channel, "key_hash": key.user_hash}
        row = (await self._session.execute(_LOAD, params)).first()
        return None if row is None else _loaded(row)

    async def save(
        self,
        key: ConversationKey,
        *,
        flow_id: str,
        flow_version: str,
        state: Mapping[str, Any],
        language: str,
        expires_at: datetime,
        expected_version: int | None,
    ) -> Conversation:
        """Insert (`expected_version` None) or update the conversation; the new version
        is one more than the old. Raise `StaleConversation` when the stored version
        differs from `expected_version`."""
        now = self._clock()
        values: dict[str, Any] = {
            "flow_id": flow_id,
            "flow_version": flow_version,
            "state": dict(state),
            "language": language,
            "expires_at": expires_at,
            "updated_at": now,
        }
        if expected_version is None:
            if await self.load(key) is not None:
                raise StaleConversation("a conversation already exists for this user")
            row = {
                "channel": key.channel,
                "user_hash": key.user_hash,
                "created_at": now,
                "version": 1,
                **values,
            }
            await self._session.execute(_INSERT, row)
            return Conversation(
                key=key,
                flow_id=flow_id,
                flow_version=flow_version,
                state=values["state"],
                language=language,
                created_at=now,
                updated_at=now,
                expires_at=expires_at,
                version=1,
            )
        params = {
            "key_channel": key.channel,
            "key_hash": key.user_hash,
            "expected_version": expected_version,
            "new_version": expected_version + 1,
            **{f"new_{name}": value for name, value in values.items()},
        }
        updated = (await self._session.execute(_UPDATE, params)).first()
        if updated is None:
            raise StaleConversation(
                f"the conversation is no longer at version {expected_version}; load it again"
            )
        # What was written, without reading the row (and decrypting the state) again.
        return Conversation(
            key=key,
            flow_id=flow_id,
            flow_version=flow_version,
            state=values["state"],
            language=language,
            created_at=updated[0],
            updated_at=now,
            expires_at=expires_at,
            version=expected_version + 1,
        )

    async def delete(self, key: ConversationKey) -> bool:
        statement = (
            delete(ConversationSessionRow)
            .where(*_where(key))
            .returning(col(ConversationSessionRow.id))
            .execution_options(synchronize_session=False)
        )
        return (await self._session.execute(statement)).first() is not None

    async def delete_expired(self) -> int:
        """Remove conversations past their expiry (data minimisation); how many."""
        statement = (
            delete(ConversationSessionRow)
            .where(col(ConversationSessionRow.expires_at) <= self._clock())
            .returning(col(ConversationSessionRow.id))
            .execution_options(synchronize_session=False)
        )
        return len((await self._session.execute(statement)).all())
