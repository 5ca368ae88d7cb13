"""Conversation sessions: the engine's state for one channel user, saved at every step.

The caller holds the per-conversation lock (`UnitOfWork.lock_conversation`) before it
loads and saves; `save` also checks the version it loaded (optimistic check), so a
save that raced another one fails with `StaleConversation` instead of overwriting it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import delete, select, update
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


def _conversation(row: ConversationSessionRow) -> Conversation:
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
        result = await self._session.scalars(select(ConversationSessionRow).where(*_where(key)))
        row = result.first()
        return None if row is None else _conversation(row)

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
            row = ConversationSessionRow(
                channel=key.channel,
                user_hash=key.user_hash,
                created_at=now,
                version=1,
                **values,
            )
            self._session.add(row)
            await self._session.flush()
            return _conversation(row)
        statement = (
            update(ConversationSessionRow)
            .where(*_where(key), col(ConversationSessionRow.version) == expected_version)
            .values(version=expected_version + 1, **values)
            .returning(col(ConversationSessionRow.created_at))
            .execution_options(synchronize_session=False)
        )
        updated = (await self._session.execute(statement)).first()
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
