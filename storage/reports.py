"""The loket's yearly figures (annual report, seeds 000 and 001), per region and product.

A pre-aanmelding counts in the year it was submitted (Dutch time). Per region and
the product it was registered for (the bot's recommendation; `none` when the bot
recommended none): aanmeldingen by submitter kind and by convenant partner or not,
intakes (ever planned), accepted, referred, rejected, withdrawn, still open, and the
median number of days from submission to the loket's decision (accepted, referred
or rejected). `accepted_per_product` counts acceptances by the product the loket
decided on. `confusion` sets the bot's recommendation against the loket's decision.

Only ids, codes and dates are read; no names, answers or notes. Pre-aanmeldingen whose
retention ended count through their anonymous report facts (`storage.retention`).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from flows.products import PRODUCTS
from storage.lifecycle import FINAL_STATUSES, Status
from storage.tables import PreAanmeldingRow, ReportFactRow, StatusChangeRow

__all__ = [
    "DECISIONS",
    "LOKET_TIME_ZONE",
    "NO_REGION",
    "RECOMMENDATIONS",
    "ReportFacts",
    "ReportLine",
    "SqlReports",
    "YearReport",
    "build_report",
    "year_bounds",
]

LOKET_TIME_ZONE = ZoneInfo("Europe/Amsterdam")
NO_REGION = "outside"  # a pre-aanmelding from outside Zuid-Limburg has no region
NO_PRODUCT = "none"
RECOMMENDATIONS: tuple[str, ...] = (*PRODUCTS, NO_PRODUCT)
# The loket's decision, as the columns of the confusion table.
DECISIONS: tuple[str, ...] = (
    *PRODUCTS,
    Status.DOORVERWEZEN.value,
    Status.AFGEWEZEN.value,
    Status.INGETROKKEN.value,
    "open",
)
_DECIDED = (Status.GEACCEPTEERD.value, Status.DOORVERWEZEN.value, Status.AFGEWEZEN.value)
_SECONDS_PER_DAY = 86_400


@dataclass(frozen=True)
class ReportFacts:
    """What the report needs of one pre-aanmelding."""

    region: str | None
    recommended_product: str | None
    submitter_kind: str
    convenant_partner: bool | None  # None: not known
    status: Status
    decided_product: str | None
    created_at: datetime
    intake_at: datetime | None = None
    decided_at: datetime | None = None


@dataclass
class ReportLine:
    region: str
    product: str
    aanmeldingen: int = 0
    by_submitter: Counter[str] = field(default_factory=Counter)
    convenant_partner: int = 0
    other_organisation: int = 0
    convenant_unknown: int = 0  # an organisation whose convenant status is not known
    intakes: int = 0
    accepted: int = 0
    referred: int = 0
    rejected: int = 0
    withdrawn: int = 0
    open: int = 0
    days_to_decision: list[float] = field(default_factory=list)

    @property
    def median_days(self) -> float | None:
        if not self.days_to_decision:
            return None
        return round(statistics.median(self.days_to_decision), 1)

    def add(self, facts: ReportFacts) -> None:
        self.aanmeldingen += 1
        self.by_submitter[facts.submitter_kind] += 1
        if facts.submitter_kind != "self":
            if facts.convenant_partner is None:
                self.convenant_unknown += 1
            elif facts.convenant_partner:
                self.convenant_partner += 1
            else:
                self.other_organisation += 1
        if facts.intake_at is not None:
            self.intakes += 1
        if facts.status is Status.GEACCEPTEERD:
            self.accepted += 1
        elif facts.status is Status.DOORVERWEZEN:
            self.referred += 1
        elif facts.status is Status.AFGEWEZEN:
            self.rejected += 1
        elif facts.status is Status.INGETROKKEN:
            self.withdrawn += 1
        else:
            self.open += 1
        if facts.decided_at is not None:
            seconds = (facts.decided_at - facts.created_at).total_seconds()
            self.days_to_decision.append(max(seconds, 0) / _SECONDS_PER_DAY)


@dataclass
class YearReport:
    year: int
    lines: list[ReportLine]  # per region and product, sorted; only those with figures
    region_totals: list[ReportLine]  # product "all"
    total: ReportLine
    accepted_per_product: dict[str, dict[str, int]]  # region -> decided product -> count
    confusion: dict[str, dict[str, int]]  # recommendation -> decision -> count


def _decision(facts: ReportFacts) -> str:
    if facts.status is Status.GEACCEPTEERD:
        return facts.decided_product or NO_PRODUCT
    if facts.status in FINAL_STATUSES:
        return facts.status.value
    return "open"


def build_report(year: int, facts: Iterable[ReportFacts], regions: Iterable[str]) -> YearReport:
    """The figures of one year from the facts of its pre-aanmeldingen. `regions` gives
    the order of the regions (known ones first; `outside` last)."""
    order = {region: index for index, region in enumerate([*regions, NO_REGION])}
    product_order = {product: index for index, product in enumerate(RECOMMENDATIONS)}
    lines: dict[tuple[str, str], ReportLine] = {}
    totals: dict[str, ReportLine] = {}
    total = ReportLine("all", "all")
    accepted: dict[str, dict[str, int]] = {}
    confusion = {rec: dict.fromkeys(DECISIONS, 0) for rec in RECOMMENDATIONS}
    for item in facts:
        region = item.region or NO_REGION
        product = item.recommended_product or NO_PRODUCT
        lines.setdefault((region, product), ReportLine(region, product)).add(item)
        totals.setdefault(region, ReportLine(region, "all")).add(item)
        total.add(item)
        if item.status is Status.GEACCEPTEERD:
            per_region = accepted.setdefault(region, dict.fromkeys(PRODUCTS, 0))
            decided = item.decided_product or NO_PRODUCT
            per_region[decided] = per_region.get(decided, 0) + 1
        decision = _decision(item)
        row = confusion.setdefault(product, dict.fromkeys(DECISIONS, 0))
        row[decision] = row.get(decision, 0) + 1

    def region_key(region: str) -> int:
        return order.get(region, len(order))

    return YearReport(
        year=year,
        lines=sorted(
            lines.values(),
            key=lambda line: (region_key(line.region), product_order.get(line.product, 99)),
        ),
        region_totals=sorted(totals.values(), key=lambda line: region_key(line.region)),
        total=total,
        accepted_per_product=dict(sorted(accepted.items(), key=lambda kv: region_key(kv[0]))),
        confusion=confusion,
    )


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The start of `year` and of the next one, in Dutch time."""
    start = datetime.combine(date(year, 1, 1), time(), LOKET_TIME_ZONE)
    end = datetime.combine(date(year + 1, 1, 1), time(), LOKET_TIME_ZONE)
    return start, end


def _aware(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite returns a MIN() over a timestamp as text
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


class SqlReports:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def facts(self, year: int, *, regions: frozenset[str] | None = None) -> list[ReportFacts]:
        """The facts of every pre-aanmelding submitted in `year` (within `regions`)."""
        start, end = year_bounds(year)
        changes = (
            select(
                col(StatusChangeRow.pre_aanmelding_id).label("pre_id"),
                func.min(
                    case(
                        (
                            col(StatusChangeRow.to_status) == Status.INTAKE_GEPLAND.value,
                            col(StatusChangeRow.at),
                        ),
                        else_=None,
                    )
                ).label("intake_at"),
                func.min(
                    case(
                        (col(StatusChangeRow.to_status).in_(_DECIDED), col(StatusChangeRow.at)),
                        else_=None,
                    )
                ).label("decided_at"),
            )
            .where(col(StatusChangeRow.from_status).is_not(None))
            .group_by(col(StatusChangeRow.pre_aanmelding_id))
            .subquery()
        )
        t = PreAanmeldingRow
        statement = (
            select(
                col(t.region),
                col(t.recommended_product),
                col(t.submitter_kind),
                col(t.submitter_convenant_partner),
                col(t.status),
                col(t.decided_product),
                col(t.created_at),
                changes.c.intake_at,
                changes.c.decided_at,
            )
            .outerjoin(changes, changes.c.pre_id == col(t.id))
            .where(col(t.created_at) >= start, col(t.created_at) < end)
        )
        if regions is not None:
            statement = statement.where(col(t.region).in_(sorted(regions)))
        out = await self._retired_facts(start, end, regions)
        for row in (await self._session.execute(statement)).all():
            created = _aware(row[6])
            assert created is not None
            out.append(
                ReportFacts(
                    region=row[0],
                    recommended_product=row[1],
                    submitter_kind=row[2],
                    convenant_partner=None if row[3] is None else bool(row[3]),
                    status=Status(row[4]),
                    decided_product=row[5],
                    created_at=created,
                    intake_at=_aware(row[7]),
                    decided_at=_aware(row[8]),
                )
            )
        return out

    async def _retired_facts(
        self, start: datetime, end: datetime, regions: frozenset[str] | None
    ) -> list[ReportFacts]:
        """Pre-aanmeldingen whose retention ended: their anonymous facts (storage.retention)."""
        t = ReportFactRow
        statement = select(t).where(col(t.created_at) >= start, col(t.created_at) < end)
        if regions is not None:
            statement = statement.where(col(t.region).in_(sorted(regions)))
        return [
            ReportFacts(
                region=row.region,
                recommended_product=row.recommended_product,
                submitter_kind=row.submitter_kind,
                convenant_partner=row.submitter_convenant_partner,
                status=Status(row.status),
                decided_product=row.decided_product,
                created_at=row.created_at,
                intake_at=row.intake_at,
                decided_at=row.decided_at,
            )
            for row in await self._session.scalars(statement)
        ]

    async def years(self) -> list[int]:
        """The years (Dutch time) that have pre-aanmeldingen, newest first (also those
        whose retention ended and that live on as report facts)."""
        bounds: list[datetime] = []
        for table in (PreAanmeldingRow, ReportFactRow):
            statement = select(func.min(col(table.created_at)), func.max(col(table.created_at)))
            low, high = (await self._session.execute(statement)).one()
            bounds.extend(moment for moment in (_aware(low), _aware(high)) if moment is not None)
        if not bounds:
            return []
        first_at, last_at = min(bounds), max(bounds)
        newest = last_at.astimezone(LOKET_TIME_ZONE).year
        oldest = first_at.astimezone(LOKET_TIME_ZONE).year
        return list(range(newest, oldest - 1, -1))
