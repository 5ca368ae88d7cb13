"""Hand-offs: one-time codes that move a conversation from one channel to the web
chat (`intake.handoff`). A row links the keyed hash of a code to the conversation it
moves (channel and user hash) and the chat address to tell that it moved.

`take` is what makes a code one-time: it returns the code's hand-off and erases every
hand-off of that conversation in the same transaction, so a replayed or older link
finds nothing. Rows past `expires_at` count as gone; the retention purge removes them.
Use it from a unit of work: `handoffs(uow)`; it never commits on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.engine import Clock
from storage.tables import HandoffRow
from storage.unit_of_work import UnitOfWork

__all__ = ["Handoff", "SqlHandoffStore", "handoffs"]


@dataclass(frozen=True)
class Handoff:
    channel: str
    user_hash: str
    address: str | None


class SqlHandoffStore:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self._session, self._clock = session, clock

    async def create(
        self,
        code_key: str,
        *,
        channel: str,
        user_hash: str,
        address: str | None,
        expires_at: datetime,
    ) -> None:
        """A new hand-off; a clash of `code_key` raises `IntegrityError` (2^-40)."""
        self._session.add(
            HandoffRow(
                code_key=code_key,
                channel=channel,
                user_hash=user_hash,
                address=address,
                created_at=self._clock(),
                expires_at=expires_at,
            )
        )
        await self._session.flush()

    async def take(self, code_key: str) -> Handoff | None:
        """The unexpired hand-off of this code, if any; it and every other hand-off of
        the same conversation are erased (one use)."""
        statement = select(HandoffRow).where(
            col(HandoffRow.code_key) == code_key, col(HandoffRow.expires_at) > self._clock()
        )
        row = (await self._session.scalars(statement)).first()
        if row is None:
            return None
        found = Handoff(row.channel, row.user_hash, row.address)
        await self.delete_for(row.channel, row.user_hash)
        return found

    async def delete_for(self, channel: str, user_hash: str) -> int:
        """Erase every hand-off of a conversation (used, or the person asked); how many."""
        statement = (
            delete(HandoffRow)
            .where(col(HandoffRow.channel) == channel, col(HandoffRow.user_hash) == user_hash)
            .returning(col(HandoffRow.id))
            .execution_options(synchronize_session=False)
        )
        return len((await self._session.execute(statement)).all())


def handoffs(uow: UnitOfWork) -> SqlHandoffStore:
    """The hand-off store on a unit of work's transaction."""
    return SqlHandoffStore(uow.session, uow.now)
