"""The way back: messages between the loket and the person of a case (status news,
questions, answers), the code and the browser session that may read them, "no more
contact", and
the person's answer as a note without a staff author.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 01:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pre_aanmelding_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sender", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=False),  # encrypted (SensitiveJSON)
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("sender IN ('loket', 'person')", name=op.f("ck_case_messages_sender")),
        sa.CheckConstraint(
            "kind IN ('status', 'question', 'answer', 'stop_contact')",
            name=op.f("ck_case_messages_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["pre_aanmelding_id"],
            ["pre_aanmeldingen.id"],
            name=op.f("fk_case_messages_pre_aanmelding_id_pre_aanmeldingen"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_user_id"],
            ["staff_users.id"],
            name=op.f("fk_case_messages_staff_user_id_staff_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_messages")),
    )
    op.create_index(
        op.f("ix_case_messages_pre_aanmelding_id"), "case_messages", ["pre_aanmelding_id"]
    )
    with op.batch_alter_table("pre_aanmeldingen") as batch:
        batch.add_column(sa.Column("inbox_key", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("inbox_session_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("contact_stopped_at", sa.DateTime(timezone=True)))
        batch.add_column(
            sa.Column("answer_unread", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.create_index(
            batch.f("ix_pre_aanmeldingen_inbox_session_hash"), ["inbox_session_hash"]
        )
        batch.create_unique_constraint(batch.f("uq_pre_aanmeldingen_inbox_key"), ["inbox_key"])
    with op.batch_alter_table("staff_notes") as batch:
        batch.alter_column("staff_user_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("staff_notes") as batch:
        batch.alter_column("staff_user_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("pre_aanmeldingen") as batch:
        batch.drop_constraint(batch.f("uq_pre_aanmeldingen_inbox_key"), type_="unique")
        batch.drop_index(batch.f("ix_pre_aanmeldingen_inbox_session_hash"))
        batch.drop_column("inbox_key")
        batch.drop_column("answer_unread")
        batch.drop_column("contact_stopped_at")
        batch.drop_column("inbox_session_hash")
    op.drop_index(op.f("ix_case_messages_pre_aanmelding_id"), table_name="case_messages")
    op.drop_table("case_messages")
