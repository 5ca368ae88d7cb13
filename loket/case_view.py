"""Everything the detail page of one pre-aanmelding shows, read in one unit of work."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flows.products import PRODUCTS
from flows.referrals import referral_texts
from locales import render
from loket.access import Permission, Staff, region_scope
from storage.lifecycle import TRANSITIONS, Status
from storage.pre_aanmeldingen import DuplicateLink, PreAanmelding, StaffNote, StatusChange
from storage.staff import StaffUser
from storage.unit_of_work import UnitOfWork

__all__ = ["CaseView", "answer_lines", "load_case"]


@dataclass(frozen=True)
class CaseView:
    item: PreAanmelding
    reasons: list[str]
    referrals: list[str]
    history: list[StatusChange]
    notes: list[StaffNote]
    duplicates: list[DuplicateLink]
    staff_names: dict[int, str]
    assignable: list[StaffUser]
    next_statuses: list[str]
    products: tuple[str, ...]
    answers: list[tuple[str, str]]
    profile: list[tuple[str, str]]


def _value(value: Any) -> str:
    """An answer as plain text (templates escape it)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, list | tuple):
        return ", ".join(_value(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_value(v)}" for k, v in value.items())
    return str(value)


def answer_lines(values: dict[str, Any]) -> list[tuple[str, str]]:
    return [(str(key), _value(value)) for key, value in values.items()]


def _can_work_on(user: StaffUser, region: str | None) -> bool:
    if user.disabled:
        return False
    staff = Staff.of(user)
    if not staff.may(Permission.CASES):
        return False
    scope = region_scope(staff.role, staff.regions)
    return scope is None or (region is not None and region in scope)


async def load_case(uow: UnitOfWork, reference: str, staff: Staff, locale: str) -> CaseView | None:
    """The detail of a pre-aanmelding the staff member may see, or None (also when it
    exists outside their regions)."""
    if not await uow.queue.visible(reference, staff.scope):
        return None
    item = await uow.pre_aanmeldingen.get(reference)
    if item is None:
        return None
    store = uow.pre_aanmeldingen
    everyone = await uow.staff.all()
    duplicates = [
        link
        for link in await store.duplicates(item.reference)
        if await uow.queue.visible(link.reference, staff.scope)
    ]
    texts = referral_texts("about")  # staff read about the person
    return CaseView(
        item=item,
        reasons=[render(reason, locale) for reason in item.reasons],
        referrals=[render(texts[r].title, locale) if r in texts else r for r in item.referrals],
        history=await store.history(item.reference),
        notes=await store.notes(item.reference),
        duplicates=duplicates,
        staff_names={user.id: user.username for user in everyone},
        assignable=[user for user in everyone if _can_work_on(user, item.region)],
        # "Informatie gevraagd" only through the question form (it sends the question).
        next_statuses=sorted(
            s.value for s in TRANSITIONS[item.status] if s is not Status.INFO_GEVRAAGD
        ),
        products=PRODUCTS,
        answers=answer_lines(dict(item.answers)),
        profile=[(k, _value(v)) for k, v in item.profile.to_json().items() if v is not None],
    )
