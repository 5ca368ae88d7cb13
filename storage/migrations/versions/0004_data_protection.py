"""Data protection: encryption at rest of every sensitive column, the key registry,
erasure requests and handover on pre-aanmeldingen, anonymous report facts, and an
audit log that allows one change: redacting a subject id.

Sensitive columns become binary (BLOB / BYTEA) holding AES-256-GCM envelopes
(storage.encryption). Values already stored in clear are encrypted here with the
process's current key (`SensitiveValueCodec`), and that key is registered; a database
with such values cannot be migrated without ENCRYPTION_KEY (a clear error says so).
The downgrade decrypts them again.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 09:00:00
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from storage.column_types import SensitiveValueCodec

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

# (table, column, JSON or text, nullable, the type before this migration); the context
# of each value is "table.column", as in storage.tables.
SENSITIVE: list[tuple[str, str, bool, bool, Any]] = [
    ("staff_users", "totp_secret", False, True, sa.Text()),
    ("conversation_sessions", "state", True, False, JSON),
    ("pre_aanmeldingen", "submitter_name", False, True, sa.String(length=200)),
    ("pre_aanmeldingen", "submitter_contact", False, True, sa.String(length=200)),
    ("pre_aanmeldingen", "client_name", False, True, sa.String(length=200)),
    ("pre_aanmeldingen", "contact_address", False, True, sa.String(length=200)),
    ("pre_aanmeldingen", "profile", True, False, JSON),
    ("pre_aanmeldingen", "answers", True, False, JSON),
    ("pre_aanmeldingen", "eligible_products", True, False, JSON),
    ("pre_aanmeldingen", "reasons", True, False, JSON),
    ("pre_aanmeldingen", "referrals", True, False, JSON),
    ("pre_aanmeldingen", "decided_referral", False, True, sa.String(length=200)),
    ("pre_aanmeldingen", "decision_reason", False, True, sa.Text()),
    ("status_changes", "reason", False, True, sa.Text()),
    ("staff_notes", "text", False, False, sa.Text()),
    ("outbox_messages", "recipient", False, True, sa.Text()),
    ("outbox_messages", "payload", True, False, JSON),
    ("web_chats", "transcript", True, False, JSON),
]

OLD_AUDIT = {
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
DROP_AUDIT = {
    "sqlite": ["DROP TRIGGER audit_events_no_update", "DROP TRIGGER audit_events_no_delete"],
    "postgresql": [
        "DROP TRIGGER audit_events_append_only ON audit_events",
        "DROP FUNCTION audit_events_append_only()",
    ],
}
_COLUMNS = ("id", "at", "actor", "staff_user_id", "action", "subject_type", "details")
_SAME_SQLITE = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in _COLUMNS)
NEW_AUDIT = {
    "sqlite": [
        "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
        "WHEN NOT (NEW.subject_id LIKE 'erased-%' AND OLD.subject_id IS NOT NULL "
        f"AND OLD.subject_id NOT LIKE 'erased-%' AND {_SAME_SQLITE}) "
        "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
        "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
        "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
    ],
    "postgresql": [
        "CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN IF TG_OP = 'UPDATE' AND NEW.subject_id LIKE 'erased-%' "
        "AND OLD.subject_id NOT LIKE 'erased-%' "
        f"AND ROW({', '.join('NEW.' + c for c in _COLUMNS)}) IS NOT DISTINCT FROM "
        f"ROW({', '.join('OLD.' + c for c in _COLUMNS)}) THEN RETURN NEW; END IF; "
        "RAISE EXCEPTION 'audit_events is append-only'; END $$",
        "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
        "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()",
    ],
}

_NEEDS_KEY = (
    "the database holds personal data in clear that this migration encrypts, and no "
    "encryption key is configured: set ENCRYPTION_KEY (see docs/privacy.md) and run "
    "`intake db upgrade` again"
)


# Table and column names below come from SENSITIVE, never from input.
Kind = Any  # a SQLAlchemy column type


def _read(table: str, column: str) -> list[tuple[int, str]]:
    sql = f"SELECT id, CAST({column} AS TEXT) FROM {table} WHERE {column} IS NOT NULL"  # noqa: S608
    rows = op.get_bind().execute(sa.text(sql))
    return [(int(row[0]), str(row[1])) for row in rows]


def _read_blobs(table: str, column: str) -> list[tuple[int, bytes]]:
    sql = f"SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL"  # noqa: S608
    rows = op.get_bind().execute(sa.text(sql))
    return [(int(row[0]), bytes(row[1])) for row in rows]


def _write(table: str, column: str, values: list[tuple[int, object]], kind: Kind) -> None:
    sql = f"UPDATE {table} SET {column} = :value WHERE id = :id"  # noqa: S608
    statement = sa.text(sql).bindparams(sa.bindparam("value", type_=kind))
    for row_id, value in values:
        op.get_bind().execute(statement, {"id": row_id, "value": value})


def _tables() -> list[str]:
    return list(dict.fromkeys(table for table, *_ in SENSITIVE))


def _alter(table: str, columns: list[tuple[str, Kind, Kind, bool, str]]) -> None:
    """Change column types; on PostgreSQL with an explicit USING expression."""
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table(table) as batch:
        for column, old, new, nullable, using in columns:
            batch.alter_column(
                column,
                existing_type=old,
                type_=new,
                existing_nullable=nullable,
                postgresql_using=using if dialect == "postgresql" else None,
            )


def upgrade() -> None:
    op.create_table(
        "encryption_keys",
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("check_value", sa.String(length=64), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key_id", name=op.f("pk_encryption_keys")),
    )
    op.create_table(
        "report_facts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("region", sa.String(length=30), nullable=True),
        sa.Column("recommended_product", sa.String(length=30), nullable=True),
        sa.Column("submitter_kind", sa.String(length=20), nullable=False),
        sa.Column("submitter_convenant_partner", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decided_product", sa.String(length=30), nullable=True),
        sa.Column("intake_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('nieuw', 'in_behandeling', 'info_gevraagd', 'intake_gepland', "
            "'geaccepteerd', 'doorverwezen', 'afgewezen', 'ingetrokken')",
            name=op.f("ck_report_facts_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_facts")),
    )
    op.create_index(op.f("ix_report_facts_created_at"), "report_facts", ["created_at"])
    with op.batch_alter_table("pre_aanmeldingen") as batch:
        batch.add_column(sa.Column("erasure_requested_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("handed_over_at", sa.DateTime(timezone=True)))
    op.create_index(
        op.f("ix_pre_aanmeldingen_erasure_requested_at"),
        "pre_aanmeldingen",
        ["erasure_requested_at"],
    )

    # Read what is in clear, change the types, write it back encrypted.
    plain = {(t, c): _read(t, c) for t, c, *_ in SENSITIVE}
    for table in _tables():
        columns = []
        for t, column, _is_json, nullable, old in SENSITIVE:
            if t != table:
                continue
            using = f"convert_to({column}::text, 'UTF8')"
            columns.append((column, old, sa.LargeBinary(), nullable, using))
        _alter(table, columns)
    encrypted = 0
    for (table, column), rows in plain.items():
        if not rows:
            continue
        if not SensitiveValueCodec.configured():
            raise RuntimeError(_NEEDS_KEY)
        is_json = next(j for t, c, j, *_ in SENSITIVE if (t, c) == (table, column))
        context = f"{table}.{column}"
        values: list[tuple[int, object]] = [
            (
                row_id,
                SensitiveValueCodec.encode(json.loads(text), context)
                if is_json
                else SensitiveValueCodec.encode_text(text, context),
            )
            for row_id, text in rows
        ]
        _write(table, column, values, sa.LargeBinary())
        encrypted += len(values)
    if encrypted:
        key = SensitiveValueCodec.keyring().current
        op.get_bind().execute(
            sa.text(
                "INSERT INTO encryption_keys (key_id, check_value, added_at) "
                "VALUES (:key_id, :check_value, :added_at)"
            ).bindparams(sa.bindparam("added_at", type_=sa.DateTime(timezone=True))),
            {
                "key_id": key.key_id,
                "check_value": key.check_value,
                "added_at": datetime.now(UTC).replace(tzinfo=None)
                if op.get_bind().dialect.name == "sqlite"
                else datetime.now(UTC),
            },
        )

    dialect = op.get_bind().dialect.name
    for statement in DROP_AUDIT.get(dialect, []) + NEW_AUDIT.get(dialect, []):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in DROP_AUDIT.get(dialect, []) + OLD_AUDIT.get(dialect, []):
        op.execute(statement)

    blobs = {(t, c): _read_blobs(t, c) for t, c, *_ in SENSITIVE}
    for table in _tables():
        columns = []
        for t, column, is_json, nullable, old in SENSITIVE:
            if t != table:
                continue
            # Placeholders that fit the old type; the real values are written below.
            using = "NULL" if nullable else ("'{}'::jsonb" if is_json else "''")
            columns.append((column, sa.LargeBinary(), old, nullable, using))
        _alter(table, columns)
    for (table, column), rows in blobs.items():
        if not rows:
            continue
        is_json, old = next((j, o) for t, c, j, _, o in SENSITIVE if (t, c) == (table, column))
        context = f"{table}.{column}"
        values: list[tuple[int, object]] = [
            (
                row_id,
                SensitiveValueCodec.decode(blob, context)
                if is_json
                else SensitiveValueCodec.decode_text(blob, context),
            )
            for row_id, blob in rows
        ]
        _write(table, column, values, old)

    op.drop_index(op.f("ix_pre_aanmeldingen_erasure_requested_at"), table_name="pre_aanmeldingen")
    with op.batch_alter_table("pre_aanmeldingen") as batch:
        batch.drop_column("handed_over_at")
        batch.drop_column("erasure_requested_at")
    op.drop_index(op.f("ix_report_facts_created_at"), table_name="report_facts")
    op.drop_table("report_facts")
    op.drop_table("encryption_keys")
