"""For the beheerder: the audit log (filter, page, CSV export; exporting is audited
too) and the list of staff accounts (accounts are managed with `intake staff`)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response

from loket import labels
from loket.access import Permission
from loket.audit_trail import record_staff_action
from loket.csv_export import audit_csv
from loket.web import Visit, render, visit
from storage.audit import AuditFilter
from storage.reports import LOKET_TIME_ZONE

__all__ = ["router"]

router = APIRouter()
PAGE_SIZE = 100


def _day(text: str, *, next_day: bool = False) -> datetime | None:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return datetime.combine(day + timedelta(days=1 if next_day else 0), time(), LOKET_TIME_ZONE)


def _filter(current: Visit) -> tuple[AuditFilter, dict[str, str]]:
    query = current.request.query_params
    values = {
        name: query.get(name, "").strip()[:60]
        for name in ("action", "staff", "subject", "from", "to")
    }
    where = AuditFilter(
        since=_day(values["from"]),
        until=_day(values["to"], next_day=True),
        action=values["action"] or None,
        staff_user_id=int(values["staff"]) if values["staff"].isdigit() else None,
        subject_id=values["subject"] or None,
    )
    return where, values


@router.get("/audit")
async def audit(request: Request) -> Response:
    current = await visit(request)
    current.require(Permission.AUDIT)
    where, values = _filter(current)
    before = request.query_params.get("before", "")
    async with current.loket.database.unit_of_work(write=False) as uow:
        events = await uow.audit.find(
            where, before_id=int(before) if before.isdigit() else None, limit=PAGE_SIZE + 1
        )
        staff = await uow.staff.all()
    more = len(events) > PAGE_SIZE
    events = events[:PAGE_SIZE]
    return render(
        current,
        "audit.html",
        {
            "events": events,
            "values": values,
            "next_before": events[-1].id if more and events else None,
            "staff_list": staff,
            "staff_names": {user.id: user.username for user in staff},
            "labels": labels,
        },
    )


@router.get("/audit.csv")
async def audit_export(request: Request) -> Response:
    current = await visit(request)
    staff = current.require(Permission.AUDIT)
    where, values = _filter(current)
    async with current.loket.database.unit_of_work() as uow:
        events = await uow.audit.find(where, limit=None)
        names = {user.id: user.username for user in await uow.staff.all()}
        await record_staff_action(
            uow,
            staff.id,
            "audit_exported",
            "audit_log",
            None,
            {"rows": len(events), **{k: v for k, v in values.items() if v and k != "subject"}},
        )
    response = Response(
        audit_csv(events, names),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="loket-audit.csv"'},
    )
    current.set_cookies(response)
    return response


@router.get("/accounts")
async def accounts(request: Request) -> Response:
    current = await visit(request)
    current.require(Permission.ACCOUNTS)
    async with current.loket.database.unit_of_work(write=False) as uow:
        staff = await uow.staff.all()
    return render(current, "accounts.html", {"accounts": staff, "labels": labels})
