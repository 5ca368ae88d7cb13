"""One pre-aanmelding: the detail page (every view is audited) and the actions on it:
assign, change status with a reason, add a note, ask the person for more information,
mark for crisis follow-up. Every action is a `CaseAction` (`loket.actions`: login and
permission, the CSRF token, then the region scope, 404 outside it) and is audited."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from flows.products import PRODUCTS
from flows.texts import N_
from intake.way_back import NoWayToReach
from loket import labels
from loket.access import Permission, Staff
from loket.actions import CaseAction, case_action
from loket.audit_trail import PRE_AANMELDING, record_staff_action
from loket.case_view import load_case
from loket.i18n import dashboard_translations
from loket.way_back_view import WayBackView, nobody_reached
from loket.web import NotFound, Visit, render, visit
from storage.case_messages import case_messages
from storage.lifecycle import TRANSITIONS, IllegalTransition, Status
from storage.reference_codes import normalise_reference_code
from storage.unit_of_work import UnitOfWork

__all__ = ["router"]

router = APIRouter()
# The actions on a case: case staff, within their regions.
OnCase = Annotated[CaseAction, Depends(case_action(Permission.CASES))]

DONE_MESSAGES = {
    "status": N_("De status is gewijzigd."),
    "assigned": N_("De toewijzing is gewijzigd."),
    "note": N_("De notitie is opgeslagen."),
    "info": N_("De vraag is verstuurd. Het antwoord komt bij de berichten van deze aanmelding."),
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
    error_fields: tuple[str, ...] = (),
    status: int = 200,
) -> Response:
    view = await load_case(uow, code, staff, current.locale)
    if view is None:
        raise NotFound()
    done = current.request.query_params.get("done", "")
    way_back = WayBackView(
        current.loket.way_back.reach(view.item),
        tuple(await case_messages(uow).thread(view.item.id)),
        nobody_reached(view.item),
    )
    return render(
        current,
        "case.html",
        {
            "view": view,
            "way_back": way_back,
            "item": view.item,
            "labels": labels,
            "done": DONE_MESSAGES.get(done),
            "error": error,
            "error_fields": error_fields,
            "form": current.request.state.form_values
            if hasattr(current.request.state, "form_values")
            else {},
        },
        status=status,
    )


async def _refused(
    action: CaseAction,
    uow: UnitOfWork,
    error: tuple[str, dict[str, str]],
    status: int,
    field: str | None = None,
) -> Response:
    """The case page again, saying why the action changed nothing; `field`: the id of
    the form field the message is about (marked invalid and described by it)."""
    fields = (field,) if field else ()
    return await _page(
        action.current,
        uow,
        action.staff,
        action.code,
        error=error,
        error_fields=fields,
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
            page = await _page(current, uow, staff, code)
            await _answers_seen(uow, code)
            return page
        # Audited too: someone looked for a record they may not see (or mistyped a code).
        await record_staff_action(uow, staff.id, "pre_aanmelding_not_found", PRE_AANMELDING, code)
    raise NotFound()


async def _answers_seen(uow: UnitOfWork, code: str) -> None:
    """A staff member opened the case: the person's messages are read (the page
    showed them as new this once)."""
    item = await uow.pre_aanmeldingen.get(code)
    if item is not None and item.answer_unread:
        await case_messages(uow).mark_read(item.id, "person")
        await uow.pre_aanmeldingen.set_answer_unread(code, False)


def _label(current: Visit, status: str) -> str:
    return dashboard_translations(current.locale).gettext(labels.STATUSES.get(status, status))


@router.post("/p/{reference}/status")
async def change_status(action: OnCase) -> Response:
    staff, code = action.staff, action.code
    to_text = action.text("status", limit=30)
    reason = action.text("reason")
    product = action.text("product", limit=30)
    referral = action.text("referral", limit=200)
    action.current.request.state.form_values = {
        "status": to_text,
        "reason": reason,
        "product": product,
        "referral": referral,
    }
    async with action.unit_of_work() as uow:
        item = await uow.pre_aanmeldingen.get(code)
        assert item is not None
        error = _status_problem(action.current, item.status, to_text, reason, product, referral)
        field = _PROBLEM_FIELDS.get(error[0]) if error is not None else None
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
                error, field = (N_("Deze statuswijziging kan niet."), {}), "new-status"
        if error is not None:
            refused = {"from": item.status.value, "to": to_text[:30]}
            await action.audit(uow, "status_change_refused", refused)
            return await _refused(action, uow, error, 409, field)
        routes = await action.current.loket.way_back.tell_status(uow, changed, staff.id)
        changed_details = {
            "from": item.status.value,
            "to": to_text,
            "person_notified": bool(routes),
            "routes": sorted(f"{r.kind}:{r.to}" for r in routes),
        }
        await action.audit(uow, "status_changed", changed_details)
    return action.done("status")


# The form field a status problem is about (its id on the case page).
_PROBLEM_FIELDS = {
    N_("Kies een nieuwe status."): "new-status",
    N_("Van '%(current)s' kan de status niet naar '%(new)s'. Er is niets gewijzigd."): (
        "new-status"
    ),
    N_(
        "Informatie vragen gaat met het formulier 'Meer informatie vragen'. Dan "
        "krijgt de persoon de vraag ook. Er is niets gewijzigd."
    ): "new-status",
    N_("Geef een reden voor de statuswijziging."): "reason",
    N_("Kies het product waarvoor de persoon is geaccepteerd."): "product",
    N_("Vul in waarnaar de persoon is doorverwezen."): "referral",
}


def _status_problem(
    current: Visit, now: Status, to_text: str, reason: str, product: str, referral: str
) -> tuple[str, dict[str, str]] | None:
    """What is wrong with a status change, as a message for staff; None when fine."""
    if to_text not in {s.value for s in Status}:
        return (N_("Kies een nieuwe status."), {})
    to = Status(to_text)
    if to is Status.INFO_GEVRAAGD:  # only with a question that reaches someone
        return (
            N_(
                "Informatie vragen gaat met het formulier 'Meer informatie vragen'. Dan "
                "krijgt de persoon de vraag ook. Er is niets gewijzigd."
            ),
            {},
        )
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
async def assign(action: OnCase) -> Response:
    choice = action.text("assignee", limit=20)
    async with action.unit_of_work() as uow:
        view = await load_case(uow, action.code, action.staff, action.current.locale)
        assert view is not None
        allowed = {user.id for user in view.assignable}
        assignee = int(choice) if choice.isdigit() else None
        if choice and assignee not in allowed:
            error = N_("Deze medewerker kan deze aanmelding niet behandelen.")
            return await _refused(action, uow, (error, {}), 409, "assignee")
        await uow.pre_aanmeldingen.assign(action.code, assignee)
        await action.audit(uow, "assigned", {"staff_user_id": assignee})
    return action.done("assigned")


@router.post("/p/{reference}/note")
async def add_note(action: OnCase) -> Response:
    text = action.text("text")
    action.current.request.state.form_values = {"text": text}
    async with action.unit_of_work() as uow:
        if not text:
            empty = N_("Een notitie kan niet leeg zijn.")
            return await _refused(action, uow, (empty, {}), 400, "note")
        note = await uow.pre_aanmeldingen.add_note(action.code, action.staff.id, text)
        await action.audit(uow, "note_added", {"note_id": note.id})
    return action.done("note")


@router.post("/p/{reference}/info")
async def ask_for_information(action: OnCase) -> Response:
    staff, code = action.staff, action.code
    question = action.text("question", limit=1000)
    action.current.request.state.form_values = {"question": question}
    async with action.unit_of_work() as uow:
        item = await uow.pre_aanmeldingen.get(code)
        assert item is not None
        error: tuple[str, dict[str, str]] | None = None
        field = None
        if Status.INFO_GEVRAAGD not in TRANSITIONS[item.status]:
            error = (
                N_("Informatie vragen kan alleen bij status '%(status)s'. Er is niets gewijzigd."),
                {"status": _label(action.current, Status.IN_BEHANDELING.value)},
            )
        elif not question:
            error, field = (N_("Schrijf de vraag aan de persoon."), {}), "question"
        if error is not None:
            return await _refused(action, uow, error, 409, field)
        try:
            routes = await action.current.loket.way_back.ask(uow, item, question, staff.id)
        except NoWayToReach:
            nobody = N_(
                "Deze vraag kan niemand bereiken: er is geen chat of e-mailadres, of de "
                "persoon wil geen contact. Er is niets gewijzigd. Neem contact op zoals "
                "de contactgegevens aangeven."
            )
            return await _refused(action, uow, (nobody, {}), 409)
        routes_used = sorted(f"{r.kind}:{r.to}" for r in routes)
        await action.audit(uow, "info_requested", {"routes": routes_used})
    return action.done("info")


@router.post("/p/{reference}/crisis")
async def crisis_follow_up(action: OnCase) -> Response:
    needed = action.text("needed", limit=5) == "1"
    async with action.unit_of_work() as uow:
        await uow.pre_aanmeldingen.set_crisis_follow_up(action.code, needed)
        await action.audit(uow, "crisis_follow_up_set", {"needed": needed})
    return action.done("crisis")
