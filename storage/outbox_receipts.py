"""What a channel reports about an outbox message after it was sent: the channel's own
id of the message (WhatsApp: the `wamid` the Cloud API answered with) and its status
(sent, delivered, read, failed), on the outbox row.

`sent` is written by the deliverer in the unit of work that marks the message
delivered; `status` by the channel's webhook, which knows only the channel's id: a
status for an id no row holds (erased, purged, or never ours) changes nothing.
Statuses may arrive out of order: a row keeps the furthest one (read after delivered
after sent), and `failed` always wins, with its error code in `last_error`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.engine import Clock
from storage.tables import OutboxMessageRow
from storage.unit_of_work import UnitOfWork

__all__ = ["STATUSES", "SqlOutboxReceipts", "outbox_receipts"]

# In the order a message goes through them; `failed` can come at any point.
STATUSES = ("sent", "delivered", "read", "failed")


class SqlOutboxReceipts:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self._session, self._clock = session, clock

    async def sent(
        self, message_id: int, provider_message_id: str, *, created_at: datetime | None = None
    ) -> bool:
        """Keep the channel's id of a sent message; False when the row is gone."""
        row = await self._session.get(OutboxMessageRow, message_id, with_for_update=True)
        if row is None or (created_at is not None and row.created_at != created_at):
            return False
        row.provider_message_id = provider_message_id[:128]
        await self._session.flush()
        return True

    async def status(
        self, channel: str, provider_message_id: str, status: str, *, error: str | None = None
    ) -> bool:
        """Record a reported status on the message with this channel id; False (nothing
        changed) for an unknown id or status."""
        if status not in STATUSES:
            return False
        statement = (
            select(OutboxMessageRow)
            .where(
                col(OutboxMessageRow.channel) == channel,
                col(OutboxMessageRow.provider_message_id) == provider_message_id,
            )
            .with_for_update()
        )
        row = (await self._session.scalars(statement)).first()
        if row is None:
            return False
        if _rank(status) >= _rank(row.provider_status):
            row.provider_status = status
            row.provider_status_at = self._clock()
        if status == "failed" and error:
            row.last_error = error[:200]
        await self._session.flush()
        return True

    async def status_of(self, message_id: int) -> str | None:
        """The latest status of an outbox message (tests, the dashboard later)."""
        row = await self._session.get(OutboxMessageRow, message_id)
        return row.provider_status if row is not None else None


def _rank(status: str | None) -> int:
    if status is None:
        return -1
    return len(STATUSES) if status == "failed" else STATUSES.index(status)


def outbox_receipts(uow: UnitOfWork) -> SqlOutboxReceipts:
    """The receipts on a unit of work's transaction."""
    return SqlOutboxReceipts(uow.session, uow.now)
