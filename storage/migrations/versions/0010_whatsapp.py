"""WhatsApp: the channel's own id of a sent outbox message (the `wamid` the Cloud API
answers with) and the latest status it reported for it (sent, delivered, read,
failed), so a status webhook finds its row.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 02:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_messages") as batch:
        batch.add_column(sa.Column("provider_message_id", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("provider_status", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("provider_status_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index(
            batch.f("ix_outbox_messages_provider_message_id"), ["provider_message_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_messages") as batch:
        batch.drop_index(batch.f("ix_outbox_messages_provider_message_id"))
        batch.drop_column("provider_status_at")
        batch.drop_column("provider_status")
        batch.drop_column("provider_message_id")
