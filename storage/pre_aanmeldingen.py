"""Pre-aanmeldingen: what a person (or a professional for them) submitted, what the bot
advised, with which consent, and what the loket did with it.

Status changes go through `transition`, which checks the lifecycle
(`storage.lifecycle`), refuses an illegal change before writing anything, and records
every change in the status history. On submission, likely earlier pre-aanmeldingen of
the same person are linked (`storage.duplicates`); they are never merged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from flows.routing import Recommendation
from flows.screening_profile import ScreeningProfile, parse_profile
from flows.texts import Text
from storage.duplicates import DUPLICATE_WINDOW, names_similar
from storage.engine import Clock
from storage.lifecycle import IllegalTransition, Status, check_transition
from storage.reasons import texts_from_json, texts_to_json
from storage.reference_codes import new_reference_code, normalise_reference_code
from storage.tables import (
    CONSENT_GIVERS,
    CONTACT_PREFERENCES,
    SUBMITTER_KINDS,
    DuplicateLinkRow,
    PreAanmeldingRow,
    StaffNoteRow,
    StatusChangeRow,
)

__all__ = [
    "Consent",
    "DuplicateLink",
    "NewPreAanmelding",
    "PreAanmelding",
    "PreAanmeldingFilter",
    "PreAanmeldingStore",
    "SqlPreAanmeldingStore",
    "StaffNote",
    "StatusChange",
    "Submitter",
    "UnknownPreAanmelding",
]

_CODE_ATTEMPTS = 8


@dataclass(frozen=True)
class Submitter:
    """Who submitted: `self`, a `professional` or a `veldwerker` (with organisation)."""

    kind: str
    name: str | None = None
    organisation: str | None = None
    convenant_partner: bool | None = None  # None: not known (never "no")
    contact: str | None = None  # a phone number (or an e-mail when that is all)
    email: str | None = None


@dataclass(frozen=True)
class Consent:
    """The consent record: which text version was agreed to, when, and by whom
    (`client`, or `submitter_for_client` when a professional records the client's)."""

    text_version: str
    at: datetime
    given_by: str


@dataclass(frozen=True)
class NewPreAanmelding:
    channel: str
    language: str
    submitter: Submitter
    consent: Consent
    profile: ScreeningProfile
    recommendation: Recommendation
    contact_preference: str
    channel_user_hash: str | None = None
    client_name: str | None = None
    client_birth_date: date | None = None
    contact_address: str | None = None
    answers: Mapping[str, Any] = field(default_factory=dict)
    crisis_follow_up: bool = False
    # A code already shown to the person (the conversation made it); None: make one.
    reference: str | None = None


@dataclass(frozen=True)
class PreAanmelding:
    id: int
    reference: str
    created_at: datetime
    updated_at: datetime
    channel: str
    channel_user_hash: str | None
    language: str
    submitter: Submitter
    client_name: str | None
    client_birth_date: date | None
    contact_preference: str
    contact_address: str | None
    profile: ScreeningProfile
    answers: Mapping[str, Any]
    recommended_product: str | None
    eligible_products: tuple[str, ...]
    region: str | None
    municipality: str | None
    reasons: tuple[Text, ...]
    referrals: tuple[str, ...]
    rules_version: str
    consent: Consent
    status: Status
    assigned_staff_id: int | None
    crisis_follow_up: bool
    decided_product: str | None
    decided_referral: str | None
    decision_reason: str | None
    # Data protection: the person asked for erasure (staff handle it); handed over to
    # the loket's own case system (retention runs from then). See docs/privacy.md.
    erasure_requested_at: datetime | None = None
    handed_over_at: datetime | None = None
    # The way back (storage.case_messages): the person said "no more contact"; an
    # answer of the person waits for staff.
    contact_stopped_at: datetime | None = None
    answer_unread: bool = False


@dataclass(frozen=True)
class StatusChange:
    at: datetime
    staff_user_id: int | None
    from_status: Status | None
    to_status: Status
    reason: str | None


@dataclass(frozen=True)
class StaffNote:
    id: int
    at: datetime
    staff_user_id: int | None  # None: the person's answer to a question of the loket
    text: str


@dataclass(frozen=True)
class DuplicateLink:
    """A likely earlier pre-aanmelding of the same person, and why it was linked."""

    reference: str
    created_at: datetime
    reason: str


@dataclass(frozen=True)
class PreAanmeldingFilter:
    """Which pre-aanmeldingen to list; every part optional. `since` is inclusive."""

    since: datetime | None = None
    until: datetime | None = None
    region: str | None = None
    status: Status | None = None
    assigned_staff_id: int | None = None
    channel_user_hash: str | None = None  # a person's own pre-aanmeldingen (/status)


class UnknownPreAanmelding(LookupError):
    pass


class PreAanmeldingStore(Protocol):
    async def create(
        self, new: NewPreAanmelding, *, staff_user_id: int | None = None
    ) -> PreAanmelding: ...

    async def get(self, reference: str) -> PreAanmelding | None: ...

    async def find(
        self, where: PreAanmeldingFilter = ..., *, limit: int | None = None, offset: int = 0
    ) -> list[PreAanmelding]: ...

    async def transition(
        self,
        reference: str,
        to: Status,
        *,
        staff_user_id: int | None,
        reason: str | None = None,
        product: str | None = None,
        referral: str | None = None,
    ) -> PreAanmelding: ...

    async def assign(self, reference: str, staff_user_id: int | None) -> PreAanmelding: ...

    async def set_crisis_follow_up(self, reference: str, needed: bool) -> PreAanmelding: ...

    async def set_chat_address(self, reference: str, address: str) -> PreAanmelding: ...

    async def history(self, reference: str) -> list[StatusChange]: ...

    async def add_note(self, reference: str, staff_user_id: int | None, text: str) -> StaffNote: ...

    async def link_inbox_session(self, reference: str, session_hash: str) -> None: ...

    async def set_inbox_key(self, reference: str, key: str) -> None: ...

    async def for_inbox_key(self, key: str) -> PreAanmelding | None: ...

    async def for_inbox_session(self, session_hash: str) -> PreAanmelding | None: ...

    async def unlink_inbox_session(self, session_hash: str) -> None: ...

    async def stop_contact(self, reference: str) -> PreAanmelding: ...

    async def set_answer_unread(self, reference: str, unread: bool) -> None: ...

    async def notes(self, reference: str) -> list[StaffNote]: ...

    async def duplicates(self, reference: str) -> list[DuplicateLink]: ...

    async def request_erasure(self, reference: str) -> PreAanmelding: ...

    async def withdraw_erasure_request(self, reference: str) -> PreAanmelding: ...

    async def hand_over(self, reference: str) -> PreAanmelding: ...


def _pre_aanmelding(row: PreAanmeldingRow) -> PreAanmelding:
    assert row.id is not None
    return PreAanmelding(
        id=row.id,
        reference=row.reference,
        created_at=row.created_at,
        updated_at=row.updated_at,
        channel=row.channel,
        channel_user_hash=row.channel_user_hash,
        language=row.language,
        submitter=Submitter(
            kind=row.submitter_kind,
            name=row.submitter_name,
            organisation=row.submitter_organisation,
            convenant_partner=row.submitter_convenant_partner,
            contact=row.submitter_contact,
            email=row.submitter_email,
        ),
        client_name=row.client_name,
        client_birth_date=row.client_birth_date,
        contact_preference=row.contact_preference,
        contact_address=row.contact_address,
        profile=parse_profile(row.profile),
        answers=row.answers,
        recommended_product=row.recommended_product,
        eligible_products=tuple(row.eligible_products),
        region=row.region,
        municipality=row.municipality,
        reasons=texts_from_json(row.reasons),
        referrals=tuple(row.referrals),
        rules_version=row.rules_version,
        consent=Consent(row.consent_text_version, row.consent_at, row.consent_given_by),
        status=Status(row.status),
        assigned_staff_id=row.assigned_staff_id,
        crisis_follow_up=row.crisis_follow_up,
        decided_product=row.decided_product,
        decided_referral=row.decided_referral,
        decision_reason=row.decision_reason,
        erasure_requested_at=row.erasure_requested_at,
        handed_over_at=row.handed_over_at,
        contact_stopped_at=row.contact_stopped_at,
        answer_unread=row.answer_unread,
    )


def _check_new(new: NewPreAanmelding) -> None:
    for name, value, allowed in (
        ("submitter kind", new.submitter.kind, SUBMITTER_KINDS),
        ("contact preference", new.contact_preference, CONTACT_PREFERENCES),
        ("consent given by", new.consent.given_by, CONSENT_GIVERS),
    ):
        if value not in allowed:
            raise ValueError(f"unknown {name} {value!r}; expected one of {', '.join(allowed)}")
    if new.submitter.kind != "self" and not new.submitter.organisation:
        raise ValueError(f"a {new.submitter.kind} submitter needs an organisation")


class SqlPreAanmeldingStore:
    def __init__(
        self,
        session: AsyncSession,
        clock: Clock,
        new_code: Callable[[], str] = new_reference_code,
    ) -> None:
        self._session, self._clock, self._new_code = session, clock, new_code

    async def create(
        self, new: NewPreAanmelding, *, staff_user_id: int | None = None
    ) -> PreAanmelding:
        """Store a submission as `nieuw` with a fresh reference code, record its first
        history line and link likely earlier pre-aanmeldingen of the same person."""
        _check_new(new)
        now = self._clock()
        advice = new.recommendation
        row = PreAanmeldingRow(
            reference="",
            created_at=now,
            updated_at=now,
            channel=new.channel,
            channel_user_hash=new.channel_user_hash,
            language=new.language,
            submitter_kind=new.submitter.kind,
            submitter_name=new.submitter.name,
            submitter_organisation=new.submitter.organisation,
            submitter_convenant_partner=new.submitter.convenant_partner,
            submitter_contact=new.submitter.contact,
            submitter_email=new.submitter.email,
            client_name=new.client_name,
            client_birth_date=new.client_birth_date,
            contact_preference=new.contact_preference,
            contact_address=new.contact_address,
            profile=new.profile.to_json(),
            answers=dict(new.answers),
            recommended_product=advice.product,
            eligible_products=list(advice.eligible),
            region=advice.region,
            municipality=advice.municipality,
            reasons=texts_to_json(advice.reasons),
            referrals=list(advice.referrals),
            rules_version=advice.rules_version,
            consent_text_version=new.consent.text_version,
            consent_at=new.consent.at,
            consent_given_by=new.consent.given_by,
            status=Status.NIEUW.value,
            crisis_follow_up=new.crisis_follow_up,
        )
        if new.reference is not None:
            code = normalise_reference_code(new.reference)
            if code is None:
                raise ValueError(f"not a reference code: {new.reference!r}")
            row.reference = code
            self._session.add(row)
            await self._session.flush()
        else:
            await self._insert_with_fresh_code(row)
        assert row.id is not None
        self._session.add(
            StatusChangeRow(
                pre_aanmelding_id=row.id,
                at=now,
                staff_user_id=staff_user_id,
                from_status=None,
                to_status=Status.NIEUW.value,
            )
        )
        await self._link_duplicates(row)
        await self._session.flush()
        return _pre_aanmelding(row)

    async def _insert_with_fresh_code(self, row: PreAanmeldingRow) -> None:
        for _ in range(_CODE_ATTEMPTS):
            row.reference = self._new_code()
            try:
                async with self._session.begin_nested():
                    self._session.add(row)
                    await self._session.flush()
                return
            except IntegrityError as error:
                # The savepoint rolled back and took the pending row with it; retry.
                if "reference" not in str(error.orig).lower():
                    raise
        raise RuntimeError(f"no free reference code after {_CODE_ATTEMPTS} attempts")

    async def _link_duplicates(self, row: PreAanmeldingRow) -> None:
        assert row.id is not None
        matches = []
        if row.channel_user_hash is not None:
            matches.append(col(PreAanmeldingRow.channel_user_hash) == row.channel_user_hash)
        if row.client_birth_date is not None and row.client_name:
            matches.append(col(PreAanmeldingRow.client_birth_date) == row.client_birth_date)
        if not matches:
            return
        candidates = await self._session.scalars(
            select(PreAanmeldingRow)
            .where(
                col(PreAanmeldingRow.id) != row.id,
                col(PreAanmeldingRow.created_at) >= row.created_at - DUPLICATE_WINDOW,
                or_(*matches),
            )
            .order_by(col(PreAanmeldingRow.id))
        )
        for earlier in candidates:
            assert earlier.id is not None
            if row.channel_user_hash is not None and (
                earlier.channel_user_hash == row.channel_user_hash
            ):
                reason = "same_channel_user"
            elif (
                earlier.client_birth_date == row.client_birth_date
                and row.client_name
                and earlier.client_name
                and names_similar(row.client_name, earlier.client_name)
            ):
                reason = "same_birth_date_similar_name"
            else:
                continue
            self._session.add(
                DuplicateLinkRow(pre_aanmelding_id=row.id, earlier_id=earlier.id, reason=reason)
            )

    async def _row(self, reference: str, *, for_update: bool = False) -> PreAanmeldingRow:
        code = normalise_reference_code(reference)
        row = None
        if code is not None:
            statement = select(PreAanmeldingRow).where(col(PreAanmeldingRow.reference) == code)
            if for_update:
                statement = statement.with_for_update()
            row = (await self._session.scalars(statement)).first()
        if row is None:
            raise UnknownPreAanmelding(f"no pre-aanmelding with reference {reference!r}")
        return row

    async def get(self, reference: str) -> PreAanmelding | None:
        """By reference code, as typed by a person (case and spacing do not matter)."""
        try:
            return _pre_aanmelding(await self._row(reference))
        except UnknownPreAanmelding:
            return None

    async def find(
        self,
        where: PreAanmeldingFilter = PreAanmeldingFilter(),
        *,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[PreAanmelding]:
        """Oldest first (the queue order)."""
        statement = select(PreAanmeldingRow)
        if where.since is not None:
            statement = statement.where(col(PreAanmeldingRow.created_at) >= where.since)
        if where.until is not None:
            statement = statement.where(col(PreAanmeldingRow.created_at) < where.until)
        if where.region is not None:
            statement = statement.where(col(PreAanmeldingRow.region) == where.region)
        if where.status is not None:
            statement = statement.where(col(PreAanmeldingRow.status) == where.status.value)
        if where.assigned_staff_id is not None:
            statement = statement.where(
                col(PreAanmeldingRow.assigned_staff_id) == where.assigned_staff_id
            )
        if where.channel_user_hash is not None:
            statement = statement.where(
                col(PreAanmeldingRow.channel_user_hash) == where.channel_user_hash
            )
        statement = statement.order_by(
            col(PreAanmeldingRow.created_at), col(PreAanmeldingRow.id)
        ).offset(offset)
        if limit is not None:
            statement = statement.limit(limit)
        return [_pre_aanmelding(row) for row in await self._session.scalars(statement)]

    async def transition(
        self,
        reference: str,
        to: Status,
        *,
        staff_user_id: int | None,
        reason: str | None = None,
        product: str | None = None,
        referral: str | None = None,
    ) -> PreAanmelding:
        """Change the status; raise `IllegalTransition` (and change nothing) when the
        lifecycle does not allow it or a needed detail is missing."""
        row = await self._row(reference, for_update=True)
        current = Status(row.status)
        check_transition(current, to, product=product, referral=referral, reason=reason)
        assert row.id is not None
        now = self._clock()
        row.status = to.value
        row.updated_at = now
        if to is Status.GEACCEPTEERD:
            row.decided_product = product
        if to is Status.DOORVERWEZEN:
            row.decided_referral = referral
        if to in (Status.AFGEWEZEN, Status.DOORVERWEZEN, Status.INGETROKKEN) and reason:
            row.decision_reason = reason
        self._session.add(
            StatusChangeRow(
                pre_aanmelding_id=row.id,
                at=now,
                staff_user_id=staff_user_id,
                from_status=current.value,
                to_status=to.value,
                reason=reason,
            )
        )
        await self._session.flush()
        return _pre_aanmelding(row)

    async def assign(self, reference: str, staff_user_id: int | None) -> PreAanmelding:
        """Assign to a staff member (None: unassign)."""
        row = await self._row(reference, for_update=True)
        row.assigned_staff_id = staff_user_id
        row.updated_at = self._clock()
        await self._session.flush()
        return _pre_aanmelding(row)

    async def set_chat_address(self, reference: str, address: str) -> PreAanmelding:
        """Keep the chat address (encrypted) of a person who asked to be contacted in the
        chat, so staff messages can reach them; erased with the pre-aanmelding."""
        row = await self._row(reference, for_update=True)
        if row.contact_preference != "chat":
            raise ValueError("a chat address is kept only when the person chose the chat")
        row.contact_address = address
        row.updated_at = self._clock()
        await self._session.flush()
        return _pre_aanmelding(row)

    async def set_crisis_follow_up(self, reference: str, needed: bool) -> PreAanmelding:
        row = await self._row(reference, for_update=True)
        row.crisis_follow_up = needed
        row.updated_at = self._clock()
        await self._session.flush()
        return _pre_aanmelding(row)

    async def history(self, reference: str) -> list[StatusChange]:
        """The status changes, oldest first (the first is the submission)."""
        row = await self._row(reference)
        result = await self._session.scalars(
            select(StatusChangeRow)
            .where(col(StatusChangeRow.pre_aanmelding_id) == row.id)
            .order_by(col(StatusChangeRow.id))
        )
        return [
            StatusChange(
                at=change.at,
                staff_user_id=change.staff_user_id,
                from_status=None if change.from_status is None else Status(change.from_status),
                to_status=Status(change.to_status),
                reason=change.reason,
            )
            for change in result
        ]

    async def link_inbox_session(self, reference: str, session_hash: str) -> None:
        """Let this browser session (a keyed hash) read the case's messages without a
        code; one session at a time per case, the newest."""
        row = await self._row(reference, for_update=True)
        row.inbox_session_hash = session_hash
        await self._session.flush()

    async def set_inbox_key(self, reference: str, key: str) -> None:
        """The keyed hash of the code that opens the case's messages."""
        row = await self._row(reference, for_update=True)
        row.inbox_key = key
        await self._session.flush()

    async def for_inbox_key(self, key: str) -> PreAanmelding | None:
        row = (
            await self._session.scalars(
                select(PreAanmeldingRow).where(col(PreAanmeldingRow.inbox_key) == key)
            )
        ).first()
        return None if row is None else _pre_aanmelding(row)

    async def unlink_inbox_session(self, session_hash: str) -> None:
        """This browser session no longer reads any case's messages without a code."""
        await self._session.execute(
            update(PreAanmeldingRow)
            .where(col(PreAanmeldingRow.inbox_session_hash) == session_hash)
            .values(inbox_session_hash=None)
        )

    async def for_inbox_session(self, session_hash: str) -> PreAanmelding | None:
        """The newest case this browser session may read, if any."""
        row = (
            await self._session.scalars(
                select(PreAanmeldingRow)
                .where(col(PreAanmeldingRow.inbox_session_hash) == session_hash)
                .order_by(col(PreAanmeldingRow.id).desc())
                .limit(1)
            )
        ).first()
        return None if row is None else _pre_aanmelding(row)

    async def stop_contact(self, reference: str) -> PreAanmelding:
        """The person asked the loket not to contact them any more (kept: the first
        time); no message goes out after this."""
        row = await self._row(reference, for_update=True)
        if row.contact_stopped_at is None:
            row.contact_stopped_at = self._clock()
        row.updated_at = self._clock()
        await self._session.flush()
        return _pre_aanmelding(row)

    async def set_answer_unread(self, reference: str, unread: bool) -> None:
        row = await self._row(reference, for_update=True)
        row.answer_unread = unread
        await self._session.flush()

    async def add_note(self, reference: str, staff_user_id: int | None, text: str) -> StaffNote:
        """A note of a staff member, or (`staff_user_id` None) the person's answer."""
        if not text.strip():
            raise ValueError("a note needs text")
        row = await self._row(reference)
        assert row.id is not None
        note = StaffNoteRow(
            pre_aanmelding_id=row.id, staff_user_id=staff_user_id, at=self._clock(), text=text
        )
        self._session.add(note)
        await self._session.flush()
        assert note.id is not None
        return StaffNote(note.id, note.at, note.staff_user_id, note.text)

    async def notes(self, reference: str) -> list[StaffNote]:
        row = await self._row(reference)
        result = await self._session.scalars(
            select(StaffNoteRow)
            .where(col(StaffNoteRow.pre_aanmelding_id) == row.id)
            .order_by(col(StaffNoteRow.id))
        )
        return [StaffNote(n.id or 0, n.at, n.staff_user_id, n.text) for n in result]

    async def request_erasure(self, reference: str) -> PreAanmelding:
        """Mark that the person asked for erasure (kept: the first time it was asked)."""
        row = await self._row(reference, for_update=True)
        if row.erasure_requested_at is None:
            row.erasure_requested_at = self._clock()
        row.updated_at = self._clock()
        await self._session.flush()
        return _pre_aanmelding(row)

    async def withdraw_erasure_request(self, reference: str) -> PreAanmelding:
        """Staff declined (or the person withdrew) the erasure request."""
        row = await self._row(reference, for_update=True)
        row.erasure_requested_at = None
        row.updated_at = self._clock()
        await self._session.flush()
        return _pre_aanmelding(row)

    async def hand_over(self, reference: str) -> PreAanmelding:
        """Record that the loket took the case into its own case system (only an
        accepted pre-aanmelding); retention runs from this moment."""
        row = await self._row(reference, for_update=True)
        if row.status != Status.GEACCEPTEERD.value:
            raise IllegalTransition("only an accepted pre-aanmelding is handed over")
        if row.handed_over_at is None:
            row.handed_over_at = self._clock()
        row.updated_at = self._clock()
        await self._session.flush()
        return _pre_aanmelding(row)

    async def duplicates(self, reference: str) -> list[DuplicateLink]:
        """Likely earlier pre-aanmeldingen of the same person, and later ones that link
        to this one, oldest first."""
        row = await self._row(reference)
        links = list(
            await self._session.scalars(
                select(DuplicateLinkRow).where(
                    or_(
                        col(DuplicateLinkRow.pre_aanmelding_id) == row.id,
                        col(DuplicateLinkRow.earlier_id) == row.id,
                    )
                )
            )
        )
        out: list[DuplicateLink] = []
        for link in links:
            other_id = (
                link.earlier_id if link.pre_aanmelding_id == row.id else link.pre_aanmelding_id
            )
            other = await self._session.get(PreAanmeldingRow, other_id)
            assert other is not None
            out.append(DuplicateLink(other.reference, other.created_at, link.reason))
        return sorted(out, key=lambda link: (link.created_at, link.reference))
