"""Where people stop: anonymous counts per week, flow, language and channel, for each
question, of the conversations that reached it and of those that ended there without
a submission (storage.drop_off), encrypted. No person, no answers.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 01:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "drop_off_counts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("flow_id", sa.String(length=100), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("channel", sa.String(length=30), nullable=False),
        sa.Column("counts", sa.LargeBinary(), nullable=False),  # SensitiveJSON
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drop_off_counts")),
        sa.UniqueConstraint(
            "period",
            "flow_id",
            "language",
            "channel",
            name=op.f("uq_drop_off_counts_period_flow_id_language_channel"),
        ),
    )


def downgrade() -> None:
    op.drop_table("drop_off_counts")
