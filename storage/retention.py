"""Retention: nothing is kept longer than its purpose needs (GDPR art. 5(1)(e)).
`purge` applies a `RetentionPolicy` (`intake purge`, and daily in `intake serve`) and
records how many rows went, never what was in them, in the audit log.

| kind | kept from | for (default) | then |
|---|---|---|---|
| unfinished conversation | last answer | 30 days | deleted |
| crisis signs of a conversation (2) | last change, conversation gone | 30 days | deleted |
| web chat and transcript | last use (or its expiry) | 30 days | deleted |
| pre-aanmelding closed negatively (1) | the final status | 90 days | report facts |
| pre-aanmelding geaccepteerd, handed over | the handover | 30 days | report facts |
| pre-aanmelding geaccepteerd, not handed over | the acceptance | 365 days | report facts |
| open pre-aanmelding | - | until closed | - |
| outbox message delivered or given up | delivery | 7 days | deleted |
| outbox message never delivered | queued | 30 days | deleted |
| processed update id | processing | 2 days | deleted |
(1) afgewezen, ingetrokken or doorverwezen.
(2) `storage.crisis_signs`: one without a submission and without any way to reach the
person is first folded into an anonymous count per region and ISO week.

The reasoning is in docs/privacy.md. A row goes once its period has fully passed: at
exactly 30 days after the last answer a conversation is purged, one second earlier
it is kept.

An unfinished conversation that goes is first counted where it stopped
(`storage.drop_off`: anonymous counts, no answers).

Anonymous report facts (`report_facts`) keep what the yearly figures need: region,
advised and decided product, submitter kind, convenant partner, status, and the days
(Dutch time) of submission, intake and decision; no reference, no person, no answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlmodel import col

from storage.crisis_signs import crisis_signs
from storage.drop_off import drop_off
from storage.erasure import delete_pre_aanmeldingen
from storage.lifecycle import Status
from storage.reports import LOKET_TIME_ZONE
from storage.tables import (
    ConversationSessionRow,
    HandoffRow,
    OutboxMessageRow,
    PreAanmeldingRow,
    ProcessedUpdateRow,
    RememberedDetailsRow,
    ReportFactRow,
    StatusChangeRow,
    WebChatRow,
)
from storage.unit_of_work import UnitOfWork

__all__ = ["CLOSED_STATUSES", "RetentionPolicy", "purge", "to_day"]

CLOSED_STATUSES = (Status.AFGEWEZEN, Status.INGETROKKEN, Status.DOORVERWEZEN)
_DECIDED = (Status.GEACCEPTEERD.value, Status.DOORVERWEZEN.value, Status.AFGEWEZEN.value)


@dataclass(frozen=True)
class RetentionPolicy:
    conversation: timedelta = timedelta(days=30)
    closed: timedelta = timedelta(days=90)
    after_handover: timedelta = timedelta(days=30)
    accepted: timedelta = timedelta(days=365)
    outbox_done: timedelta = timedelta(days=7)
    outbox_pending: timedelta = timedelta(days=30)
    processed_updates: timedelta = timedelta(days=2)


def to_day(moment: datetime | None) -> datetime | None:
    """The start of the moment's day in Dutch time (report facts keep days only)."""
    if moment is None:
        return None
    day = moment.astimezone(LOKET_TIME_ZONE).date()
    return datetime.combine(day, time(), LOKET_TIME_ZONE).astimezone(UTC)


async def _count(uow: UnitOfWork, statement: Any) -> int:
    result = await uow.session.execute(statement.execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)


async def _due_pre_aanmeldingen(
    uow: UnitOfWork, now: datetime, policy: RetentionPolicy
) -> list[PreAanmeldingRow]:
    last_change = (
        select(func.max(StatusChangeRow.at))
        .where(col(StatusChangeRow.pre_aanmelding_id) == col(PreAanmeldingRow.id))
        .scalar_subquery()
    )
    closed = col(PreAanmeldingRow.status).in_([s.value for s in CLOSED_STATUSES]) & (
        last_change <= now - policy.closed
    )
    accepted = (col(PreAanmeldingRow.status) == Status.GEACCEPTEERD.value) & or_(
        col(PreAanmeldingRow.handed_over_at) <= now - policy.after_handover,
        last_change <= now - policy.accepted,
    )
    rows = await uow.session.scalars(
        select(PreAanmeldingRow).where(or_(closed, accepted)).order_by(col(PreAanmeldingRow.id))
    )
    return list(rows)


async def _report_fact(uow: UnitOfWork, row: PreAanmeldingRow) -> ReportFactRow:
    changes = list(
        await uow.session.execute(
            select(StatusChangeRow.to_status, StatusChangeRow.at)  # type: ignore[call-overload]
            .where(
                col(StatusChangeRow.pre_aanmelding_id) == row.id,
                col(StatusChangeRow.from_status).is_not(None),
            )
            .order_by(col(StatusChangeRow.at))
        )
    )
    intake = next((at for to, at in changes if to == Status.INTAKE_GEPLAND.value), None)
    decided = next((at for to, at in changes if to in _DECIDED), None)
    created = to_day(row.created_at)
    assert created is not None
    return ReportFactRow(
        created_at=created,
        region=row.region,
        recommended_product=row.recommended_product,
        submitter_kind=row.submitter_kind,
        submitter_convenant_partner=row.submitter_convenant_partner,
        status=row.status,
        decided_product=row.decided_product,
        intake_at=to_day(intake),
        decided_at=to_day(decided),
    )


async def purge(
    uow: UnitOfWork, policy: RetentionPolicy, *, dry_run: bool = False
) -> dict[str, int]:
    """Apply `policy` at the unit of work's clock; rows per kind. `dry_run`: count,
    then roll back (nothing changes, nothing is audited)."""
    now = uow.now()
    counts: dict[str, int] = {}
    ran_out = or_(
        col(ConversationSessionRow.updated_at) <= now - policy.conversation,
        col(ConversationSessionRow.expires_at) <= now,
    )
    await drop_off(uow).add_abandoned_where(ran_out)  # where people stop: left there
    counts["conversation_sessions"] = await _count(
        uow, delete(ConversationSessionRow).where(ran_out)
    )
    counts["crisis_signs"] = await crisis_signs(uow).purge(policy.conversation)
    counts["web_chats"] = await _count(
        uow,
        delete(WebChatRow).where(
            or_(
                col(WebChatRow.updated_at) <= now - policy.conversation,
                col(WebChatRow.expires_at) <= now,
            )
        ),
    )
    counts["conversation_handoffs"] = await _count(
        uow, delete(HandoffRow).where(col(HandoffRow.expires_at) <= now)
    )
    counts["remembered_details"] = await _count(
        uow, delete(RememberedDetailsRow).where(col(RememberedDetailsRow.expires_at) <= now)
    )
    counts["processed_updates"] = await _count(
        uow,
        delete(ProcessedUpdateRow).where(
            col(ProcessedUpdateRow.processed_at) <= now - policy.processed_updates
        ),
    )
    done = now - policy.outbox_done
    counts["outbox_messages"] = await _count(
        uow,
        delete(OutboxMessageRow).where(
            or_(
                col(OutboxMessageRow.delivered_at) <= done,
                col(OutboxMessageRow.given_up_at) <= done,
                (
                    col(OutboxMessageRow.delivered_at).is_(None)
                    & col(OutboxMessageRow.given_up_at).is_(None)
                    & (col(OutboxMessageRow.created_at) <= now - policy.outbox_pending)
                ),
            )
        ),
    )
    due = await _due_pre_aanmeldingen(uow, now, policy)
    for row in due:
        uow.session.add(await _report_fact(uow, row))
    await uow.session.flush()
    removed = await delete_pre_aanmeldingen(uow, due)
    counts["pre_aanmeldingen"] = removed.get("pre_aanmeldingen", 0)
    counts["status_changes"] = removed.get("status_changes", 0)
    counts["staff_notes"] = removed.get("staff_notes", 0)
    counts["duplicate_links"] = removed.get("duplicate_links", 0)
    counts["crisis_signs"] += removed.get("crisis_signs", 0)
    counts["outbox_messages"] += removed.get("outbox_messages", 0)
    counts["report_facts_added"] = len(due)
    if dry_run:
        uow.rollback_only()
    else:
        await uow.audit.record(
            "retention_purge", "database", None, actor="system", details=dict(counts)
        )
    return counts
