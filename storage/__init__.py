"""Persistence: SQLModel tables, repositories and migrations (SQLite and PostgreSQL).

Import from the modules; this package module stays light, so importing
`storage.lifecycle` does not load the ORM.

- `storage.database.Database`: one per process; `unit_of_work()` opens a transaction.
- `storage.unit_of_work.UnitOfWork`: the stores below, `lock_conversation`, commit on
  leaving the block, rollback on an exception.
- Stores: `conversations`, `processed_updates`, `pre_aanmeldingen`, `outbox`,
  `audit`, `staff`.
- `storage.lifecycle`: the pre-aanmelding statuses and their allowed transitions.
- `storage.engine`: `check_database`, `DatabaseUnavailable`, `create_engine`.
- `storage.disk_faults`: `DatabaseWriteFailed` (a full disk), `DatabaseDamaged`, and
  the readiness hold after one; `storage.sqlite_integrity`: the damaged-file check at
  start; `storage.sqlite_backup`: `intake db backup`.
- `storage.migrate`: `prepare_database`, `upgrade`, `check_schema`.
- `storage.export`: records, CSV and JSON for `intake export`.
- `storage.column_types`: `SensitiveValueCodec`, the encryption-at-rest hook.

See docs/storage.md.
"""
