"""Crisis follow-up: signs of danger per conversation (also when nothing was
submitted) with the question they came at and how the person can be reached, and the
anonymous weekly counts of those without any contact.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 01:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "crisis_signs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=30), nullable=False),
        sa.Column("user_hash", sa.String(length=64), nullable=False),
        sa.Column("conversation_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("flow_id", sa.String(length=100), nullable=False),
        sa.Column("region", sa.String(length=30), nullable=True),
        sa.Column("signs", sa.LargeBinary(), nullable=False),  # SensitiveJSON
        sa.Column("contact_kind", sa.String(length=10), nullable=False),
        sa.Column("contact", sa.LargeBinary(), nullable=True),  # SensitiveText
        sa.Column("reference", sa.String(length=10), nullable=True),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("handled_by", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "contact_kind IN ('chat', 'phone', 'email', 'none')",
            name=op.f("ck_crisis_signs_contact_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["handled_by"],
            ["staff_users.id"],
            name=op.f("fk_crisis_signs_handled_by_staff_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crisis_signs")),
        sa.UniqueConstraint(
            "channel",
            "user_hash",
            "conversation_started_at",
            name=op.f("uq_crisis_signs_channel_user_hash_conversation_started_at"),
        ),
    )
    op.create_index(op.f("ix_crisis_signs_user_hash"), "crisis_signs", ["user_hash"])
    op.create_index(op.f("ix_crisis_signs_reference"), "crisis_signs", ["reference"])
    op.create_index(op.f("ix_crisis_signs_last_seen"), "crisis_signs", ["last_seen"])
    op.create_index("ix_crisis_signs_region_first_seen", "crisis_signs", ["region", "first_seen"])
    op.create_table(
        "crisis_sign_counts",
        sa.Column("region", sa.String(length=30), nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("conversations", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("region", "week", name=op.f("pk_crisis_sign_counts")),
    )


def downgrade() -> None:
    op.drop_table("crisis_sign_counts")
    op.drop_index("ix_crisis_signs_region_first_seen", table_name="crisis_signs")
    op.drop_index(op.f("ix_crisis_signs_last_seen"), table_name="crisis_signs")
    op.drop_index(op.f("ix_crisis_signs_reference"), table_name="crisis_signs")
    op.drop_index(op.f("ix_crisis_signs_user_hash"), table_name="crisis_signs")
    op.drop_table("crisis_signs")
