"""The loket's work queue: filtered, sorted, keyset-paginated lists of pre-aanmeldingen,
and counts per status, for the dashboard.

Only the columns a queue line shows are read (no profile, answers or names), so a page
stays fast with a million rows. Pagination is by keyset: a page ends with a `cursor`
(the sort value and id of its last line), and the next page starts after it; no
OFFSET, so page 1,000 costs what page 1 costs. The indexes that serve these queries
are in migration 0002.

`QueueFilter.regions` is the scope of the staff member asking: None means every
region (including pre-aanmeldingen from outside Zuid-Limburg, which have no region);
a set limits the list, the counts and `visible` to those regions.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.column_types import UtcDateTime
from storage.lifecycle import FINAL_STATUSES, Status
from storage.reference_codes import normalise_reference_code
from storage.tables import PreAanmeldingRow

__all__ = [
    "COUNT_CAP",
    "NO_PRODUCT",
    "OPEN_STATUSES",
    "BadCursor",
    "QueueFilter",
    "QueueItem",
    "QueuePage",
    "QueueSort",
    "SqlQueue",
    "StatusCounts",
]

NO_PRODUCT = "none"
OPEN_STATUSES = frozenset(s for s in Status if s not in FINAL_STATUSES)
MAX_PAGE_SIZE = 200
COUNT_CAP = 1000


class QueueSort(StrEnum):
    OLDEST = "oldest"  # submitted longest ago first: the queue order
    NEWEST = "newest"  # submitted most recently first
    UPDATED = "updated"  # changed most recently first


class BadCursor(ValueError):
    """A page cursor that this queue did not hand out (edited or from another sort)."""


@dataclass(frozen=True)
class QueueFilter:
    """Every part optional. `since` is inclusive, `until` exclusive."""

    regions: frozenset[str] | None = None
    region: str | None = None
    product: str | None = None  # the bot's recommended product; NO_PRODUCT for none
    statuses: frozenset[Status] | None = None
    submitter_kind: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    assigned_staff_id: int | None = None
    unassigned: bool = False
    crisis_follow_up: bool = False
    erasure_requested: bool = False  # the person asked for erasure (docs/privacy.md)
    reference: str | None = None  # as typed; an unusable code finds nothing


@dataclass(frozen=True)
class QueueItem:
    id: int
    reference: str
    created_at: datetime
    updated_at: datetime
    status: Status
    region: str | None
    municipality: str | None
    recommended_product: str | None
    submitter_kind: str
    submitter_organisation: str | None
    assigned_staff_id: int | None
    crisis_follow_up: bool
    erasure_requested: bool = False
    answer_unread: bool = False  # the person answered; no staff member looked yet


@dataclass(frozen=True)
class StatusCounts:
    """Pre-aanmeldingen per status; for a status in `at_least` there are more."""

    counts: dict[Status, int]
    at_least: frozenset[Status]

    def total(self, statuses: frozenset[Status] | None = None) -> tuple[int, bool]:
        """The sum over `statuses` (None: all), and whether it is a lower bound."""
        chosen = [s for s in Status if statuses is None or s in statuses]
        return sum(self.counts[s] for s in chosen), any(s in self.at_least for s in chosen)


@dataclass(frozen=True)
class QueuePage:
    items: tuple[QueueItem, ...]
    next_cursor: str | None


_T = PreAanmeldingRow
_COLUMNS = (
    col(_T.id),
    col(_T.reference),
    col(_T.created_at),
    col(_T.updated_at),
    col(_T.status),
    col(_T.region),
    col(_T.municipality),
    col(_T.recommended_product),
    col(_T.submitter_kind),
    col(_T.submitter_organisation),
    col(_T.assigned_staff_id),
    col(_T.crisis_follow_up),
    col(_T.erasure_requested_at),
    col(_T.answer_unread),
)


def _conditions(where: QueueFilter, *, with_status: bool = True) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = []
    if where.regions is not None:
        out.append(col(_T.region).in_(sorted(where.regions)))
    if where.region is not None:
        out.append(col(_T.region) == where.region)
    if where.product == NO_PRODUCT:
        out.append(col(_T.recommended_product).is_(None))
    elif where.product is not None:
        out.append(col(_T.recommended_product) == where.product)
    if with_status and where.statuses is not None:
        out.append(col(_T.status).in_(sorted(s.value for s in where.statuses)))
    if where.submitter_kind is not None:
        out.append(col(_T.submitter_kind) == where.submitter_kind)
    if where.since is not None:
        out.append(col(_T.created_at) >= where.since)
    if where.until is not None:
        out.append(col(_T.created_at) < where.until)
    if where.unassigned:
        out.append(col(_T.assigned_staff_id).is_(None))
    elif where.assigned_staff_id is not None:
        out.append(col(_T.assigned_staff_id) == where.assigned_staff_id)
    if where.crisis_follow_up:
        out.append(col(_T.crisis_follow_up).is_(True))
    if where.erasure_requested:
        out.append(col(_T.erasure_requested_at).is_not(None))
    if where.reference is not None:
        # An unusable code matches nothing (an empty string is never a reference).
        out.append(col(_T.reference) == (normalise_reference_code(where.reference) or ""))
    return out


def _sort_column(sort: QueueSort) -> Any:
    return col(_T.updated_at) if sort is QueueSort.UPDATED else col(_T.created_at)


def encode_cursor(sort: QueueSort, at: datetime, item_id: int) -> str:
    raw = json.dumps([sort.value, at.isoformat(), item_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(sort: QueueSort, cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        kind, at, item_id = json.loads(raw)
        moment = datetime.fromisoformat(at)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError) as error:
        raise BadCursor("not a queue cursor") from error
    if kind != sort.value or not isinstance(item_id, int) or moment.tzinfo is None:
        raise BadCursor("not a cursor of this sort order")
    return moment, item_id


def _item(row: Sequence[Any]) -> QueueItem:
    return QueueItem(
        id=row[0],
        reference=row[1],
        created_at=_aware(row[2]),
        updated_at=_aware(row[3]),
        status=Status(row[4]),
        region=row[5],
        municipality=row[6],
        recommended_product=row[7],
        submitter_kind=row[8],
        submitter_organisation=row[9],
        assigned_staff_id=row[10],
        crisis_follow_up=bool(row[11]),
        erasure_requested=row[12] is not None,
        answer_unread=bool(row[13]),
    )


def _aware(value: datetime) -> datetime:
    # The column type already returns aware UTC datetimes; this keeps mypy and callers sure.
    assert value.tzinfo is not None
    return value


class SqlQueue:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._planned = False

    async def _custom_plans(self) -> None:
        """PostgreSQL: plan each queue query for its own values. Prepared statements
        otherwise switch to a generic plan after five runs, which cannot see that
        "status = 'nieuw'" is rare and scans the wrong index (10x slower at 1M rows)."""
        if self._planned:
            return
        self._planned = True
        if self._session.get_bind().dialect.name == "postgresql":
            await self._session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))

    async def page(
        self,
        where: QueueFilter,
        *,
        sort: QueueSort = QueueSort.OLDEST,
        after: str | None = None,
        size: int = 50,
    ) -> QueuePage:
        """One page of the queue; `after` is the `next_cursor` of the page before.
        Raises `BadCursor` for a cursor this queue did not hand out."""
        size = max(1, min(size, MAX_PAGE_SIZE))
        await self._custom_plans()
        sort_column = _sort_column(sort)
        statement: Select[Any] = select(*_COLUMNS).where(*_conditions(where))  # type: ignore[assignment]
        ascending = sort is QueueSort.OLDEST
        if after is not None:
            at, item_id = decode_cursor(sort, after)
            key = tuple_(sort_column, col(_T.id))
            bound = tuple_(literal(at, UtcDateTime()), literal(item_id))
            statement = statement.where(key > bound if ascending else key < bound)
        if ascending:
            statement = statement.order_by(sort_column, col(_T.id))
        else:
            statement = statement.order_by(sort_column.desc(), col(_T.id).desc())
        rows = (await self._session.execute(statement.limit(size + 1))).all()
        items = tuple(_item(row) for row in rows[:size])
        next_cursor = None
        if len(rows) > size:
            last = items[-1]
            last_at = last.updated_at if sort is QueueSort.UPDATED else last.created_at
            next_cursor = encode_cursor(sort, last_at, last.id)
        return QueuePage(items, next_cursor)

    async def status_counts(self, where: QueueFilter, *, cap: int = COUNT_CAP) -> StatusCounts:
        """How many pre-aanmeldingen per status match the filter (its status part left
        out, so the counts show what choosing a status would give). Each count stops
        at `cap`: beyond it the count is `cap` and the status is in `at_least`, so a
        million decided records cost no more than a thousand."""
        await self._custom_plans()
        conditions = _conditions(where, with_status=False)
        counts: dict[Status, int] = {}
        at_least: set[Status] = set()
        for status in Status:
            bounded = (
                select(col(_T.id))
                .where(col(_T.status) == status.value, *conditions)
                .limit(cap + 1)
                .subquery()
            )
            found = int(await self._session.scalar(select(func.count()).select_from(bounded)) or 0)
            if found > cap:
                found = cap
                at_least.add(status)
            counts[status] = found
        return StatusCounts(counts, frozenset(at_least))

    async def visible(self, reference: str, regions: frozenset[str] | None) -> bool:
        """Whether a pre-aanmelding exists and lies within `regions` (None: all)."""
        where = QueueFilter(regions=regions, reference=reference)
        statement = select(col(_T.id)).where(*_conditions(where)).limit(1)
        return (await self._session.execute(statement)).first() is not None
