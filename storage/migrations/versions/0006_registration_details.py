"""What a registration must give the loket (screening profile 1.1): a professional's
e-mail beside the phone, the convenant status as "not known" when it is not, and the
typist's own details kept per chat (a veldwerker types them once).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 19:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("pre_aanmeldingen") as batch:
        batch.add_column(sa.Column("submitter_email", sa.LargeBinary()))  # SensitiveText
        batch.alter_column("submitter_convenant_partner", existing_type=sa.Boolean(), nullable=True)
    with op.batch_alter_table("report_facts") as batch:
        batch.alter_column("submitter_convenant_partner", existing_type=sa.Boolean(), nullable=True)
    op.create_table(
        "remembered_details",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=30), nullable=False),
        sa.Column("user_hash", sa.String(length=64), nullable=False),
        sa.Column("flow_id", sa.String(length=40), nullable=False),
        sa.Column("details", sa.LargeBinary(), nullable=False),  # SensitiveJSON
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remembered_details")),
        sa.UniqueConstraint(
            "channel",
            "user_hash",
            "flow_id",
            name=op.f("uq_remembered_details_channel_user_hash_flow_id"),
        ),
    )
    op.create_index(op.f("ix_remembered_details_expires_at"), "remembered_details", ["expires_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_remembered_details_expires_at"), table_name="remembered_details")
    op.drop_table("remembered_details")
    with op.batch_alter_table("report_facts") as batch:
        batch.alter_column(
            "submitter_convenant_partner", existing_type=sa.Boolean(), nullable=False
        )
    with op.batch_alter_table("pre_aanmeldingen") as batch:
        batch.alter_column(
            "submitter_convenant_partner", existing_type=sa.Boolean(), nullable=False
        )
        batch.drop_column("submitter_email")
