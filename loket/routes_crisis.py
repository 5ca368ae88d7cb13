"""The crisis queue (`/crisis`): conversations with signs of danger, also those never
submitted, for case staff within their regions; every view is audited. A
conversation with a way to reach the person and no submission can be marked
"opgevolgd" (audited); one without any contact is only counted per region and week."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from flows.texts import N_
from loket import labels
from loket.access import Permission
from loket.actions import StaffPost, staff_post
from loket.audit_trail import record_staff_action
from loket.crisis_view import load_crisis_page
from loket.web import NotFound, redirect, render, visit
from storage.crisis_signs import crisis_signs

__all__ = ["CRISIS_QUEUE", "CRISIS_SIGNS", "router"]

router = APIRouter()
CRISIS_QUEUE = "crisis_queue"  # audit subject: the page
CRISIS_SIGNS = "crisis_signs"  # audit subject: one conversation's row (its id)
Post = Annotated[StaffPost, Depends(staff_post(Permission.CASES))]
DONE = N_("Gemarkeerd als opgevolgd.")


@router.get("/crisis")
async def crisis_queue(request: Request) -> Response:
    current = await visit(request)
    staff = current.require(Permission.CASES)
    async with current.loket.database.unit_of_work() as uow:
        page = await load_crisis_page(uow, staff, current.locale)
        shown = [row.item.id for row in page.rows]
        await record_staff_action(
            uow, staff.id, "crisis_queue_viewed", CRISIS_QUEUE, None, {"rows": shown}
        )
    done = request.query_params.get("done") == "handled"
    return render(
        current,
        "crisis.html",
        {"page": page, "labels": labels, "done": DONE if done else None},
    )


@router.post("/crisis/{row_id}/handled")
async def mark_handled(action: Post, row_id: str) -> Response:
    if not row_id.isdigit() or len(row_id) > 12:
        raise NotFound()
    staff, number = action.staff, int(row_id)
    async with action.current.loket.database.unit_of_work() as uow:
        store = crisis_signs(uow)
        item = await store.get(number, staff.scope)
        if item is None or item.reference is not None or item.contact_kind == "none":
            raise NotFound()  # outside the regions, gone, or nothing to follow up here
        if await store.mark_handled(number, staff.id):
            await record_staff_action(uow, staff.id, "crisis_follow_up_done", CRISIS_SIGNS, number)
    return redirect(action.current, "/crisis?done=handled")
