"""The messages between the loket and the person of a case: the way back.

Staff write status news and questions; the person reads them in the web chat's inbox
(`bot.web.inbox`), and answers or says "no more contact" there. A Telegram chat or an
e-mail only tells the person that there is news (`intake.way_back`); this table is the
one record of what was said, which staff read in the case view.

`body` is encrypted (it may hold a staff question or the person's answer). The loket's
own sentences are stored as message ids with parameters, so the inbox shows them in
the language of whoever reads. Use it from a unit of work: `case_messages(uow)`; it
never commits on its own. Messages go with their case (erasure, retention).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.engine import Clock
from storage.tables import CASE_MESSAGE_KINDS, CASE_MESSAGE_SENDERS, CaseMessageRow
from storage.unit_of_work import UnitOfWork

__all__ = ["CaseMessage", "SqlCaseMessageStore", "case_messages"]


@dataclass(frozen=True)
class CaseMessage:
    id: int
    at: datetime
    sender: str  # "loket" or "person"
    kind: str  # status, question, answer, stop_contact
    staff_user_id: int | None
    body: Mapping[str, Any]
    read_at: datetime | None


def _message(row: CaseMessageRow) -> CaseMessage:
    assert row.id is not None
    return CaseMessage(
        row.id, row.at, row.sender, row.kind, row.staff_user_id, row.body, row.read_at
    )


class SqlCaseMessageStore:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self._session, self._clock = session, clock

    async def add(
        self,
        case_id: int,
        sender: str,
        kind: str,
        body: Mapping[str, Any],
        *,
        staff_user_id: int | None = None,
    ) -> CaseMessage:
        if sender not in CASE_MESSAGE_SENDERS or kind not in CASE_MESSAGE_KINDS:
            raise ValueError(f"not a case message: {sender}/{kind}")
        row = CaseMessageRow(
            pre_aanmelding_id=case_id,
            at=self._clock(),
            sender=sender,
            kind=kind,
            staff_user_id=staff_user_id,
            body=dict(body),
        )
        self._session.add(row)
        await self._session.flush()
        return _message(row)

    async def thread(self, case_id: int) -> list[CaseMessage]:
        """Every message of the case, oldest first."""
        rows = await self._session.scalars(
            select(CaseMessageRow)
            .where(col(CaseMessageRow.pre_aanmelding_id) == case_id)
            .order_by(col(CaseMessageRow.id))
        )
        return [_message(row) for row in rows]

    async def unread(self, case_id: int, sender: str) -> int:
        """How many messages of `sender` the other side has not seen yet."""
        count = await self._session.scalar(
            select(func.count())
            .select_from(CaseMessageRow)
            .where(
                col(CaseMessageRow.pre_aanmelding_id) == case_id,
                col(CaseMessageRow.sender) == sender,
                col(CaseMessageRow.read_at).is_(None),
            )
        )
        return int(count or 0)

    async def mark_read(self, case_id: int, sender: str) -> None:
        """The other side saw every message of `sender` (the first time counts)."""
        await self._session.execute(
            update(CaseMessageRow)
            .where(
                col(CaseMessageRow.pre_aanmelding_id) == case_id,
                col(CaseMessageRow.sender) == sender,
                col(CaseMessageRow.read_at).is_(None),
            )
            .values(read_at=self._clock())
        )


def case_messages(uow: UnitOfWork) -> SqlCaseMessageStore:
    """The store of case messages on a unit of work's transaction."""
    return SqlCaseMessageStore(uow.session, uow.now)
