"""Privacy requests in the dashboard (docs/privacy.md): access copies, erasure, the
erasure requests people made in the chat, and handing a case over.

| route | what | who |
|---|---|---|
| `GET /privacy` | open erasure requests, the erase and find forms | coordinator, beheerder |
| `POST /privacy/find` | reference codes by name and birth date | coordinator |
| `POST /privacy/erase` | erase the person of a reference (typed twice) | coordinator, beheerder |
| `GET /p/{ref}/privacy` | the access copy in the person's language (`?download=1`) | coordinator |
| `POST /p/{ref}/erasure-declined` | the loket keeps the data (clears the request) | both |
| `POST /p/{ref}/handover` | the case is in the loket's own case system | case staff |

Every action is a `StaffPost` or `CaseAction` (`loket.actions`: login and
permission, then the CSRF token) and is audited. An erasure's audit event holds
counts only (the reference is gone with the record). A lookup by name is a POST, so
names never land in URLs or logs; its audit event holds how many were found.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from flows.texts import N_
from intake.access_copy_text import copy_text, render_blocks
from intake.privacy import PrivacyService
from loket import labels
from loket.access import Permission
from loket.actions import CaseAction, StaffPost, case_action, staff_post
from loket.audit_trail import PRE_AANMELDING, record_staff_action
from loket.web import NotFound, Visit, case_reference, redirect, render, visit
from storage.access_copy import find_by_identity
from storage.lifecycle import IllegalTransition
from storage.queue import QueueFilter, QueueSort
from storage.reference_codes import normalise_reference_code

__all__ = ["router"]

router = APIRouter()
REQUESTS_SHOWN = 200

DONE = {
    "erased": N_("De persoon is gewist. In het auditlog staat alleen hoeveel er is gewist."),
    "declined": N_("Het verzoek om wissen is afgewezen. Laat de persoon weten waarom."),
    "handover": N_("De overdracht is vastgelegd. De bewaartermijn loopt vanaf nu."),
}
NOT_ERASED = N_(
    "Er is niets gewist: de twee aanmeldcodes zijn niet gelijk, of de code bestaat niet."
)
ERASE_FIELDS = ("erase-reference", "erase-confirm")
FIND_PROBLEM = N_("Vul een naam en een geboortedatum in (jjjj-mm-dd).")


def _service(current: Visit) -> PrivacyService:
    """The process's one privacy service (handed in by the composition root)."""
    privacy = current.loket.privacy
    assert privacy is not None, "create_loket_app always sets it"
    return privacy


async def _page(
    current: Visit,
    *,
    found: list[str] | None = None,
    error: str | None = None,
    error_fields: tuple[str, ...] = (),
    status: int = 200,
) -> Response:
    staff = current.require(Permission.PRIVACY)
    async with current.loket.database.unit_of_work(write=False) as uow:
        page = await uow.queue.page(
            QueueFilter(erasure_requested=True), sort=QueueSort.OLDEST, size=REQUESTS_SHOWN
        )
    return render(
        current,
        "privacy.html",
        {
            "requests": page.items,
            "more": page.next_cursor is not None,
            "may_find": staff.may(Permission.ACCESS_COPY),
            "found": found,
            "error": error,
            "error_fields": error_fields,
            "done": DONE.get(current.request.query_params.get("done", "")),
            "labels": labels,
        },
        status=status,
    )


@router.get("/privacy")
async def privacy(request: Request) -> Response:
    return await _page(await visit(request))


@router.post("/privacy/find")
async def find(post: Annotated[StaffPost, Depends(staff_post(Permission.ACCESS_COPY))]) -> Response:
    name = post.text("name", limit=200)
    try:
        birth_date = date.fromisoformat(post.text("birth_date", limit=10))
    except ValueError:
        birth_date = None
    if not name or birth_date is None:
        fields: tuple[str, ...] = ("find-name",) if not name else ()
        fields += ("find-birth",) if birth_date is None else ()
        return await _page(post.current, error=FIND_PROBLEM, error_fields=fields, status=400)
    async with post.current.loket.database.unit_of_work() as uow:
        found = await find_by_identity(uow, name, birth_date)
        await record_staff_action(
            uow, post.staff.id, "privacy_lookup", "person", None, {"found": len(found)}
        )
    return await _page(post.current, found=found)


@router.post("/privacy/erase")
async def erase(post: Annotated[StaffPost, Depends(staff_post(Permission.PRIVACY))]) -> Response:
    current = post.current
    code = normalise_reference_code(post.text("reference", limit=20))
    again = normalise_reference_code(post.text("confirm", limit=20))
    if code is None or code != again:
        return await _page(current, error=NOT_ERASED, error_fields=ERASE_FIELDS, status=409)
    async with current.loket.database.unit_of_work() as uow:
        outcome = await _service(current).erase_for_reference(
            uow, code, staff_user_id=post.staff.id
        )
        if not outcome.found:
            uow.rollback_only()
    if not outcome.found:
        return await _page(current, error=NOT_ERASED, error_fields=ERASE_FIELDS, status=404)
    return redirect(current, "/privacy?done=erased")


@router.get("/p/{reference}/privacy")
async def access_copy(request: Request, reference: str) -> Response:
    current = await visit(request)
    staff = current.require(Permission.ACCESS_COPY)
    code = case_reference(reference)
    async with current.loket.database.unit_of_work() as uow:
        copy = await _service(current).copy_for_reference(uow, code)
        if copy is None:
            raise NotFound()
        download = request.query_params.get("download") == "1"
        await record_staff_action(
            uow, staff.id, "access_copy_made", PRE_AANMELDING, code, {"download": download}
        )
    if download:
        response = Response(
            copy_text(copy.blocks, copy.locale),
            media_type="text/plain; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="inzage-{code}.txt"'},
        )
        current.set_cookies(response)
        return response
    return render(
        current,
        "access_copy.html",
        {"reference": code, "blocks": render_blocks(copy.blocks, copy.locale), "lang": copy.locale},
    )


@router.post("/p/{reference}/erasure-declined")
async def decline_erasure(
    action: Annotated[CaseAction, Depends(case_action(Permission.PRIVACY, regions=False))],
) -> Response:
    async with action.unit_of_work() as uow:
        await uow.pre_aanmeldingen.withdraw_erasure_request(action.code)
        await action.audit(uow, "erasure_request_declined")
    return redirect(action.current, "/privacy?done=declined")


@router.post("/p/{reference}/handover")
async def hand_over(
    action: Annotated[CaseAction, Depends(case_action(Permission.CASES))],
) -> Response:
    async with action.unit_of_work() as uow:
        try:
            await uow.pre_aanmeldingen.hand_over(action.code)
        except IllegalTransition:
            return redirect(action.current, f"/p/{action.code}")
        await action.audit(uow, "handed_over")
    return action.done("handover")
