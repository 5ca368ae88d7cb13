"""The outbox: messages to deliver to a person, written in the same unit of work as the
conversation step that produced them, and delivered afterwards (at least once).

Delivery takes a lease: `claim_due` hands out due messages and moves their next
attempt `lease` ahead, so a crashed sender's messages come back after the lease and
two servers never send the same message at the same time (PostgreSQL: `FOR UPDATE
SKIP LOCKED`; SQLite: one writer at a time). Per recipient only the oldest pending
message is handed out, so a person receives messages in order.

A channel that sends at once (Telegram: the reply right after the update's commit)
queues with `enqueue_leased`: the row is written leased to the sender in the same
unit of work, so the deliverer leaves it alone unless the sender never gets to it (a
crash between commit and send): then it is sent once the lease runs out. A message
behind another pending one of the same person is not leased (order first). Sends are
recorded many at a time (`mark_delivered_many`: one statement).

The per-message statements (queue, record) are SQLAlchemy Core on the table, not the
ORM: the same column types (the payload and the address encrypted), less work.

`recipient` (the channel's address, e.g. a Telegram chat id) is needed to deliver;
it is kept only while the message is pending and erased once delivered or given up.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Integer, Table, bindparam, case, exists, func, insert, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col

from storage.engine import Clock
from storage.tables import OutboxMessageRow

__all__ = [
    "DEFAULT_LEASE",
    "MAX_ATTEMPTS",
    "Outbox",
    "OutboxMessage",
    "SqlOutbox",
    "UnknownOutboxMessage",
    "retry_delay",
]

DEFAULT_LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 10


def retry_delay(attempts: int) -> timedelta:
    """Exponential back-off after `attempts` failed attempts: 5 s, 10 s, ... up to 1 h."""
    return timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), 3600))


@dataclass(frozen=True)
class OutboxMessage:
    id: int
    channel: str
    recipient_hash: str
    recipient: str = field(repr=False)
    payload: Mapping[str, Any] = field(repr=False)
    attempts: int
    created_at: datetime


class UnknownOutboxMessage(LookupError):
    pass


class Outbox(Protocol):
    async def enqueue(
        self,
        channel: str,
        recipient_hash: str,
        recipient: str,
        payload: Mapping[str, Any],
        *,
        not_before: datetime | None = None,
    ) -> int: ...

    async def claim_due(
        self, *, limit: int = 20, lease: timedelta = DEFAULT_LEASE, channel: str | None = None
    ) -> list[OutboxMessage]: ...

    async def enqueue_leased(
        self,
        channel: str,
        recipient_hash: str,
        recipient: str,
        payload: Mapping[str, Any],
        *,
        lease: timedelta,
        own: Collection[int] = (),
    ) -> OutboxMessage | None: ...

    async def mark_delivered(
        self, message_id: int, *, created_at: datetime | None = None
    ) -> None: ...

    async def mark_delivered_many(self, sent: Sequence[tuple[int, datetime]]) -> list[int]: ...

    async def mark_failed(
        self,
        message_id: int,
        error: str,
        *,
        retry_after: timedelta | None = None,
        give_up: bool = False,
        created_at: datetime | None = None,
    ) -> bool: ...

    async def pending_count(self) -> int: ...

    async def oldest_pending(self) -> datetime | None: ...


_TABLE: Table = OutboxMessageRow.__table__  # type: ignore[attr-defined]
_C = _TABLE.c
_NOW = bindparam("now", type_=_C.created_at.type)

_ENQUEUE = insert(_TABLE).returning(_C.id)

# Leased to the sender at once, unless another message of the same person is pending
# (`own`: the sender's own, being sent or sent and not yet recorded): then due now,
# for the deliverer, which hands out one message per person, oldest first.
_EARLIER = _TABLE.alias("earlier")
_BEHIND = exists().where(
    _EARLIER.c.channel == bindparam("channel"),
    _EARLIER.c.recipient_hash == bindparam("recipient_hash"),
    _EARLIER.c.delivered_at.is_(None),
    _EARLIER.c.given_up_at.is_(None),
    _EARLIER.c.id.not_in(bindparam("own", expanding=True, type_=Integer())),
)
_ENQUEUE_LEASED = (
    insert(_TABLE)
    .values(
        channel=bindparam("channel"),
        recipient_hash=bindparam("recipient_hash"),
        recipient=bindparam("recipient", type_=_C.recipient.type),
        payload=bindparam("payload", type_=_C.payload.type),
        created_at=_NOW,
        attempts=case((_BEHIND, 0), else_=1),
        next_attempt_at=case(
            (_BEHIND, _NOW), else_=bindparam("leased_until", type_=_C.next_attempt_at.type)
        ),
    )
    .returning(_C.id, _C.attempts)
)

_DELIVERED = (
    update(_TABLE)
    .where(tuple_(_C.id, _C.created_at).in_(bindparam("sent", expanding=True)))
    .values(delivered_at=func.coalesce(_C.delivered_at, _NOW), recipient=None)
    .returning(_C.id)
)


def _pending() -> tuple[Any, Any]:
    return (
        col(OutboxMessageRow.delivered_at).is_(None),
        col(OutboxMessageRow.given_up_at).is_(None),
    )


class SqlOutbox:
    def __init__(self, session: AsyncSession, clock: Clock, dialect: str) -> None:
        self._session, self._clock, self._dialect = session, clock, dialect

    async def enqueue(
        self,
        channel: str,
        recipient_hash: str,
        recipient: str,
        payload: Mapping[str, Any],
        *,
        not_before: datetime | None = None,
    ) -> int:
        now = self._clock()
        values = {
            "channel": channel,
            "recipient_hash": recipient_hash,
            "recipient": recipient,
            "payload": dict(payload),
            "created_at": now,
            "attempts": 0,
            "next_attempt_at": not_before or now,
        }
        return int((await self._session.execute(_ENQUEUE, values)).scalar_one())

    async def enqueue_leased(
        self,
        channel: str,
        recipient_hash: str,
        recipient: str,
        payload: Mapping[str, Any],
        *,
        lease: timedelta,
        own: Collection[int] = (),
    ) -> OutboxMessage | None:
        """Queue a message its sender sends right after the commit: leased to it until
        `now + lease` (its first attempt counted), so the deliverer takes it only when
        the sender did not get to it. None when an earlier message of the person is
        pending (other than the sender's `own`): queued due now, for the deliverer, so
        that the person receives messages in order."""
        now = self._clock()
        body = dict(payload)
        values = {
            "channel": channel,
            "recipient_hash": recipient_hash,
            "recipient": recipient,
            "payload": body,
            "now": now,
            "leased_until": now + lease,
            "own": list(own),
        }
        row = (await self._session.execute(_ENQUEUE_LEASED, values)).one()
        if row.attempts == 0:
            return None
        return OutboxMessage(
            id=row.id,
            channel=channel,
            recipient_hash=recipient_hash,
            recipient=recipient,
            payload=body,
            attempts=row.attempts,
            created_at=now,
        )

    async def claim_due(
        self, *, limit: int = 20, lease: timedelta = DEFAULT_LEASE, channel: str | None = None
    ) -> list[OutboxMessage]:
        """Due messages, oldest first, at most one per recipient; each attempt counted
        and leased until `now + lease`. Deliver them, then mark each delivered or failed
        in a later unit of work. `channel`: only that channel's messages (one sender per
        channel)."""
        now = self._clock()
        earlier = aliased(OutboxMessageRow)
        earlier_pending = exists().where(
            col(earlier.channel) == col(OutboxMessageRow.channel),
            col(earlier.recipient_hash) == col(OutboxMessageRow.recipient_hash),
            col(earlier.id) < col(OutboxMessageRow.id),
            col(earlier.delivered_at).is_(None),
            col(earlier.given_up_at).is_(None),
        )
        only_channel = () if channel is None else (col(OutboxMessageRow.channel) == channel,)
        statement = (
            select(OutboxMessageRow)
            .where(
                *_pending(),
                *only_channel,
                col(OutboxMessageRow.next_attempt_at) <= now,
                ~earlier_pending,
            )
            .order_by(col(OutboxMessageRow.id))
            .limit(limit)
            .with_for_update(skip_locked=True, of=OutboxMessageRow)
        )
        rows = list(await self._session.scalars(statement))
        claimed: list[OutboxMessage] = []
        for row in rows:
            assert row.id is not None and row.recipient is not None
            row.attempts += 1
            row.next_attempt_at = now + lease
            claimed.append(
                OutboxMessage(
                    id=row.id,
                    channel=row.channel,
                    recipient_hash=row.recipient_hash,
                    recipient=row.recipient,
                    payload=row.payload,
                    attempts=row.attempts,
                    created_at=row.created_at,
                )
            )
        await self._session.flush()
        return claimed

    async def _row(self, message_id: int, created_at: datetime | None = None) -> OutboxMessageRow:
        """The row of a message; `created_at` (of the message as claimed) tells a
        message erased meanwhile from a new one that got its id (SQLite reuses ids)."""
        row = await self._session.get(OutboxMessageRow, message_id, with_for_update=True)
        if row is None or (created_at is not None and row.created_at != created_at):
            raise UnknownOutboxMessage(f"no outbox message {message_id}")
        return row

    async def mark_delivered(self, message_id: int, *, created_at: datetime | None = None) -> None:
        row = await self._row(message_id, created_at)
        if row.delivered_at is None:
            row.delivered_at = self._clock()
        row.recipient = None
        await self._session.flush()

    async def mark_delivered_many(self, sent: Sequence[tuple[int, datetime]]) -> list[int]:
        """Record many deliveries in one statement: (id, created_at of the message as
        queued or claimed). The ids recorded; a message erased meanwhile is skipped."""
        if not sent:
            return []
        values = {"sent": [tuple(s) for s in sent], "now": self._clock()}
        return list((await self._session.execute(_DELIVERED, values)).scalars())

    async def mark_failed(
        self,
        message_id: int,
        error: str,
        *,
        retry_after: timedelta | None = None,
        give_up: bool = False,
        created_at: datetime | None = None,
    ) -> bool:
        """Record a failed attempt (`error`: a code or exception name, no personal data).
        Try again after `retry_after` (e.g. Telegram's retry_after) or the back-off;
        give up after `MAX_ATTEMPTS`, or now with `give_up` (e.g. the person blocked
        the bot). True when it will be tried again."""
        row = await self._row(message_id, created_at)
        now = self._clock()
        row.last_error = error[:200]
        if give_up or row.attempts >= MAX_ATTEMPTS:
            row.given_up_at = now
            row.recipient = None
            await self._session.flush()
            return False
        wait = retry_after if retry_after is not None else retry_delay(row.attempts)
        row.next_attempt_at = now + wait
        await self._session.flush()
        return True

    async def pending_count(self) -> int:
        result = await self._session.scalar(
            select(func.count()).select_from(OutboxMessageRow).where(*_pending())
        )
        return int(result or 0)

    async def oldest_pending(self) -> datetime | None:
        """When the oldest message still to deliver was queued (None: none waits)."""
        result: datetime | None = await self._session.scalar(
            select(func.min(OutboxMessageRow.created_at)).where(*_pending())
        )
        return result
