"""Erasure: a person removed from every table (GDPR art. 17), used by the chat's
`/verwijder`, the web chat, the dashboard and retention (`storage.retention`).

A person is known by their chat: the channel and the keyed hash of their channel user
id (`Person`), plus, for the web chat, the chat's id. What goes:
- the conversation (draft answers), the web chat with its transcript and resume code,
  every outbox message to them, the group-notice marker of their chat, the crisis
  signs of their conversations (one without any contact is kept as an anonymous
  count per region and week, `storage.crisis_signs`);
- their own pre-aanmeldingen (submitted for themselves) with status history, notes and
  duplicate links (both ways), and outbox messages that name their reference codes
  (e.g. the staff chat's notification).
What stays, and why (docs/privacy.md):
- pre-aanmeldingen whose intake the loket has planned (`intake_gepland`, or an open
  status after it): marked `erasure_requested_at` for staff to handle, unless staff
  erase them (`force`);
- pre-aanmeldingen a professional or veldwerker submitted from this chat for someone
  else: they are about the client; they are only unlinked from the chat;
- audit events: append-only. Their subject ids that point to the erased records (the
  reference codes, the chat's hash prefix) are replaced by a pseudonym made with a
  random salt that is thrown away: events of one record stay together, and nothing
  links them to the person any more. The erasure itself is recorded with counts only.
- where a conversation in progress stopped: before it goes, it is added to the
  anonymous drop-off counts (`storage.drop_off`: one more conversation reached its
  questions and left at the open one; no answers, nothing about the person).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlmodel import col

from storage.crisis_signs import crisis_signs
from storage.drop_off import drop_off
from storage.handoffs import handoffs
from storage.lifecycle import FINAL_STATUSES, Status
from storage.remembered import remembered
from storage.tables import (
    REDACTED_PREFIX,
    AuditEventRow,
    CaseMessageRow,
    ConversationSessionRow,
    DuplicateLinkRow,
    OutboxMessageRow,
    PreAanmeldingRow,
    ProcessedUpdateRow,
    StaffNoteRow,
    StatusChangeRow,
    WebChatRow,
)
from storage.unit_of_work import UnitOfWork

__all__ = [
    "CONVERSATION_SUBJECT",
    "PRE_AANMELDING_SUBJECT",
    "ErasureOutcome",
    "Person",
    "delete_pre_aanmeldingen",
    "erase_person",
    "erase_pre_aanmelding",
    "intake_planned",
    "redact_audit_subjects",
]

PRE_AANMELDING_SUBJECT = "pre_aanmelding"
CONVERSATION_SUBJECT = "conversation"
GROUP_NOTICE = "telegram-group-notice"  # bot.telegram.intake: processed-updates namespace
_OPEN = tuple(s.value for s in Status if s not in FINAL_STATUSES)


@dataclass(frozen=True)
class Person:
    """A person as a chat knows them: channel, keyed hash of the channel user id, and
    for the web chat the chat's id (its row in `web_chats`)."""

    channel: str
    user_hash: str
    web_chat_id: str | None = None

    @property
    def audit_subject(self) -> str:
        """How the conversation's audit events (crisis signs) name this chat."""
        return self.user_hash[:16]


@dataclass(frozen=True)
class ErasureOutcome:
    """What an erasure did: rows removed per table (no contents), the references left
    for staff because an intake is planned, and whether anything was found at all."""

    erased: Mapping[str, int] = field(default_factory=dict)
    requested: tuple[str, ...] = ()
    unlinked: int = 0  # pre-aanmeldingen for someone else, no longer linked to the chat

    @property
    def found(self) -> bool:
        """Whether the person had anything stored: a conversation, a web chat or a
        pre-aanmelding (messages the bot queued to a chat alone do not count: they
        are erased too, but a chat that only asked what is stored has nothing)."""
        substantive = ("conversation_sessions", "web_chats", "pre_aanmeldingen")
        return (
            any(self.erased.get(name) for name in substantive)
            or bool(self.requested)
            or self.unlinked > 0
        )


def _add(counts: dict[str, int], more: Mapping[str, int]) -> None:
    for name, n in more.items():
        counts[name] = counts.get(name, 0) + n


async def _execute(uow: UnitOfWork, statement: Any) -> int:
    result = await uow.session.execute(statement.execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)


async def intake_planned(uow: UnitOfWork, rows: Iterable[PreAanmeldingRow]) -> set[int]:
    """The ids among `rows` whose intake the loket has planned and that are still open
    (`intake_gepland`, or back in an open status after it)."""
    open_rows = {row.id for row in rows if row.status in _OPEN and row.id is not None}
    if not open_rows:
        return set()
    planned = await uow.session.scalars(
        select(StatusChangeRow.pre_aanmelding_id).where(  # type: ignore[call-overload]
            col(StatusChangeRow.pre_aanmelding_id).in_(sorted(open_rows)),
            col(StatusChangeRow.to_status) == Status.INTAKE_GEPLAND.value,
        )
    )
    return {int(i) for i in planned}


async def redact_audit_subjects(uow: UnitOfWork, subject_type: str, ids: Iterable[str]) -> int:
    """Replace these subject ids in the audit log by pseudonyms nobody can link back
    (the salt is random and not kept); the one change the audit table allows."""
    salt = secrets.token_bytes(32)
    changed = 0
    for subject_id in sorted(set(ids)):
        digest = hashlib.sha256(salt + subject_id.encode()).hexdigest()[:16]
        changed += await _execute(
            uow,
            update(AuditEventRow)
            .where(
                col(AuditEventRow.subject_type) == subject_type,
                col(AuditEventRow.subject_id) == subject_id,
            )
            .values(subject_id=REDACTED_PREFIX + digest),
        )
    return changed


async def _outbox_naming(uow: UnitOfWork, references: set[str]) -> list[int]:
    """Outbox messages whose payload names one of these reference codes (decrypted
    here; the outbox is small: delivered messages go after a few days)."""
    if not references:
        return []
    found = []
    rows = await uow.session.execute(select(OutboxMessageRow.id, OutboxMessageRow.payload))  # type: ignore[call-overload]
    for message_id, payload in rows.all():
        text = str(payload)
        if any(reference in text for reference in references):
            found.append(int(message_id))
    return found


async def delete_pre_aanmeldingen(uow: UnitOfWork, rows: list[PreAanmeldingRow]) -> dict[str, int]:
    """Remove these pre-aanmeldingen with their history, notes, duplicate links and
    outbox messages naming them; redact their reference codes in the audit log."""
    ids = sorted(row.id for row in rows if row.id is not None)
    references = {row.reference for row in rows}
    if not ids:
        return {}
    counts = {
        "duplicate_links": await _execute(
            uow,
            delete(DuplicateLinkRow).where(
                or_(
                    col(DuplicateLinkRow.pre_aanmelding_id).in_(ids),
                    col(DuplicateLinkRow.earlier_id).in_(ids),
                )
            ),
        ),
        "staff_notes": await _execute(
            uow, delete(StaffNoteRow).where(col(StaffNoteRow.pre_aanmelding_id).in_(ids))
        ),
        "case_messages": await _execute(
            uow, delete(CaseMessageRow).where(col(CaseMessageRow.pre_aanmelding_id).in_(ids))
        ),
        "status_changes": await _execute(
            uow, delete(StatusChangeRow).where(col(StatusChangeRow.pre_aanmelding_id).in_(ids))
        ),
    }
    naming = await _outbox_naming(uow, references)
    counts["outbox_messages"] = (
        await _execute(uow, delete(OutboxMessageRow).where(col(OutboxMessageRow.id).in_(naming)))
        if naming
        else 0
    )
    counts["crisis_signs"] = await crisis_signs(uow).erase_for_references(references)
    counts["pre_aanmeldingen"] = await _execute(
        uow, delete(PreAanmeldingRow).where(col(PreAanmeldingRow.id).in_(ids))
    )
    counts["audit_subjects_redacted"] = await redact_audit_subjects(
        uow, PRE_AANMELDING_SUBJECT, references
    )
    return counts


async def _erase_chat(uow: UnitOfWork, person: Person) -> dict[str, int]:
    the_chat = (
        col(ConversationSessionRow.channel) == person.channel,
        col(ConversationSessionRow.user_hash) == person.user_hash,
    )
    await drop_off(uow).add_abandoned_where(*the_chat)  # anonymous: where it stopped
    counts = {
        "conversation_sessions": await _execute(
            uow,
            delete(ConversationSessionRow).where(*the_chat),
        ),
        "outbox_messages": await _execute(
            uow,
            delete(OutboxMessageRow).where(
                col(OutboxMessageRow.recipient_hash) == person.user_hash
            ),
        ),
        "processed_updates": await _execute(
            uow,
            delete(ProcessedUpdateRow).where(
                col(ProcessedUpdateRow.channel) == GROUP_NOTICE,
                col(ProcessedUpdateRow.update_id) == person.user_hash,
            ),
        ),
        "conversation_handoffs": await handoffs(uow).delete_for(person.channel, person.user_hash),
        "remembered_details": await remembered(uow).delete_for(person.channel, person.user_hash),
        "crisis_signs": await crisis_signs(uow).erase_for(person.channel, person.user_hash),
        "web_chats": 0,
    }
    if person.web_chat_id is not None:
        counts["web_chats"] = await _execute(
            uow, delete(WebChatRow).where(col(WebChatRow.chat_id) == person.web_chat_id)
        )
    counts["audit_subjects_redacted"] = await redact_audit_subjects(
        uow, CONVERSATION_SUBJECT, [person.audit_subject]
    )
    return counts


async def erase_person(
    uow: UnitOfWork,
    person: Person,
    *,
    force: bool = False,
    actor: str = "bot",
    staff_user_id: int | None = None,
) -> ErasureOutcome:
    """Erase what is stored about the person of this chat (see the module docstring).
    `force` (staff): also the pre-aanmeldingen with a planned intake. Records the
    erasure in the audit log with counts only."""
    rows = list(
        await uow.session.scalars(
            select(PreAanmeldingRow)
            .where(col(PreAanmeldingRow.channel_user_hash) == person.user_hash)
            .order_by(col(PreAanmeldingRow.id))
            .with_for_update()
        )
    )
    own = [row for row in rows if row.submitter_kind == "self"]
    others = [row for row in rows if row.submitter_kind != "self"]
    planned = set() if force else await intake_planned(uow, own)
    kept = [row for row in own if row.id in planned]
    counts: dict[str, int] = {}
    _add(counts, await _erase_chat(uow, person))
    _add(counts, await delete_pre_aanmeldingen(uow, [row for row in own if row.id not in planned]))
    now = uow.now()
    for row in kept:
        if row.erasure_requested_at is None:
            row.erasure_requested_at = now
        row.updated_at = now
    for row in others:
        row.channel_user_hash = None
    await uow.session.flush()
    outcome = ErasureOutcome(
        erased={name: n for name, n in counts.items() if name != "audit_subjects_redacted"},
        requested=tuple(row.reference for row in kept),
        unlinked=len(others),
    )
    if outcome.found:
        await uow.audit.record(
            "person_erased" if not kept else "person_erased_partly",
            "person",
            None,
            actor=actor,
            staff_user_id=staff_user_id,
            details={
                "channel": person.channel,
                **{name: n for name, n in counts.items() if n},
                "left_for_staff": len(kept),
                "unlinked": len(others),
            },
        )
    return outcome


async def erase_pre_aanmelding(
    uow: UnitOfWork,
    reference: str,
    *,
    staff_user_id: int,
    person: Person | None = None,
) -> ErasureOutcome:
    """Staff erase a pre-aanmelding. `person`: the chat it was submitted from.

    Submitted by the person themselves: everything of that person (`erase_person`,
    forced). Submitted by a professional or veldwerker for a client: this record, and
    what their chat still holds of this intake (the messages of the intake up to the
    submission, and the ended web chat with its transcript); their other clients'
    records and a conversation in progress stay."""
    from storage.reference_codes import normalise_reference_code

    code = normalise_reference_code(reference)
    row = None
    if code is not None:
        row = (
            await uow.session.scalars(
                select(PreAanmeldingRow).where(col(PreAanmeldingRow.reference) == code)
            )
        ).first()
    if row is None:
        return ErasureOutcome()
    if person is not None and row.submitter_kind == "self":
        return await erase_person(
            uow, person, force=True, actor="staff", staff_user_id=staff_user_id
        )
    counts = await delete_pre_aanmeldingen(uow, [row])
    if person is not None:
        counts["outbox_messages"] = counts.get("outbox_messages", 0) + await _execute(
            uow,
            delete(OutboxMessageRow).where(
                col(OutboxMessageRow.recipient_hash) == person.user_hash,
                col(OutboxMessageRow.created_at) <= row.created_at,
            ),
        )
        if person.web_chat_id is not None:
            counts["web_chats"] = await _execute(
                uow, delete(WebChatRow).where(col(WebChatRow.chat_id) == person.web_chat_id)
            )
    await uow.audit.record(
        "pre_aanmelding_erased",
        "person",
        None,
        actor="staff",
        staff_user_id=staff_user_id,
        details={name: n for name, n in counts.items() if n},
    )
    return ErasureOutcome(
        erased={name: n for name, n in counts.items() if name != "audit_subjects_redacted"}
    )
