"""Writing the dashboard's audit events (NEN 7513 style: who, when, what, on which
record). Details hold ids and codes only, never names, answers or free text."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from storage.unit_of_work import UnitOfWork

__all__ = ["PRE_AANMELDING", "STAFF_USER", "record_staff_action", "record_system_event"]

PRE_AANMELDING = "pre_aanmelding"
STAFF_USER = "staff_user"


async def record_staff_action(
    uow: UnitOfWork,
    staff_user_id: int,
    action: str,
    subject_type: str,
    subject_id: str | int | None = None,
    details: Mapping[str, Any] | None = None,
) -> int:
    """Record what a staff member did; the event's id."""
    event = await uow.audit.record(
        action,
        subject_type,
        subject_id,
        actor="staff",
        staff_user_id=staff_user_id,
        details=details,
    )
    return event.id


async def record_system_event(
    uow: UnitOfWork,
    action: str,
    subject_type: str,
    subject_id: str | int | None = None,
    details: Mapping[str, Any] | None = None,
) -> None:
    """An event without a logged-in actor (a failed login)."""
    await uow.audit.record(action, subject_type, subject_id, actor="system", details=details)
