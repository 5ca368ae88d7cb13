"""Audit events: who did what to which record, append-only (the database refuses
UPDATE and DELETE on the table). Details carry ids and codes, never personal data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.engine import Clock
from storage.tables import AuditEventRow

__all__ = ["ACTORS", "AuditEvent", "AuditFilter", "AuditLog", "SqlAuditLog"]

ACTORS = ("bot", "staff", "system")


@dataclass(frozen=True)
class AuditEvent:
    id: int
    at: datetime
    actor: str
    staff_user_id: int | None
    action: str
    subject_type: str
    subject_id: str | None
    details: Mapping[str, Any]


@dataclass(frozen=True)
class AuditFilter:
    """Which events to list (for the dashboard's audit page and its export); every part
    optional. `since` is inclusive, `until` exclusive."""

    since: datetime | None = None
    until: datetime | None = None
    action: str | None = None
    staff_user_id: int | None = None
    subject_type: str | None = None
    subject_id: str | None = None


class AuditLog(Protocol):
    async def record(
        self,
        action: str,
        subject_type: str,
        subject_id: str | int | None = None,
        *,
        actor: str = "bot",
        staff_user_id: int | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> AuditEvent: ...

    async def events(
        self,
        *,
        subject_type: str | None = None,
        subject_id: str | int | None = None,
        limit: int = 100,
    ) -> list[AuditEvent]: ...


def _event(row: AuditEventRow) -> AuditEvent:
    assert row.id is not None
    return AuditEvent(
        id=row.id,
        at=row.at,
        actor=row.actor,
        staff_user_id=row.staff_user_id,
        action=row.action,
        subject_type=row.subject_type,
        subject_id=row.subject_id,
        details=row.details,
    )


class SqlAuditLog:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self._session, self._clock = session, clock

    async def record(
        self,
        action: str,
        subject_type: str,
        subject_id: str | int | None = None,
        *,
        actor: str = "bot",
        staff_user_id: int | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> AuditEvent:
        if actor not in ACTORS:
            raise ValueError(f"unknown actor {actor!r}; expected one of {', '.join(ACTORS)}")
        if (actor == "staff") != (staff_user_id is not None):
            raise ValueError("a staff actor needs a staff_user_id, and only a staff actor")
        row = AuditEventRow(
            at=self._clock(),
            actor=actor,
            staff_user_id=staff_user_id,
            action=action,
            subject_type=subject_type,
            subject_id=None if subject_id is None else str(subject_id),
            details=dict(details or {}),
        )
        self._session.add(row)
        await self._session.flush()
        return _event(row)

    async def events(
        self,
        *,
        subject_type: str | None = None,
        subject_id: str | int | None = None,
        limit: int = 100,
    ) -> list[AuditEvent]:
        """The newest events first, optionally for one subject."""
        statement = select(AuditEventRow)
        if subject_type is not None:
            statement = statement.where(col(AuditEventRow.subject_type) == subject_type)
        if subject_id is not None:
            statement = statement.where(col(AuditEventRow.subject_id) == str(subject_id))
        statement = statement.order_by(col(AuditEventRow.id).desc()).limit(limit)
        result = await self._session.scalars(statement)
        return [_event(row) for row in result]

    async def find(
        self, where: AuditFilter, *, before_id: int | None = None, limit: int | None = 100
    ) -> list[AuditEvent]:
        """The newest events first; `before_id` pages on (the id of the last one seen)."""
        statement = select(AuditEventRow).where(*_audit_conditions(where))
        if before_id is not None:
            statement = statement.where(col(AuditEventRow.id) < before_id)
        statement = statement.order_by(col(AuditEventRow.id).desc())
        if limit is not None:
            statement = statement.limit(limit)
        return [_event(row) for row in await self._session.scalars(statement)]

    async def count(self, where: AuditFilter) -> int:
        """How many events match (e.g. failed logins of one account since a moment)."""
        statement = select(func.count()).select_from(AuditEventRow).where(*_audit_conditions(where))
        return int(await self._session.scalar(statement) or 0)


def _audit_conditions(where: AuditFilter) -> list[Any]:
    table = AuditEventRow
    out: list[Any] = []
    if where.since is not None:
        out.append(col(table.at) >= where.since)
    if where.until is not None:
        out.append(col(table.at) < where.until)
    if where.action is not None:
        out.append(col(table.action) == where.action)
    if where.staff_user_id is not None:
        out.append(col(table.staff_user_id) == where.staff_user_id)
    if where.subject_type is not None:
        out.append(col(table.subject_type) == where.subject_type)
    if where.subject_id is not None:
        out.append(col(table.subject_id) == where.subject_id)
    return out
