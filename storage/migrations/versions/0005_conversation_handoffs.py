"""Hand-offs: one-time codes that move a Telegram conversation to the web chat, for
people who prefer not to answer the health and justice questions in Telegram.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "conversation_handoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_key", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=30), nullable=False),
        sa.Column("user_hash", sa.String(length=64), nullable=False),
        sa.Column("address", sa.LargeBinary(), nullable=True),  # encrypted (SensitiveText)
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_handoffs")),
        sa.UniqueConstraint("code_key", name=op.f("uq_conversation_handoffs_code_key")),
    )
    op.create_index(
        op.f("ix_conversation_handoffs_user_hash"), "conversation_handoffs", ["user_hash"]
    )
    op.create_index(
        op.f("ix_conversation_handoffs_expires_at"), "conversation_handoffs", ["expires_at"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_conversation_handoffs_expires_at"), table_name="conversation_handoffs")
    op.drop_index(op.f("ix_conversation_handoffs_user_hash"), table_name="conversation_handoffs")
    op.drop_table("conversation_handoffs")
