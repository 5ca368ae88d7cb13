"""Where people stop: anonymous counters of the paths of ended conversations.

When a conversation ends (`flows.engine.drop_off`), its path is added here: per week
(the Monday it ended in, Dutch time), flow, language and channel, one more
conversation `reached` each node on the path and, when it ended without a
submission, one more `left` at its open prompt. Nothing is written on the steps in
between; an ending touches one counter row (three statements: create it if missing,
lock it, add). The counters hold no user hash, no reference, no answer and no time
finer than a week: they are not about any person (docs/privacy.md), and are kept
like the report facts (anonymous statistics, no retention period). The per-node
counts are encrypted all the same (`SensitiveJSON`): which questions a conversation
reached follows from its answers, so node ids such as `recent_detention` never sit
in clear next to a week, a language and a channel.

Use it from a unit of work: `drop_off(uow)`; it never commits. A stored conversation
(`Conversation.state`: `{"stage": "flow", "session": ...}`, as `intake.conversation`
saves it) that ends where it stands (it expired, or was erased) is counted with
`add_abandoned`, by retention and erasure as well as by the conversation service.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from flows.engine.drop_off import ENDINGS, Path, ended_paths, open_path
from flows.engine.events import Event
from flows.engine.session import Session
from storage.conversations import Conversation
from storage.engine import Clock
from storage.reports import LOKET_TIME_ZONE
from storage.tables import ConversationSessionRow, DropOffCountRow
from storage.unit_of_work import UnitOfWork

__all__ = [
    "DropOffChoices",
    "DropOffFigure",
    "DropOffFilter",
    "SqlDropOffStore",
    "drop_off",
    "session_of",
    "week_of",
]

_KEY = ("period", "flow_id", "language", "channel")
_Key = tuple[date, str, str, str]


def week_of(moment: datetime) -> date:
    """The Monday (Dutch time) of the week a moment falls in: a counter's period."""
    day = moment.astimezone(LOKET_TIME_ZONE).date()
    return day - timedelta(days=day.weekday())


def session_of(state: Mapping[str, Any]) -> Session | None:
    """The engine session of a stored conversation's state; None when it has none
    (kept from before the entry flow) or it cannot be read."""
    if state.get("stage") != "flow":
        return None
    try:
        return Session.from_json(state["session"])
    except (KeyError, TypeError, ValueError):
        return None


@dataclass(frozen=True)
class DropOffFigure:
    """One node of one flow, summed over the chosen weeks, languages and channels."""

    flow_id: str
    node_id: str
    reached: int
    left: int


@dataclass(frozen=True)
class DropOffFilter:
    """Which counters to sum: the weeks whose Monday lies from `first` to `last`
    (inclusive), and optionally one flow, language and channel."""

    first: date
    last: date
    flow_id: str | None = None
    language: str | None = None
    channel: str | None = None


@dataclass(frozen=True)
class DropOffChoices:
    """What the counters hold: the flows, languages and channels seen (sorted)."""

    flows: tuple[str, ...]
    languages: tuple[str, ...]
    channels: tuple[str, ...]


class SqlDropOffStore:
    def __init__(self, session: AsyncSession, clock: Clock, dialect: str) -> None:
        self._session, self._clock, self._dialect = session, clock, dialect

    async def add(self, channel: str, paths: Iterable[Path]) -> None:
        """Count the paths of conversations that ended now on `channel`. Per counter
        row touched (week, flow, language, channel; usually one): make sure it exists,
        lock it, add. Nothing when there is nothing to count."""
        await self._count((channel, path) for path in paths)

    async def _count(self, ended: Iterable[tuple[str, Path]]) -> None:
        period = week_of(self._clock())
        grouped: dict[_Key, dict[str, list[int]]] = {}
        for channel, path in ended:
            nodes = grouped.setdefault((period, path.flow_id, path.locale, channel), {})
            for node in path.reached:
                nodes.setdefault(node, [0, 0])[0] += 1
            if path.left is not None:
                nodes.setdefault(path.left, [0, 0])[1] += 1
        # In key order: two transactions that count in the same rows lock them in the
        # same order (PostgreSQL), so they wait for each other, never deadlock.
        for key, added in sorted(grouped.items()):
            await self._add_to_row(key, added)

    async def _add_to_row(self, key: _Key, added: Mapping[str, list[int]]) -> None:
        where = dict(zip(_KEY, key, strict=True))
        insert = postgresql_insert if self._dialect == "postgresql" else sqlite_insert
        await self._session.execute(
            insert(DropOffCountRow)
            .values(**where, counts={})
            .on_conflict_do_nothing(index_elements=list(_KEY))
        )
        found = (
            await self._session.execute(
                select(col(DropOffCountRow.id), col(DropOffCountRow.counts))
                .where(*(getattr(DropOffCountRow, name) == value for name, value in where.items()))
                .with_for_update()
            )
        ).one()
        counts = {node: list(pair) for node, pair in dict(found[1]).items()}
        for node, (reached, left) in added.items():
            total = counts.setdefault(node, [0, 0])
            total[0] += reached
            total[1] += left
        await self._session.execute(
            update(DropOffCountRow)
            .where(col(DropOffCountRow.id) == found[0])
            .values(counts=counts)
            .execution_options(synchronize_session=False)
        )

    async def add_turn(
        self,
        channel: str,
        stored: Conversation | None,
        events: Sequence[Event],
        *,
        entry_flow: str,
        locale: str,
    ) -> None:
        """Count what ended in one turn of the conversation service: `stored` is the
        conversation the turn began with (None: a newcomer), `events` the turn's
        events, `locale` its language (`flows.engine.drop_off.ended_paths`). Most
        turns end nothing and cost nothing here."""
        if not any(isinstance(event, ENDINGS) for event in events):
            return
        before = session_of(stored.state) if stored is not None else None
        await self.add(channel, ended_paths(before, events, entry_flow=entry_flow, locale=locale))

    async def add_abandoned(self, conversations: Iterable[Conversation]) -> None:
        """Count stored conversations that end where they stand (expired, erased):
        each left at its open prompt, counted on its own channel."""
        await self._add_states((c.key.channel, c.state) for c in conversations)

    async def add_abandoned_where(self, *conditions: Any) -> None:
        """`add_abandoned` for the stored conversations that match `conditions` (on
        `ConversationSessionRow`), before a bulk delete of the same rows."""
        statement = select(
            col(ConversationSessionRow.channel), col(ConversationSessionRow.state)
        ).where(*conditions)
        await self._add_states(
            (channel, state) for channel, state in await self._session.execute(statement)
        )

    async def _add_states(self, states: Iterable[tuple[str, Mapping[str, Any]]]) -> None:
        ended = []
        for channel, state in states:
            session = session_of(state)
            path = open_path(session) if session is not None else None
            if path is not None:
                ended.append((channel, path))
        await self._count(ended)

    async def figures(self, where: DropOffFilter) -> list[DropOffFigure]:
        """The counters summed per flow and node for `where`, by flow and node id."""
        conditions = [
            col(DropOffCountRow.period) >= where.first,
            col(DropOffCountRow.period) <= where.last,
        ]
        for column, value in (
            (col(DropOffCountRow.flow_id), where.flow_id),
            (col(DropOffCountRow.language), where.language),
            (col(DropOffCountRow.channel), where.channel),
        ):
            if value is not None:
                conditions.append(column == value)
        rows = await self._session.execute(
            select(col(DropOffCountRow.flow_id), col(DropOffCountRow.counts)).where(*conditions)
        )
        sums: dict[tuple[str, str], list[int]] = {}
        for flow_id, counts in rows:
            for node, (reached, left) in dict(counts).items():
                total = sums.setdefault((str(flow_id), str(node)), [0, 0])
                total[0] += int(reached)
                total[1] += int(left)
        return [DropOffFigure(f, n, r, lft) for (f, n), (r, lft) in sorted(sums.items())]

    async def choices(self) -> DropOffChoices:
        """The flows, languages and channels the counters hold, for a filter form."""

        async def distinct(column: Any) -> tuple[str, ...]:
            rows = await self._session.scalars(select(column).distinct())
            return tuple(sorted(str(v) for v in rows))

        return DropOffChoices(
            await distinct(col(DropOffCountRow.flow_id)),
            await distinct(col(DropOffCountRow.language)),
            await distinct(col(DropOffCountRow.channel)),
        )


def drop_off(uow: UnitOfWork) -> SqlDropOffStore:
    """The drop-off counters on a unit of work's transaction."""
    return SqlDropOffStore(uow.session, uow.now, uow.dialect)
