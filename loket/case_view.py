"""Everything the detail page of one pre-aanmelding shows, read in one unit of work."""

from __future__ import annotations

from dataclasses import dataclass

from flows.products import PRODUCTS
from flows.referrals import referral_texts
from locales import render
from loket.access import Permission, Staff, region_scope
from loket.case_answers import CaseAnswers, Line, StaffWords
from storage.lifecycle import TRANSITIONS, Status
from storage.pre_aanmeldingen import DuplicateLink, PreAanmelding, StaffNote, StatusChange
from storage.staff import StaffUser
from storage.unit_of_work import UnitOfWork

__all__ = ["CaseView", "load_case"]


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
    # Every answer in words, in the staff language (loket.case_answers).
    answers: list[Line]
    profile: list[Line]
    household: list[Line]
    care: list[Line]
    submitter: list[Line]
    contact: list[Line]
    crisis_signs: list[Line]


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
    read = CaseAnswers(item, StaffWords(locale))
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
        answers=read.answers(),
        profile=read.profile(),
        household=read.household(),
        care=read.care(),
        submitter=read.submitter(),
        contact=read.contact(),
        crisis_signs=read.crisis_signs(),
    )
