"""Indexes for the loket dashboard: the queue's sort orders and filters (keyset
pagination over a million pre-aanmeldingen) and a record's audit trail.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES: dict[str, tuple[str, list[str]]] = {
    "ix_pre_aanmeldingen_queue_created": ("pre_aanmeldingen", ["created_at", "id"]),
    "ix_pre_aanmeldingen_queue_updated": ("pre_aanmeldingen", ["updated_at", "id"]),
    "ix_pre_aanmeldingen_queue_status": ("pre_aanmeldingen", ["status", "created_at", "id"]),
    "ix_pre_aanmeldingen_queue_region": (
        "pre_aanmeldingen",
        ["region", "status", "created_at", "id"],
    ),
    "ix_pre_aanmeldingen_queue_assigned": (
        "pre_aanmeldingen",
        ["assigned_staff_id", "status", "created_at"],
    ),
    "ix_audit_events_subject": ("audit_events", ["subject_type", "subject_id", "at"]),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, (table, _columns) in reversed(INDEXES.items()):
        op.drop_index(name, table_name=table)
