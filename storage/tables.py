"""The database tables (SQLModel). Alembic migrations in `storage/migrations` create
them; `tests/storage/test_migrations.py` checks that both agree.

Columns holding special-category data or free text use `SensitiveJSON` or
`SensitiveText` (see `storage.column_types`); that is where encryption at rest goes.
Channel user ids are stored only as keyed hashes (`storage.user_hash`). Statuses and
kinds are plain strings with CHECK constraints, so a new value is one small migration.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import DDL, CheckConstraint, Index, MetaData, UniqueConstraint, event
from sqlmodel import Field, SQLModel

from storage.column_types import JSONDocument, SensitiveJSON, SensitiveText, UtcDateTime
from storage.lifecycle import Status

__all__ = [
    "CASE_MESSAGE_KINDS",
    "CASE_MESSAGE_SENDERS",
    "CONSENT_GIVERS",
    "CONTACT_PREFERENCES",
    "CRISIS_CONTACT_KINDS",
    "DUPLICATE_REASONS",
    "REDACTED_PREFIX",
    "STAFF_ROLES",
    "SUBMITTER_KINDS",
    "AuditEventRow",
    "CaseMessageRow",
    "ConversationSessionRow",
    "CrisisSignCountRow",
    "CrisisSignRow",
    "DropOffCountRow",
    "DuplicateLinkRow",
    "EncryptionKeyRow",
    "HandoffRow",
    "OutboxMessageRow",
    "PreAanmeldingRow",
    "ProcessedUpdateRow",
    "ReportFactRow",
    "StaffNoteRow",
    "StaffUserRow",
    "StatusChangeRow",
    "WebChatRow",
    "audit_append_only_ddl",
    "metadata",
]

SUBMITTER_KINDS = ("self", "professional", "veldwerker")
CONTACT_PREFERENCES = ("chat", "phone", "email", "via_submitter", "none")
CONSENT_GIVERS = ("client", "submitter_for_client")
STAFF_ROLES = ("medewerker", "coordinator", "beheerder")
DUPLICATE_REASONS = ("same_channel_user", "same_birth_date_similar_name")
# The way back (storage.case_messages): who wrote, and what kind of message.
CASE_MESSAGE_SENDERS = ("loket", "person")
CASE_MESSAGE_KINDS = ("status", "question", "answer", "stop_contact")
# How a conversation with signs of danger can be reached (storage.crisis_signs).
CRISIS_CONTACT_KINDS = ("chat", "phone", "email", "none")

# Constraint names are fixed, so migrations can refer to them on every database.
metadata: MetaData = SQLModel.metadata
metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _utc(**kwargs: Any) -> Any:
    return Field(sa_type=UtcDateTime, **kwargs)


class StaffUserRow(SQLModel, table=True):
    __tablename__ = "staff_users"
    __table_args__ = (CheckConstraint(_in("role", STAFF_ROLES), name="role"),)

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=100, unique=True)
    password_hash: str = Field(max_length=500)
    totp_secret: str | None = Field(default=None, sa_type=SensitiveText("staff_users.totp_secret"))
    role: str = Field(max_length=20)
    regions: list[str] = Field(sa_type=JSONDocument)
    disabled: bool = False
    created_at: datetime = _utc()


class ConversationSessionRow(SQLModel, table=True):
    """The current conversation of one channel user; `version` counts the saves."""

    __tablename__ = "conversation_sessions"
    __table_args__ = (UniqueConstraint("channel", "user_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=30)
    user_hash: str = Field(max_length=64)
    flow_id: str = Field(max_length=100)
    flow_version: str = Field(max_length=50)
    state: dict[str, Any] = Field(sa_type=SensitiveJSON("conversation_sessions.state"))
    language: str = Field(max_length=10)
    created_at: datetime = _utc()
    updated_at: datetime = _utc()
    expires_at: datetime = _utc(index=True)
    version: int = 1


class ProcessedUpdateRow(SQLModel, table=True):
    """An update a channel delivered and the bot applied; inserted with its effects."""

    __tablename__ = "processed_updates"

    channel: str = Field(max_length=30, primary_key=True)
    update_id: str = Field(max_length=100, primary_key=True)
    processed_at: datetime = _utc(index=True)


class PreAanmeldingRow(SQLModel, table=True):
    __tablename__ = "pre_aanmeldingen"
    __table_args__ = (
        CheckConstraint(_in("status", tuple(s.value for s in Status)), name="status"),
        CheckConstraint(_in("submitter_kind", SUBMITTER_KINDS), name="submitter_kind"),
        CheckConstraint(_in("contact_preference", CONTACT_PREFERENCES), name="contact_preference"),
        CheckConstraint(_in("consent_given_by", CONSENT_GIVERS), name="consent_given_by"),
        Index("ix_pre_aanmeldingen_birth_date_created", "client_birth_date", "created_at"),
        Index("ix_pre_aanmeldingen_user_created", "channel_user_hash", "created_at"),
        # The dashboard queue (storage.queue): one index per sort order and filter start.
        Index("ix_pre_aanmeldingen_queue_created", "created_at", "id"),
        Index("ix_pre_aanmeldingen_queue_updated", "updated_at", "id"),
        Index("ix_pre_aanmeldingen_queue_status", "status", "created_at", "id"),
        Index("ix_pre_aanmeldingen_queue_region", "region", "status", "created_at", "id"),
        Index("ix_pre_aanmeldingen_queue_assigned", "assigned_staff_id", "status", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=10, unique=True)
    created_at: datetime = _utc(index=True)
    updated_at: datetime = _utc()
    channel: str = Field(max_length=30)
    channel_user_hash: str | None = Field(default=None, max_length=64)
    language: str = Field(max_length=10)
    # Who submitted: the person themselves, a professional or a veldwerker.
    submitter_kind: str = Field(max_length=20)
    submitter_name: str | None = Field(
        default=None, sa_type=SensitiveText("pre_aanmeldingen.submitter_name")
    )
    submitter_organisation: str | None = Field(default=None, max_length=200)
    # Derived from the organisation and the region; None: not known (never "no").
    submitter_convenant_partner: bool | None = None
    submitter_contact: str | None = Field(
        default=None, sa_type=SensitiveText("pre_aanmeldingen.submitter_contact")
    )
    submitter_email: str | None = Field(
        default=None, sa_type=SensitiveText("pre_aanmeldingen.submitter_email")
    )
    # Minimal client identity and how to reach them. The birth date stays in clear: the
    # duplicate check looks it up (an index); the name is compared after decryption.
    client_name: str | None = Field(
        default=None, sa_type=SensitiveText("pre_aanmeldingen.client_name")
    )
    client_birth_date: date | None = None
    contact_preference: str = Field(max_length=20)
    contact_address: str | None = Field(
        default=None, sa_type=SensitiveText("pre_aanmeldingen.contact_address")
    )
    # Special-category data: the screening profile (spec version 1) and free-text answers.
    profile: dict[str, Any] = Field(sa_type=SensitiveJSON("pre_aanmeldingen.profile"))
    answers: dict[str, Any] = Field(sa_type=SensitiveJSON("pre_aanmeldingen.answers"))
    # The bot's advice and the data version of the rules and offer that made it. The
    # product, region and municipality stay in clear for the queue's filters and the
    # reports (a residual risk: docs/privacy.md); the eligible products, reasons and
    # referrals tell of detention, problems and debts, so they are encrypted.
    recommended_product: str | None = Field(default=None, max_length=30)
    eligible_products: list[str] = Field(
        sa_type=SensitiveJSON("pre_aanmeldingen.eligible_products")
    )
    region: str | None = Field(default=None, max_length=30, index=True)
    municipality: str | None = Field(default=None, max_length=100)
    reasons: list[dict[str, Any]] = Field(sa_type=SensitiveJSON("pre_aanmeldingen.reasons"))
    referrals: list[str] = Field(sa_type=SensitiveJSON("pre_aanmeldingen.referrals"))
    rules_version: str = Field(max_length=40)
    # Consent: which text was agreed to, when, and by whom.
    consent_text_version: str = Field(max_length=40)
    consent_at: datetime = _utc()
    consent_given_by: str = Field(max_length=30)
    # The loket's handling.
    status: str = Field(max_length=20, index=True)
    assigned_staff_id: int | None = Field(default=None, foreign_key="staff_users.id")
    crisis_follow_up: bool = False
    decided_product: str | None = Field(default=None, max_length=30)
    decided_referral: str | None = Field(
        default=None, sa_type=SensitiveText("pre_aanmeldingen.decided_referral")
    )
    decision_reason: str | None = Field(
        default=None, sa_type=SensitiveText("pre_aanmeldingen.decision_reason")
    )
    # Data protection (docs/privacy.md): the person asked for erasure while the loket
    # had planned an intake (staff handle it); the loket took the case into its own
    # case system (retention runs from then).
    erasure_requested_at: datetime | None = _utc(default=None, index=True)
    handed_over_at: datetime | None = _utc(default=None)
    # The way back (storage.case_messages): the keyed hash of the code that opens the
    # loket's messages (the web chat's resume code, kept after the chat ended); the
    # browser session that may read them without a code (keyed hash, as for web chats);
    # when the person said "no more contact"; an answer no staff member opened yet.
    inbox_key: str | None = Field(default=None, max_length=64, unique=True)
    inbox_session_hash: str | None = Field(default=None, max_length=64, index=True)
    contact_stopped_at: datetime | None = _utc(default=None)
    answer_unread: bool = False


class StatusChangeRow(SQLModel, table=True):
    """One line of a pre-aanmelding's status history; `from_status` is None at creation."""

    __tablename__ = "status_changes"

    id: int | None = Field(default=None, primary_key=True)
    pre_aanmelding_id: int = Field(foreign_key="pre_aanmeldingen.id", index=True)
    at: datetime = _utc()
    staff_user_id: int | None = Field(default=None, foreign_key="staff_users.id")
    from_status: str | None = Field(default=None, max_length=20)
    to_status: str = Field(max_length=20)
    reason: str | None = Field(default=None, sa_type=SensitiveText("status_changes.reason"))


class StaffNoteRow(SQLModel, table=True):
    """A note on a case; `staff_user_id` None: the person's own answer to a question
    of the loket (storage.case_messages)."""

    __tablename__ = "staff_notes"

    id: int | None = Field(default=None, primary_key=True)
    pre_aanmelding_id: int = Field(foreign_key="pre_aanmeldingen.id", index=True)
    staff_user_id: int | None = Field(default=None, foreign_key="staff_users.id")
    at: datetime = _utc()
    text: str = Field(sa_type=SensitiveText("staff_notes.text"))


class CaseMessageRow(SQLModel, table=True):
    """One message between the loket and the person of a case (storage.case_messages):
    `sender` "loket" (status news, a question) or "person" (an answer, "no more
    contact"). `body` is JSON: message ids with parameters for the loket's own texts
    (rendered in the reader's language), the words as typed otherwise. `read_at`: when
    the addressee first saw it."""

    __tablename__ = "case_messages"
    __table_args__ = (
        CheckConstraint(_in("sender", CASE_MESSAGE_SENDERS), name="sender"),
        CheckConstraint(_in("kind", CASE_MESSAGE_KINDS), name="kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    pre_aanmelding_id: int = Field(foreign_key="pre_aanmeldingen.id", index=True)
    at: datetime = _utc()
    sender: str = Field(max_length=10)
    kind: str = Field(max_length=20)
    staff_user_id: int | None = Field(default=None, foreign_key="staff_users.id")
    body: dict[str, Any] = Field(sa_type=SensitiveJSON("case_messages.body"))
    read_at: datetime | None = _utc(default=None)


class DuplicateLinkRow(SQLModel, table=True):
    """A likely earlier pre-aanmelding of the same person, for staff to look at."""

    __tablename__ = "duplicate_links"
    __table_args__ = (
        UniqueConstraint("pre_aanmelding_id", "earlier_id"),
        CheckConstraint(_in("reason", DUPLICATE_REASONS), name="reason"),
    )

    id: int | None = Field(default=None, primary_key=True)
    pre_aanmelding_id: int = Field(foreign_key="pre_aanmeldingen.id", index=True)
    earlier_id: int = Field(foreign_key="pre_aanmeldingen.id", index=True)
    reason: str = Field(max_length=40)


class OutboxMessageRow(SQLModel, table=True):
    """A message to deliver to a person. `recipient` (the channel address, e.g. a chat
    id) is kept only until the message is delivered or given up, then erased."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_pending", "delivered_at", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=30)
    recipient_hash: str = Field(max_length=64, index=True)
    recipient: str | None = Field(default=None, sa_type=SensitiveText("outbox_messages.recipient"))
    payload: dict[str, Any] = Field(sa_type=SensitiveJSON("outbox_messages.payload"))
    created_at: datetime = _utc()
    attempts: int = 0
    next_attempt_at: datetime = _utc()
    delivered_at: datetime | None = _utc(default=None)
    given_up_at: datetime | None = _utc(default=None)
    last_error: str | None = Field(default=None, max_length=200)
    # The channel's own id of the message once sent (WhatsApp: the `wamid`), and the
    # latest status the channel reported for it (sent, delivered, read, failed).
    provider_message_id: str | None = Field(default=None, max_length=128, index=True)
    provider_status: str | None = Field(default=None, max_length=20)
    provider_status_at: datetime | None = _utc(default=None)


class WebChatRow(SQLModel, table=True):
    """A web chat (bot.web): which browser session holds it, the hash of its resume
    code, and the transcript the page shows. `chat_id` is the conversation service's
    user id for the web channel; it never leaves the server (the cookie holds only a
    random session id, stored here as a keyed hash)."""

    __tablename__ = "web_chats"

    id: int | None = Field(default=None, primary_key=True)
    chat_id: str = Field(max_length=64, unique=True)
    session_hash: str | None = Field(default=None, max_length=64, unique=True)
    resume_key: str | None = Field(default=None, max_length=64, unique=True)
    transcript: list[dict[str, Any]] = Field(sa_type=SensitiveJSON("web_chats.transcript"))
    locale: str = Field(max_length=10)
    ended: bool = False
    created_at: datetime = _utc()
    updated_at: datetime = _utc()
    expires_at: datetime = _utc(index=True)


class HandoffRow(SQLModel, table=True):
    """A one-time code that moves a conversation to the web chat (`intake.handoff`):
    offered in Telegram before the health and justice questions. `code_key` is the
    keyed hash of the code (the code itself is never stored); `address` is the chat to
    tell that the conversation moved. Erased when used, when the person asks, and at
    `expires_at` (a day)."""

    __tablename__ = "conversation_handoffs"

    id: int | None = Field(default=None, primary_key=True)
    code_key: str = Field(max_length=64, unique=True)
    channel: str = Field(max_length=30)
    user_hash: str = Field(max_length=64, index=True)
    address: str | None = Field(
        default=None, sa_type=SensitiveText("conversation_handoffs.address")
    )
    created_at: datetime = _utc()
    expires_at: datetime = _utc(index=True)


class RememberedDetailsRow(SQLModel, table=True):
    """The typist's own details of a flow (a veldwerker's name, organisation and phone
    or e-mail: `remember` questions), kept per chat so they are typed once. Erased
    when the person asks, and at `expires_at` (storage.remembered)."""

    __tablename__ = "remembered_details"
    __table_args__ = (UniqueConstraint("channel", "user_hash", "flow_id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=30)
    user_hash: str = Field(max_length=64)
    flow_id: str = Field(max_length=40)
    details: dict[str, Any] = Field(sa_type=SensitiveJSON("remembered_details.details"))
    updated_at: datetime = _utc()
    expires_at: datetime = _utc(index=True)


class CrisisSignRow(SQLModel, table=True):
    """Signs of danger in one conversation (storage.crisis_signs), for staff follow-up
    also when nothing was submitted: which signs, when, at which question (never the
    words), and how the person can be reached (the kind in clear, the typed phone or
    e-mail encrypted). `conversation_started_at` tells the chat's conversations apart.
    Erased with the conversation's retention and on erasure; one without any contact
    is then counted in `crisis_sign_counts`."""

    __tablename__ = "crisis_signs"
    __table_args__ = (
        UniqueConstraint("channel", "user_hash", "conversation_started_at"),
        CheckConstraint(_in("contact_kind", CRISIS_CONTACT_KINDS), name="contact_kind"),
        Index("ix_crisis_signs_region_first_seen", "region", "first_seen"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=30)
    user_hash: str = Field(max_length=64, index=True)
    conversation_started_at: datetime = _utc()
    flow_id: str = Field(max_length=100)
    region: str | None = Field(default=None, max_length=30)
    # [{category, at, node, flow}]: the kinds of danger are health data, so encrypted.
    signs: list[dict[str, Any]] = Field(sa_type=SensitiveJSON("crisis_signs.signs"))
    contact_kind: str = Field(max_length=10)
    contact: str | None = Field(default=None, sa_type=SensitiveText("crisis_signs.contact"))
    reference: str | None = Field(default=None, max_length=10, index=True)
    first_seen: datetime = _utc()
    last_seen: datetime = _utc(index=True)
    handled_at: datetime | None = _utc(default=None)
    handled_by: int | None = Field(default=None, foreign_key="staff_users.id")


class CrisisSignCountRow(SQLModel, table=True):
    """Conversations with signs of danger and no way to reach the person, counted per
    region ("" when not known) and ISO week of the first sign (Dutch time, "2026-W49")
    once their row was erased: anonymous, so the loket keeps seeing the size of it."""

    __tablename__ = "crisis_sign_counts"

    region: str = Field(max_length=30, primary_key=True)
    week: str = Field(max_length=8, primary_key=True)
    conversations: int = 0


class AuditEventRow(SQLModel, table=True):
    """Append-only: the database refuses UPDATE and DELETE on this table. `details`
    carries ids and codes, never personal data."""

    __tablename__ = "audit_events"
    __table_args__ = (
        # A record's audit trail, and failed logins of an account (the lockout).
        Index("ix_audit_events_subject", "subject_type", "subject_id", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _utc(index=True)
    actor: str = Field(max_length=20)
    staff_user_id: int | None = Field(default=None, foreign_key="staff_users.id")
    action: str = Field(max_length=60)
    subject_type: str = Field(max_length=40)
    subject_id: str | None = Field(default=None, max_length=60)
    details: dict[str, Any] = Field(sa_type=JSONDocument)


class EncryptionKeyRow(SQLModel, table=True):
    """The keys that encrypted data in this database (storage.key_registry): the key id
    and a check value (an HMAC under the key), so a missing or wrong key is refused at
    start. Normally one row; two while `intake keys rotate` runs."""

    __tablename__ = "encryption_keys"

    key_id: str = Field(max_length=16, primary_key=True)
    check_value: str = Field(max_length=64)
    added_at: datetime = _utc()


class ReportFactRow(SQLModel, table=True):
    """What the yearly figures need of a pre-aanmelding whose retention ended
    (storage.retention): no reference, no person, no answers; dates to the day (Dutch
    time). Anonymous statistics; kept so that last year's report stays complete."""

    __tablename__ = "report_facts"
    __table_args__ = (
        CheckConstraint(_in("status", tuple(s.value for s in Status)), name="status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = _utc(index=True)
    region: str | None = Field(default=None, max_length=30)
    recommended_product: str | None = Field(default=None, max_length=30)
    submitter_kind: str = Field(max_length=20)
    submitter_convenant_partner: bool | None = None
    status: str = Field(max_length=20)
    decided_product: str | None = Field(default=None, max_length=30)
    intake_at: datetime | None = _utc(default=None)
    decided_at: datetime | None = _utc(default=None)


class DropOffCountRow(SQLModel, table=True):
    """Where people stop (storage.drop_off): per week (its Monday, Dutch time), flow,
    language and channel, for each prompt node how many ended conversations reached
    it and how many ended there without a submission: `counts` is {node id:
    [reached, left]}. Counts only, no person, no answers; encrypted all the same,
    since which questions were reached follows from answers (a question asked only
    after a "yes" to justice contact)."""

    __tablename__ = "drop_off_counts"
    __table_args__ = (UniqueConstraint("period", "flow_id", "language", "channel"),)

    id: int | None = Field(default=None, primary_key=True)
    period: date
    flow_id: str = Field(max_length=100)
    language: str = Field(max_length=10)
    channel: str = Field(max_length=30)
    counts: dict[str, Any] = Field(sa_type=SensitiveJSON("drop_off_counts.counts"))


# Redaction (storage.erasure): the one change the audit log allows. A subject id may be
# replaced by an unlinkable pseudonym starting with this prefix, once, with every other
# column unchanged; nothing else can be updated, and nothing deleted.
REDACTED_PREFIX = "erased-"
_AUDIT_COLUMNS = ("id", "at", "actor", "staff_user_id", "action", "subject_type", "details")


def audit_append_only_ddl(dialect: str) -> list[str]:
    """Statements that make `audit_events` append-only on `dialect` (except redaction)."""
    if dialect == "sqlite":
        same = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in _AUDIT_COLUMNS)
        redaction = (
            f"NEW.subject_id LIKE '{REDACTED_PREFIX}%' AND OLD.subject_id IS NOT NULL "
            f"AND OLD.subject_id NOT LIKE '{REDACTED_PREFIX}%' AND {same}"
        )
        return [
            "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
            f"WHEN NOT ({redaction}) "
            "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
            "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
            "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
        ]
    if dialect == "postgresql":
        new = ", ".join(f"NEW.{c}" for c in _AUDIT_COLUMNS)
        old = ", ".join(f"OLD.{c}" for c in _AUDIT_COLUMNS)
        return [
            "CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN IF TG_OP = 'UPDATE' AND NEW.subject_id LIKE '{REDACTED_PREFIX}%' "
            f"AND OLD.subject_id NOT LIKE '{REDACTED_PREFIX}%' "
            f"AND ROW({new}) IS NOT DISTINCT FROM ROW({old}) THEN RETURN NEW; END IF; "
            "RAISE EXCEPTION 'audit_events is append-only'; END $$",
            "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
            "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()",
        ]
    return []


for _dialect in ("sqlite", "postgresql"):
    for _statement in audit_append_only_ddl(_dialect):
        event.listen(
            AuditEventRow.__table__,  # type: ignore[attr-defined]
            "after_create",
            DDL(_statement).execute_if(dialect=_dialect),  # type: ignore[no-untyped-call]
        )
