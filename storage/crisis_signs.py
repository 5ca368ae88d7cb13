"""Crisis signs: one row per conversation with signs of danger, for staff follow-up
also when the person never submitted (docs/dashboard.md, the crisis queue).

A row holds which signs came, when and at which question (flow and node ids, never
the words), the region when known, how the person can be reached (`contact_kind`:
"chat" on a channel the loket can write to, "phone", "email" or "none"; the typed
phone or e-mail itself encrypted), the reference once submitted, and whether staff
followed it up. The conversation service writes it (`record`, one upsert) in the
unit of work of the step where a sign is new or the contact, region or reference
changed.

Retention (docs/privacy.md): a row goes with its conversation, 30 days after its last
change once the conversation itself is gone (`purge`), and when the person asks for
erasure (`erase_for`) or their pre-aanmelding is erased (`erase_for_references`). A
row without a submission and without any contact is then folded into an anonymous
count per region and ISO week of its first sign (`crisis_sign_counts`), so the loket
keeps seeing how many people in danger it could not reach.

Use it from a unit of work: `crisis_signs(uow)`; it never commits on its own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, exists, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.conversations import ConversationKey
from storage.engine import Clock
from storage.reports import LOKET_TIME_ZONE
from storage.tables import (
    CRISIS_CONTACT_KINDS,
    ConversationSessionRow,
    CrisisSignCountRow,
    CrisisSignRow,
)
from storage.unit_of_work import UnitOfWork

__all__ = [
    "CRISIS_CONTACT_KINDS",
    "UNKNOWN_REGION",
    "CrisisFollowUp",
    "CrisisSigns",
    "SqlCrisisSignStore",
    "WeekCount",
    "crisis_signs",
    "iso_week",
]

UNKNOWN_REGION = ""  # the count table's key for "region not known"


@dataclass(frozen=True)
class CrisisSigns:
    """What a conversation step tells the store (`record`)."""

    flow_id: str
    signs: Sequence[Mapping[str, str]]  # CrisisMark.to_json(): category, at, node, flow
    contact_kind: str = "none"
    contact: str | None = None  # the typed phone or e-mail (never for "chat"/"none")
    region: str | None = None
    reference: str | None = None

    def __post_init__(self) -> None:
        if self.contact_kind not in CRISIS_CONTACT_KINDS:
            raise ValueError(f"unknown contact kind {self.contact_kind!r}")


@dataclass(frozen=True)
class CrisisFollowUp:
    """One conversation with signs, as the crisis queue shows it."""

    id: int
    channel: str
    flow_id: str
    region: str | None
    signs: tuple[Mapping[str, str], ...]
    contact_kind: str
    contact: str | None
    reference: str | None
    first_seen: datetime
    last_seen: datetime
    handled_at: datetime | None
    handled_by: int | None


@dataclass(frozen=True)
class WeekCount:
    region: str | None
    week: str  # "2026-W49"
    conversations: int


def iso_week(moment: datetime) -> str:
    """The ISO week of a moment in Dutch time, as "2026-W49"."""
    year, week, _ = moment.astimezone(LOKET_TIME_ZONE).isocalendar()
    return f"{year}-W{week:02d}"


def _follow_up(row: CrisisSignRow) -> CrisisFollowUp:
    assert row.id is not None
    return CrisisFollowUp(
        id=row.id,
        channel=row.channel,
        flow_id=row.flow_id,
        region=row.region,
        signs=tuple(dict(s) for s in row.signs),
        contact_kind=row.contact_kind,
        contact=row.contact,
        reference=row.reference,
        first_seen=row.first_seen,
        last_seen=row.last_seen,
        handled_at=row.handled_at,
        handled_by=row.handled_by,
    )


def _in_scope(scope: frozenset[str] | None) -> Any:
    """Rows a staff member with this region scope sees (None: every row, also those
    without a region)."""
    if scope is None:
        return True
    return col(CrisisSignRow.region).in_(sorted(scope))


def _uncontactable() -> Any:
    return and_(col(CrisisSignRow.contact_kind) == "none", col(CrisisSignRow.reference).is_(None))


class SqlCrisisSignStore:
    def __init__(self, session: AsyncSession, clock: Clock, dialect: str) -> None:
        self._session, self._clock, self._dialect = session, clock, dialect

    # --- the conversation service ---------------------------------------------------

    async def record(
        self, key: ConversationKey, conversation_started_at: datetime, signs: CrisisSigns
    ) -> None:
        """Insert or update the row of this conversation (one statement). The region
        and reference stay when a later step no longer knows them (an answer taken
        back, the stop that wiped the answers); the contact follows the answers."""
        now = self._clock()
        insert = postgresql_insert if self._dialect == "postgresql" else sqlite_insert
        statement = insert(CrisisSignRow).values(
            channel=key.channel,
            user_hash=key.user_hash,
            conversation_started_at=conversation_started_at,
            flow_id=signs.flow_id,
            region=signs.region,
            signs=[dict(s) for s in signs.signs],
            contact_kind=signs.contact_kind,
            contact=signs.contact,
            reference=signs.reference,
            first_seen=now,
            last_seen=now,
        )
        new = statement.excluded
        statement = statement.on_conflict_do_update(
            index_elements=["channel", "user_hash", "conversation_started_at"],
            set_={
                "flow_id": new.flow_id,
                "region": func.coalesce(new.region, col(CrisisSignRow.region)),
                "signs": new.signs,
                "contact_kind": new.contact_kind,
                "contact": new.contact,
                "reference": func.coalesce(new.reference, col(CrisisSignRow.reference)),
                "last_seen": new.last_seen,
            },
        )
        await self._session.execute(statement)

    async def move(
        self,
        source: ConversationKey,
        source_started_at: datetime,
        target: ConversationKey,
        target_started_at: datetime,
    ) -> bool:
        """A conversation moved to another chat (`ConversationService.take_over`): its
        row goes along; True when there was one."""
        statement = (
            update(CrisisSignRow)
            .where(
                col(CrisisSignRow.channel) == source.channel,
                col(CrisisSignRow.user_hash) == source.user_hash,
                col(CrisisSignRow.conversation_started_at) == source_started_at,
            )
            .values(
                channel=target.channel,
                user_hash=target.user_hash,
                conversation_started_at=target_started_at,
            )
            .returning(col(CrisisSignRow.id))
            .execution_options(synchronize_session=False)
        )
        return (await self._session.execute(statement)).first() is not None

    # --- the crisis queue ----------------------------------------------------------

    async def to_follow_up(
        self, scope: frozenset[str] | None, *, limit: int = 200
    ) -> list[CrisisFollowUp]:
        """Conversations staff can act on, newest sign first: submitted ones, and those
        with a contact. `scope`: the staff member's regions (None: all, and rows
        without a region)."""
        statement = (
            select(CrisisSignRow)
            .where(_in_scope(scope), ~_uncontactable())
            .order_by(col(CrisisSignRow.last_seen).desc(), col(CrisisSignRow.id).desc())
            .limit(limit)
        )
        return [_follow_up(row) for row in await self._session.scalars(statement)]

    async def for_chat(self, channel: str, user_hash: str) -> list[CrisisFollowUp]:
        """Every row of one chat, oldest first (the person's access copy)."""
        statement = (
            select(CrisisSignRow)
            .where(col(CrisisSignRow.channel) == channel, col(CrisisSignRow.user_hash) == user_hash)
            .order_by(col(CrisisSignRow.first_seen), col(CrisisSignRow.id))
        )
        return [_follow_up(row) for row in await self._session.scalars(statement)]

    async def get(self, row_id: int, scope: frozenset[str] | None) -> CrisisFollowUp | None:
        statement = select(CrisisSignRow).where(col(CrisisSignRow.id) == row_id, _in_scope(scope))
        row = (await self._session.scalars(statement)).first()
        return None if row is None else _follow_up(row)

    async def mark_handled(self, row_id: int, staff_user_id: int) -> bool:
        """Staff followed it up; False when the row is gone or was handled before."""
        statement = (
            update(CrisisSignRow)
            .where(col(CrisisSignRow.id) == row_id, col(CrisisSignRow.handled_at).is_(None))
            .values(handled_at=self._clock(), handled_by=staff_user_id)
            .returning(col(CrisisSignRow.id))
            .execution_options(synchronize_session=False)
        )
        return (await self._session.execute(statement)).first() is not None

    async def weekly_counts(self, scope: frozenset[str] | None) -> list[WeekCount]:
        """Conversations with signs and no way to reach the person (never submitted,
        no contact), per region and ISO week of the first sign: the rows still kept
        plus the counts of those erased. Newest week first; a region the scope does
        not hold is left out ("region not known" only for scope None)."""
        counts: Counter[tuple[str, str]] = Counter()
        live = await self._session.execute(
            select(CrisisSignRow.region, CrisisSignRow.first_seen).where(  # type: ignore[call-overload]
                _in_scope(scope), _uncontactable()
            )
        )
        for region, first_seen in live.all():
            counts[(region or UNKNOWN_REGION, iso_week(first_seen))] += 1
        kept = select(CrisisSignCountRow)
        if scope is not None:
            kept = kept.where(col(CrisisSignCountRow.region).in_(sorted(scope)))
        for row in await self._session.scalars(kept):
            counts[(row.region, row.week)] += row.conversations
        ordered = sorted(counts.items(), key=lambda item: (item[0][1], item[0][0]), reverse=True)
        return [WeekCount(region or None, week, n) for (region, week), n in ordered]

    # --- retention and erasure -----------------------------------------------------

    async def _fold_and_delete(self, where: Any) -> int:
        """Delete the rows matching `where`; count those without contact first."""
        uncontactable = await self._session.execute(
            select(CrisisSignRow.region, CrisisSignRow.first_seen).where(  # type: ignore[call-overload]
                where, _uncontactable()
            )
        )
        await self._add_counts(
            Counter((region or UNKNOWN_REGION, iso_week(at)) for region, at in uncontactable)
        )
        statement = (
            delete(CrisisSignRow)
            .where(where)
            .returning(col(CrisisSignRow.id))
            .execution_options(synchronize_session=False)
        )
        return len((await self._session.execute(statement)).all())

    async def _add_counts(self, counts: Mapping[tuple[str, str], int]) -> None:
        insert = postgresql_insert if self._dialect == "postgresql" else sqlite_insert
        for (region, week), n in sorted(counts.items()):
            statement = insert(CrisisSignCountRow).values(region=region, week=week, conversations=n)
            statement = statement.on_conflict_do_update(
                index_elements=["region", "week"],
                set_={
                    "conversations": col(CrisisSignCountRow.conversations)
                    + statement.excluded.conversations
                },
            )
            await self._session.execute(statement)

    async def purge(self, retention: timedelta) -> int:
        """Erase the rows whose conversation is gone (ended, submitted, run out) and
        whose last change is `retention` ago or longer; how many."""
        cutoff = self._clock() - retention
        conversation_alive = exists().where(
            col(ConversationSessionRow.channel) == col(CrisisSignRow.channel),
            col(ConversationSessionRow.user_hash) == col(CrisisSignRow.user_hash),
            col(ConversationSessionRow.created_at) == col(CrisisSignRow.conversation_started_at),
        )
        return await self._fold_and_delete(
            and_(col(CrisisSignRow.last_seen) <= cutoff, ~conversation_alive)
        )

    async def erase_for(self, channel: str, user_hash: str) -> int:
        """The person asked for erasure: every row of their chat; how many."""
        return await self._fold_and_delete(
            and_(col(CrisisSignRow.channel) == channel, col(CrisisSignRow.user_hash) == user_hash)
        )

    async def erase_for_references(self, references: Iterable[str]) -> int:
        """The rows of these pre-aanmeldingen (erased, or at the end of retention)."""
        codes = sorted(set(references))
        if not codes:
            return 0
        return await self._fold_and_delete(col(CrisisSignRow.reference).in_(codes))


def crisis_signs(uow: UnitOfWork) -> SqlCrisisSignStore:
    """The crisis sign store on a unit of work's transaction."""
    return SqlCrisisSignStore(uow.session, uow.now, uow.dialect)
