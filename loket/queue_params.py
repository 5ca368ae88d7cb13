"""The queue's query string: filters, search, sort and cursor, read leniently (an
unknown value is dropped and named, never an error page) and written back into links."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from flows.products import PRODUCTS
from loket.access import REGIONS, Staff
from storage.lifecycle import Status
from storage.queue import NO_PRODUCT, OPEN_STATUSES, QueueFilter, QueueSort
from storage.reports import LOKET_TIME_ZONE
from storage.tables import SUBMITTER_KINDS

__all__ = ["QueueParams", "read_queue_params"]

VIEWS = ("all", "mine", "unassigned", "crisis", "erasure")
STATUS_CHOICES = ("open", "all", *(s.value for s in Status))


@dataclass(frozen=True)
class QueueParams:
    region: str = ""
    product: str = ""
    status: str = "open"
    kind: str = ""
    date_from: str = ""
    date_to: str = ""
    view: str = "all"
    q: str = ""
    sort: str = QueueSort.OLDEST.value
    after: str = ""
    dropped: tuple[str, ...] = field(default=())

    def to_filter(self, staff: Staff) -> QueueFilter:
        statuses: frozenset[Status] | None
        if self.status == "open":
            statuses = OPEN_STATUSES
        elif self.status == "all":
            statuses = None
        else:
            statuses = frozenset({Status(self.status)})
        return QueueFilter(
            regions=staff.scope,
            region=self.region or None,
            product=self.product or None,
            statuses=None if self.q else statuses,  # a code search looks in every status
            submitter_kind=self.kind or None,
            since=_start(self.date_from),
            until=_start(self.date_to, next_day=True),
            assigned_staff_id=staff.id if self.view == "mine" else None,
            unassigned=self.view == "unassigned",
            crisis_follow_up=self.view == "crisis",
            erasure_requested=self.view == "erasure",
            reference=self.q or None,
        )

    def query(self, **changes: str) -> str:
        """The query string of these parameters with some changed (cursor dropped
        unless given)."""
        values = {
            "region": self.region,
            "product": self.product,
            "status": self.status,
            "kind": self.kind,
            "from": self.date_from,
            "to": self.date_to,
            "view": self.view,
            "q": self.q,
            "sort": self.sort,
            "after": "",
        }
        values.update(changes)
        return urlencode({k: v for k, v in values.items() if v})


def _start(text: str, *, next_day: bool = False) -> datetime | None:
    if not text:
        return None
    day = date.fromisoformat(text) + (timedelta(days=1) if next_day else timedelta())
    return datetime.combine(day, time(), LOKET_TIME_ZONE)


def _date(text: str) -> str | None:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        return None


def read_queue_params(query: Mapping[str, str]) -> QueueParams:
    dropped: list[str] = []

    def choice(name: str, allowed: tuple[str, ...], default: str = "") -> str:
        value = query.get(name, "").strip()
        if not value:
            return default
        if value not in allowed:
            dropped.append(name)
            return default
        return value

    def day(name: str) -> str:
        value = query.get(name, "").strip()
        if not value:
            return ""
        parsed = _date(value)
        if parsed is None:
            dropped.append(name)
            return ""
        return parsed

    return QueueParams(
        region=choice("region", REGIONS),
        product=choice("product", (*PRODUCTS, NO_PRODUCT)),
        status=choice("status", STATUS_CHOICES, "open"),
        kind=choice("kind", SUBMITTER_KINDS),
        date_from=day("from"),
        date_to=day("to"),
        view=choice("view", VIEWS, "all"),
        q=query.get("q", "").strip()[:20],
        sort=choice("sort", tuple(s.value for s in QueueSort), QueueSort.OLDEST.value),
        after=query.get("after", "").strip()[:200],
        dropped=tuple(dropped),
    )
