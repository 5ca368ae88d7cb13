"""One pre-aanmelding: the detail page (every view is audited) and the actions on it:
assign, change status with a reason, add a note, ask the person for more information,
mark for crisis follow-up. Every action checks the CSRF token first and the region
scope second (404 outside it), and is audited."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from flows.products import PRODUCTS
from flows.service_texts import loket_contact
from flows.texts import N_
from loket import labels
from loket.access import Permission, Staff
from loket.audit_trail import PRE_AANMELDING, record_staff_action
from loket.case_view import load_case
from loket.i18n import dashboard_translations
from loket.person_messages import PersonMessage, question_message, status_message
from loket.web import (
    NotFound,
    Visit,
    case_reference,
    form_text,
    redirect,
    render,
    require_visible,
    visit,
)
from storage.lifecycle import TRANSITIONS, IllegalTransition, Status
from storage.reference_codes import normalise_reference_code
from storage.unit_of_work import UnitOfWork

__all__ = ["router"]

router = APIRouter()

DONE_MESSAGES = {
    "status": N_("De status is gewijzigd."),
    "assigned": N_("De toewijzing is gewijzigd."),
    "note": N_("De notitie is opgeslagen."),
    "info": N_("De vraag is klaargezet voor de persoon."),
    "info_no_chat": N_(
        "De status is gewijzigd. De persoon heeft geen chat: neem contact op zoals de "
        "contactvoorkeur aangeeft."
    ),
    "crisis": N_("De crisisopvolging is gewijzigd."),
    "handover": N_("De overdracht is vastgelegd. De bewaartermijn loopt vanaf nu."),
}


async def _page(
    current: Visit,
    uow: UnitOfWork,
    staff: Staff,
    code: str,
    *,
    error: tuple[str, dict[str, str]] | None = None,
    status: int = 200,
) -> Response:
    view = await load_case(uow, code, staff, current.locale)
    if view is None:
        raise NotFound()
    done = current.request.query_params.get("done", "")
    return render(
        current,
        "case.html",
        {
            "view": view,
            "item": view.item,
            "labels": labels,
            "done": DONE_MESSAGES.get(done),
            "error": error,
            "form": current.request.state.form_values
            if hasattr(current.request.state, "form_values")
            else {},
        },
        status=status,
    )


@router.get("/p/{reference}")
async def case(request: Request, reference: str) -> Response:
    current = await visit(request)
    staff = current.require(Permission.CASES)
    code = normalise_reference_code(reference)
    async with current.loket.database.unit_of_work() as uow:
        if code is not None and await uow.queue.visible(code, staff.scope):
            await record_staff_action(uow, staff.id, "pre_aanmelding_viewed", PRE_AANMELDING, code)
            return await _page(current, uow, staff, code)
        # Audited too: someone looked for a record they may not see (or mistyped a code).
        await record_staff_action(uow, staff.id, "pre_aanmelding_not_found", PRE_AANMELDING, code)
    raise NotFound()


def _label(current: Visit, status: str) -> str:
    return dashboard_translations(current.locale).gettext(labels.STATUSES.get(status, status))


@router.post("/p/{reference}/status")
async def change_status(request: Request, reference: str) -> Response:
    current = await visit(request)
    staff = current.require(Permission.CASES)
    form = await current.check_csrf()
    code = case_reference(reference)
    to_text = form_text(form, "status", limit=30)
    reason = form_text(form, "reason")
    product = form_text(form, "product", limit=30)
    referral = form_text(form, "referral", limit=200)
    request.state.form_values = {
        "status": to_text,
        "reason": reason,
        "product": product,
        "referral": referral,
    }
    async with current.loket.database.unit_of_work() as uow:
        await require_visible(uow, staff, code)
        item = await uow.pre_aanmeldingen.get(code)
        assert item is not None
        error = _status_problem(current, item.status, to_text, reason, product, referral)
        if error is None:
            to = Status(to_text)
            try:
                changed = await uow.pre_aanmeldingen.transition(
                    code,
                    to,
                    staff_user_id=staff.id,
                    reason=reason,
                    product=product if to is Status.GEACCEPTEERD else None,
                    referral=referral if to is Status.DOORVERWEZEN else None,
                )
            except IllegalTransition:
                error = (N_("Deze statuswijziging kan niet."), {})
        if error is not None:
            await record_staff_action(
                uow,
                staff.id,
                "status_change_refused",
                PRE_AANMELDING,
                code,
                {"from": item.status.value, "to": to_text[:30]},
            )
            return await _page(current, uow, staff, code, error=error, status=409)
        notified = await _send(uow, status_message(changed))
        await record_staff_action(
            uow,
            staff.id,
            "status_changed",
            PRE_AANMELDING,
            code,
            {"from": item.status.value, "to": to_text, "person_notified": notified},
        )
    return redirect(current, f"/p/{code}?done=status")


async def _send(uow: UnitOfWork, message: PersonMessage | None) -> bool:
    """Queue a message to the person in the outbox; False when they have no chat."""
    if message is None:
        return False
    await uow.outbox.enqueue(
        message.channel, message.recipient_hash, message.recipient, message.payload
    )
    return True


def _status_problem(
    current: Visit, now: Status, to_text: str, reason: str, product: str, referral: str
) -> tuple[str, dict[str, str]] | None:
    """What is wrong with a status change, as a message for staff; None when fine."""
    if to_text not in {s.value for s in Status}:
        return (N_("Kies een nieuwe status."), {})
    to = Status(to_text)
    if to not in TRANSITIONS[now]:
        return (
            N_("Van '%(current)s' kan de status niet naar '%(new)s'. Er is niets gewijzigd."),
            {"current": _label(current, now.value), "new": _label(current, to.value)},
        )
    if not reason:
        return (N_("Geef een reden voor de statuswijziging."), {})
    if to is Status.GEACCEPTEERD and product not in PRODUCTS:
        return (N_("Kies het product waarvoor de persoon is geaccepteerd."), {})
    if to is Status.DOORVERWEZEN and not referral:
        return (N_("Vul in waarnaar de persoon is doorverwezen."), {})
    return None


@router.post("/p/{reference}/assign")
async def assign(request: Request, reference: str) -> Response:
    current = await visit(request)
    staff = current.require(Permission.CASES)
    form = await current.check_csrf()
    code = case_reference(reference)
    choice = form_text(form, "assignee", limit=20)
    async with current.loket.database.unit_of_work() as uow:
        await require_visible(uow, staff, code)
        view = await load_case(uow, code, staff, current.locale)
        assert view is not None
        allowed = {user.id for user in view.assignable}
        assignee = int(choice) if choice.isdigit() else None
        if choice and assignee not in allowed:
            error: tuple[str, dict[str, str]] = (
                N_("Deze medewerker kan deze aanmelding niet behandelen."),
                {},
            )
            return await _page(current, uow, staff, code, error=error, status=409)
        await uow.pre_aanmeldingen.assign(code, assignee)
        await record_staff_action(
            uow, staff.id, "assigned", PRE_AANMELDING, code, {"staff_user_id": assignee}
        )
    return redirect(current, f"/p/{code}?done=assigned")


@router.post("/p/{reference}/note")
async def add_note(request: Request, reference: str) -> Response:
    current = await visit(request)
    staff = current.require(Permission.CASES)
    form = await current.check_csrf()
    code = case_reference(reference)
    text = form_text(form, "text")
    async with current.loket.database.unit_of_work() as uow:
        await require_visible(uow, staff, code)
        if not text:
            error: tuple[str, dict[str, str]] = (N_("Een notitie kan niet leeg zijn."), {})
            return await _page(current, uow, staff, code, error=error, status=400)
        note = await uow.pre_aanmeldingen.add_note(code, staff.id, text)
        await record_staff_action(
            uow, staff.id, "note_added", PRE_AANMELDING, code, {"note_id": note.id}
        )
    return redirect(current, f"/p/{code}?done=note")


@router.post("/p/{reference}/info")
async def ask_for_information(request: Request, reference: str) -> Response:
    current = await visit(request)
    staff = current.require(Permission.CASES)
    form = await current.check_csrf()
    code = case_reference(reference)
    question = form_text(form, "question", limit=1000)
    request.state.form_values = {"question": question}
    async with current.loket.database.unit_of_work() as uow:
        await require_visible(uow, staff, code)
        item = await uow.pre_aanmeldingen.get(code)
        assert item is not None
        error: tuple[str, dict[str, str]] | None = None
        if Status.INFO_GEVRAAGD not in TRANSITIONS[item.status]:
            error = (
                N_("Informatie vragen kan alleen bij status '%(status)s'. Er is niets gewijzigd."),
                {"status": _label(current, Status.IN_BEHANDELING.value)},
            )
        elif not question:
            error = (N_("Schrijf de vraag aan de persoon."), {})
        if error is not None:
            return await _page(current, uow, staff, code, error=error, status=409)
        await uow.pre_aanmeldingen.transition(
            code, Status.INFO_GEVRAAGD, staff_user_id=staff.id, reason=question
        )
        contact = loket_contact(current.loket.directory)
        queued = await _send(uow, question_message(item, question, contact))
        details: dict[str, Any] = {"queued": queued}
        await record_staff_action(uow, staff.id, "info_requested", PRE_AANMELDING, code, details)
    return redirect(current, f"/p/{code}?done={'info' if queued else 'info_no_chat'}")


@router.post("/p/{reference}/crisis")
async def crisis_follow_up(request: Request, reference: str) -> Response:
    current = await visit(request)
    staff = current.require(Permission.CASES)
    form = await current.check_csrf()
    code = case_reference(reference)
    needed = form_text(form, "needed", limit=5) == "1"
    async with current.loket.database.unit_of_work() as uow:
        await require_visible(uow, staff, code)
        await uow.pre_aanmeldingen.set_crisis_follow_up(code, needed)
        await record_staff_action(
            uow, staff.id, "crisis_follow_up_set", PRE_AANMELDING, code, {"needed": needed}
        )
    return redirect(current, f"/p/{code}?done=crisis")
