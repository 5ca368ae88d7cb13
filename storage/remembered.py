"""The typist's own details of a flow, kept per chat so they are typed once.

A veldwerker types their name, organisation and phone or e-mail the first time; the
answers of the flow's `remember` questions are kept here (encrypted) for that chat,
and filled in at the next intake on the same flow. Erased when the person asks
(`storage.erasure`) and after `expires_at` (`storage.retention`); every use moves
`expires_at` on. Use it from a unit of work: `remembered(uow)`; it never commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.conversations import ConversationKey
from storage.engine import Clock
from storage.tables import RememberedDetailsRow
from storage.unit_of_work import UnitOfWork

__all__ = ["SqlRememberedStore", "remembered"]


class SqlRememberedStore:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self._session, self._clock = session, clock

    def _where(self, key: ConversationKey, flow_id: str) -> Any:
        return (
            col(RememberedDetailsRow.channel) == key.channel,
            col(RememberedDetailsRow.user_hash) == key.user_hash,
            col(RememberedDetailsRow.flow_id) == flow_id,
        )

    async def load(self, key: ConversationKey, flow_id: str) -> dict[str, Any]:
        """The kept details (fact -> value); empty when none or run out."""
        statement = select(RememberedDetailsRow).where(
            *self._where(key, flow_id), col(RememberedDetailsRow.expires_at) > self._clock()
        )
        row = (await self._session.scalars(statement)).first()
        return dict(row.details) if row is not None else {}

    async def save(
        self, key: ConversationKey, flow_id: str, details: Mapping[str, Any], expires_at: datetime
    ) -> None:
        """Keep these details for the chat and flow (replacing earlier ones)."""
        await self._session.execute(
            delete(RememberedDetailsRow)
            .where(*self._where(key, flow_id))
            .execution_options(synchronize_session=False)
        )
        if details:
            self._session.add(
                RememberedDetailsRow(
                    channel=key.channel,
                    user_hash=key.user_hash,
                    flow_id=flow_id,
                    details=dict(details),
                    updated_at=self._clock(),
                    expires_at=expires_at,
                )
            )
        await self._session.flush()

    async def delete_for(self, channel: str, user_hash: str) -> int:
        """Erase every kept detail of a chat; how many rows."""
        statement = (
            delete(RememberedDetailsRow)
            .where(
                col(RememberedDetailsRow.channel) == channel,
                col(RememberedDetailsRow.user_hash) == user_hash,
            )
            .returning(col(RememberedDetailsRow.id))
            .execution_options(synchronize_session=False)
        )
        return len((await self._session.execute(statement)).all())


def remembered(uow: UnitOfWork) -> SqlRememberedStore:
    """The store of kept details on a unit of work's transaction."""
    return SqlRememberedStore(uow.session, uow.now)
