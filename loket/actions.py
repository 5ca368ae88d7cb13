"""The preamble of the dashboard's form posts, once, as FastAPI dependencies.

- `staff_post(permission)`: a `StaffPost`: the staff member, logged in and holding the
  permission (else to the login page, or 403), and the form, its CSRF token checked
  (else 403), in that order.
- `case_action(permission)`: a `CaseAction` on one pre-aanmelding: the same, then the
  reference code of the URL (404 when it cannot be one). Its `unit_of_work()` opens a
  unit of work in which the case is within the staff member's regions (404 outside
  them, exactly as for a case that does not exist, so a code reveals nothing).

A handler then does only its own work:

    @router.post("/p/{reference}/note")
    async def add_note(action: Annotated[CaseAction, Depends(case_action(CASES))]):
        async with action.unit_of_work() as uow:
            ...  # its own work
            await action.audit(uow, "note_added", {"note_id": note.id})
        return action.done("note")
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from loket.access import Permission, Staff
from loket.audit_trail import PRE_AANMELDING, record_staff_action
from loket.web import NotFound, Visit, case_reference, csrf_form, form_text, redirect, visit
from storage.unit_of_work import UnitOfWork

__all__ = ["CaseAction", "StaffPost", "case_action", "staff_post"]


@dataclass(frozen=True)
class StaffPost:
    """A form post of a staff member who may make it."""

    current: Visit
    staff: Staff
    form: FormData

    def text(self, name: str, *, limit: int = 4000) -> str:
        """A field of the form, stripped and cut to `limit` ("" when missing)."""
        return form_text(self.form, name, limit=limit)


@dataclass(frozen=True)
class CaseAction(StaffPost):
    """A form post on the pre-aanmelding `code`."""

    code: str
    scope: frozenset[str] | None  # the regions whose cases count (None: every region)

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[UnitOfWork]:
        """A unit of work in which the case is there and in scope (`NotFound` else)."""
        async with self.current.loket.database.unit_of_work() as uow:
            if not await uow.queue.visible(self.code, self.scope):
                raise NotFound()
            yield uow

    async def audit(
        self, uow: UnitOfWork, event: str, details: Mapping[str, Any] | None = None
    ) -> None:
        """Record in the audit log what the staff member did to this case."""
        await record_staff_action(uow, self.staff.id, event, PRE_AANMELDING, self.code, details)

    def done(self, what: str) -> RedirectResponse:
        """Back to the case page, which says what was done (`?done=`)."""
        return redirect(self.current, f"/p/{self.code}?done={what}")


def staff_post(permission: Permission) -> Callable[[Visit], Awaitable[StaffPost]]:
    async def dependency(current: Annotated[Visit, Depends(visit)]) -> StaffPost:
        staff = current.require(permission)
        return StaffPost(current, staff, await csrf_form(current))

    return dependency


def case_action(
    permission: Permission, *, regions: bool = True
) -> Callable[[Visit, str], Awaitable[CaseAction]]:
    """`regions` False for a permission that is not bound to regions (privacy: a
    beheerder sees no case, yet declines an erasure request): the case need only
    exist."""

    async def dependency(current: Annotated[Visit, Depends(visit)], reference: str) -> CaseAction:
        staff = current.require(permission)
        form = await csrf_form(current)
        code = case_reference(reference)
        return CaseAction(current, staff, form, code, staff.scope if regions else None)

    return dependency
