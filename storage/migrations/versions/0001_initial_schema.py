"""Initial schema: conversations, processed updates, pre-aanmeldingen with history,
notes and duplicate links, outbox, audit events (append-only) and staff users.

Revision ID: 0001
Revises:
Create Date: 2026-11-21 10:26:06.806840
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Column types are spelled out here (not imported from storage.column_types), so this
# migration stays as it was when the models change. Sensitive columns are JSON/TEXT.
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

AUDIT_APPEND_ONLY = {
    "sqlite": [
        "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
        "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
        "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
        "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
    ],
    "postgresql": [
        "CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$",
        "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
        "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()",
    ],
}
AUDIT_APPEND_ONLY_DROP = {
    "sqlite": ["DROP TRIGGER audit_events_no_update", "DROP TRIGGER audit_events_no_delete"],
    "postgresql": [
        "DROP TRIGGER audit_events_append_only ON audit_events",
        "DROP FUNCTION audit_events_append_only()",
    ],
}


def upgrade() -> None:
    op.create_table(
        "conversation_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=30), nullable=False),
        sa.Column("user_hash", sa.String(length=64), nullable=False),
        sa.Column("flow_id", sa.String(length=100), nullable=False),
        sa.Column("flow_version", sa.String(length=50), nullable=False),
        sa.Column("state", JSON, nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_sessions")),
        sa.UniqueConstraint(
            "channel", "user_hash", name=op.f("uq_conversation_sessions_channel_user_hash")
        ),
    )
    op.create_index(
        op.f("ix_conversation_sessions_expires_at"), "conversation_sessions", ["expires_at"]
    )

    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=30), nullable=False),
        sa.Column("recipient_hash", sa.String(length=64), nullable=False),
        sa.Column("recipient", sa.Text(), nullable=True),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("given_up_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
    )
    op.create_index(
        "ix_outbox_messages_pending", "outbox_messages", ["delivered_at", "next_attempt_at"]
    )
    op.create_index(
        op.f("ix_outbox_messages_recipient_hash"), "outbox_messages", ["recipient_hash"]
    )

    op.create_table(
        "processed_updates",
        sa.Column("channel", sa.String(length=30), nullable=False),
        sa.Column("update_id", sa.String(length=100), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("channel", "update_id", name=op.f("pk_processed_updates")),
    )
    op.create_index(
        op.f("ix_processed_updates_processed_at"), "processed_updates", ["processed_at"]
    )

    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.String(length=500), nullable=False),
        sa.Column("totp_secret", sa.Text(), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("regions", JSON, nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role IN ('medewerker', 'coordinator', 'beheerder')", name=op.f("ck_staff_users_role")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_users")),
        sa.UniqueConstraint("username", name=op.f("uq_staff_users_username")),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=20), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("subject_type", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.String(length=60), nullable=True),
        sa.Column("details", JSON, nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_user_id"],
            ["staff_users.id"],
            name=op.f("fk_audit_events_staff_user_id_staff_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index(op.f("ix_audit_events_at"), "audit_events", ["at"])
    for statement in AUDIT_APPEND_ONLY.get(op.get_bind().dialect.name, []):
        op.execute(statement)

    op.create_table(
        "pre_aanmeldingen",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(length=30), nullable=False),
        sa.Column("channel_user_hash", sa.String(length=64), nullable=True),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("submitter_kind", sa.String(length=20), nullable=False),
        sa.Column("submitter_name", sa.String(length=200), nullable=True),
        sa.Column("submitter_organisation", sa.String(length=200), nullable=True),
        sa.Column("submitter_convenant_partner", sa.Boolean(), nullable=False),
        sa.Column("submitter_contact", sa.String(length=200), nullable=True),
        sa.Column("client_name", sa.String(length=200), nullable=True),
        sa.Column("client_birth_date", sa.Date(), nullable=True),
        sa.Column("contact_preference", sa.String(length=20), nullable=False),
        sa.Column("contact_address", sa.String(length=200), nullable=True),
        sa.Column("profile", JSON, nullable=False),
        sa.Column("answers", JSON, nullable=False),
        sa.Column("recommended_product", sa.String(length=30), nullable=True),
        sa.Column("eligible_products", JSON, nullable=False),
        sa.Column("region", sa.String(length=30), nullable=True),
        sa.Column("municipality", sa.String(length=100), nullable=True),
        sa.Column("reasons", JSON, nullable=False),
        sa.Column("referrals", JSON, nullable=False),
        sa.Column("rules_version", sa.String(length=40), nullable=False),
        sa.Column("consent_text_version", sa.String(length=40), nullable=False),
        sa.Column("consent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("consent_given_by", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("assigned_staff_id", sa.Integer(), nullable=True),
        sa.Column("crisis_follow_up", sa.Boolean(), nullable=False),
        sa.Column("decided_product", sa.String(length=30), nullable=True),
        sa.Column("decided_referral", sa.String(length=200), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "consent_given_by IN ('client', 'submitter_for_client')",
            name=op.f("ck_pre_aanmeldingen_consent_given_by"),
        ),
        sa.CheckConstraint(
            "contact_preference IN ('chat', 'phone', 'email', 'via_submitter', 'none')",
            name=op.f("ck_pre_aanmeldingen_contact_preference"),
        ),
        sa.CheckConstraint(
            "status IN ('nieuw', 'in_behandeling', 'info_gevraagd', 'intake_gepland', "
            "'geaccepteerd', 'doorverwezen', 'afgewezen', 'ingetrokken')",
            name=op.f("ck_pre_aanmeldingen_status"),
        ),
        sa.CheckConstraint(
            "submitter_kind IN ('self', 'professional', 'veldwerker')",
            name=op.f("ck_pre_aanmeldingen_submitter_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["assigned_staff_id"],
            ["staff_users.id"],
            name=op.f("fk_pre_aanmeldingen_assigned_staff_id_staff_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pre_aanmeldingen")),
        sa.UniqueConstraint("reference", name=op.f("uq_pre_aanmeldingen_reference")),
    )
    op.create_index(
        "ix_pre_aanmeldingen_birth_date_created",
        "pre_aanmeldingen",
        ["client_birth_date", "created_at"],
    )
    op.create_index(op.f("ix_pre_aanmeldingen_created_at"), "pre_aanmeldingen", ["created_at"])
    op.create_index(op.f("ix_pre_aanmeldingen_region"), "pre_aanmeldingen", ["region"])
    op.create_index(op.f("ix_pre_aanmeldingen_status"), "pre_aanmeldingen", ["status"])
    op.create_index(
        "ix_pre_aanmeldingen_user_created", "pre_aanmeldingen", ["channel_user_hash", "created_at"]
    )

    op.create_table(
        "duplicate_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pre_aanmelding_id", sa.Integer(), nullable=False),
        sa.Column("earlier_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.CheckConstraint(
            "reason IN ('same_channel_user', 'same_birth_date_similar_name')",
            name=op.f("ck_duplicate_links_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["earlier_id"],
            ["pre_aanmeldingen.id"],
            name=op.f("fk_duplicate_links_earlier_id_pre_aanmeldingen"),
        ),
        sa.ForeignKeyConstraint(
            ["pre_aanmelding_id"],
            ["pre_aanmeldingen.id"],
            name=op.f("fk_duplicate_links_pre_aanmelding_id_pre_aanmeldingen"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duplicate_links")),
        sa.UniqueConstraint(
            "pre_aanmelding_id",
            "earlier_id",
            name=op.f("uq_duplicate_links_pre_aanmelding_id_earlier_id"),
        ),
    )
    op.create_index(op.f("ix_duplicate_links_earlier_id"), "duplicate_links", ["earlier_id"])
    op.create_index(
        op.f("ix_duplicate_links_pre_aanmelding_id"), "duplicate_links", ["pre_aanmelding_id"]
    )

    op.create_table(
        "staff_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pre_aanmelding_id", sa.Integer(), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pre_aanmelding_id"],
            ["pre_aanmeldingen.id"],
            name=op.f("fk_staff_notes_pre_aanmelding_id_pre_aanmeldingen"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_user_id"],
            ["staff_users.id"],
            name=op.f("fk_staff_notes_staff_user_id_staff_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_notes")),
    )
    op.create_index(op.f("ix_staff_notes_pre_aanmelding_id"), "staff_notes", ["pre_aanmelding_id"])

    op.create_table(
        "status_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pre_aanmelding_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=True),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["pre_aanmelding_id"],
            ["pre_aanmeldingen.id"],
            name=op.f("fk_status_changes_pre_aanmelding_id_pre_aanmeldingen"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_user_id"],
            ["staff_users.id"],
            name=op.f("fk_status_changes_staff_user_id_staff_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_changes")),
    )
    op.create_index(
        op.f("ix_status_changes_pre_aanmelding_id"), "status_changes", ["pre_aanmelding_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_status_changes_pre_aanmelding_id"), table_name="status_changes")

    op.drop_table("status_changes")
    op.drop_index(op.f("ix_staff_notes_pre_aanmelding_id"), table_name="staff_notes")

    op.drop_table("staff_notes")
    op.drop_index(op.f("ix_duplicate_links_pre_aanmelding_id"), table_name="duplicate_links")
    op.drop_index(op.f("ix_duplicate_links_earlier_id"), table_name="duplicate_links")

    op.drop_table("duplicate_links")
    op.drop_index("ix_pre_aanmeldingen_user_created", table_name="pre_aanmeldingen")
    op.drop_index(op.f("ix_pre_aanmeldingen_status"), table_name="pre_aanmeldingen")
    op.drop_index(op.f("ix_pre_aanmeldingen_region"), table_name="pre_aanmeldingen")
    op.drop_index(op.f("ix_pre_aanmeldingen_created_at"), table_name="pre_aanmeldingen")
    op.drop_index("ix_pre_aanmeldingen_birth_date_created", table_name="pre_aanmeldingen")

    op.drop_table("pre_aanmeldingen")
    for statement in AUDIT_APPEND_ONLY_DROP.get(op.get_bind().dialect.name, []):
        op.execute(statement)
    op.drop_index(op.f("ix_audit_events_at"), table_name="audit_events")

    op.drop_table("audit_events")
    op.drop_table("staff_users")
    op.drop_index(op.f("ix_processed_updates_processed_at"), table_name="processed_updates")

    op.drop_table("processed_updates")
    op.drop_index(op.f("ix_outbox_messages_recipient_hash"), table_name="outbox_messages")
    op.drop_index("ix_outbox_messages_pending", table_name="outbox_messages")

    op.drop_table("outbox_messages")
    op.drop_index(op.f("ix_conversation_sessions_expires_at"), table_name="conversation_sessions")

    op.drop_table("conversation_sessions")
