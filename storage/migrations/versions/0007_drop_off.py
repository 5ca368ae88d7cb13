"""Where people stop: anonymous counts per week, flow, question, language and channel
of the conversations that reached a question and of those that ended there without
a submission (storage.drop_off). No person, no answers.

Revision ID: 0007d
Revises: 0006
Create Date: 2026-12-05 01:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007d"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "drop_off_counts",
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("flow_id", sa.String(length=100), nullable=False),
        sa.Column("node_id", sa.String(length=100), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("channel", sa.String(length=30), nullable=False),
        sa.Column("reached_count", sa.Integer(), nullable=False),
        sa.Column("left_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "period", "flow_id", "node_id", "language", "channel", name=op.f("pk_drop_off_counts")
        ),
    )


def downgrade() -> None:
    op.drop_table("drop_off_counts")
