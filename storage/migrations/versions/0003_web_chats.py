"""The web chat (bot.web): which browser session holds a chat, its resume code (as a
keyed hash) and the transcript the page shows.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out here (not imported from storage.column_types), like 0001.
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "web_chats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("session_hash", sa.String(length=64), nullable=True),
        sa.Column("resume_key", sa.String(length=64), nullable=True),
        sa.Column("transcript", JSON, nullable=False),
        sa.Column("locale", sa.String(length=10), nullable=False),
        sa.Column("ended", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_chats")),
        sa.UniqueConstraint("chat_id", name=op.f("uq_web_chats_chat_id")),
        sa.UniqueConstraint("session_hash", name=op.f("uq_web_chats_session_hash")),
        sa.UniqueConstraint("resume_key", name=op.f("uq_web_chats_resume_key")),
    )
    op.create_index(op.f("ix_web_chats_expires_at"), "web_chats", ["expires_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_web_chats_expires_at"), table_name="web_chats")
    op.drop_table("web_chats")
