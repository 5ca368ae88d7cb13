"""Migration 0004 on a database that an older version filled in clear: every
sensitive value is encrypted (and still reads the same), the key is registered; the
downgrade gives the values back in clear. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Connection, text

from storage.database import Database
from storage.engine import create_engine
from storage.key_registry import registered_keys
from storage.migrate import alembic_config, sqlite_foreign_keys_off, upgrade_async
from tests.factories.databases import create_schema, drop_schema, schema_url, unique_schema
from tests.factories.environment import POSTGRES_URL
from tests.factories.tables import keyring, raw_dump

ROWS = [
    "INSERT INTO staff_users (id, username, password_hash, totp_secret, role, regions, "
    "disabled, created_at) VALUES (1, 'anna', 'h', 'TOTPGEHEIM', 'coordinator', '[]', "
    "false, '2025-01-01 00:00:00+00')",
    "INSERT INTO pre_aanmeldingen (id, reference, created_at, updated_at, channel, "
    "language, submitter_kind, submitter_name, submitter_convenant_partner, client_name, "
    "contact_preference, contact_address, profile, answers, eligible_products, reasons, "
    "referrals, rules_version, consent_text_version, consent_at, consent_given_by, "
    "status, crisis_follow_up, decision_reason) VALUES (1, 'LH-7K3Q-9P', "
    "'2025-01-01 00:00:00+00', '2025-01-01 00:00:00+00', 'telegram', 'nl', "
    "'professional', 'Sanne Janssen', false, 'P. Jansen', 'phone', '+31612345678', "
    '\'{"institution": "detention", "problems": ["addiction"]}\', '
    '\'{"living_situation": "institution"}\', \'["housing_justitieel"]\', '
    '\'[{"msgid": "Je zit nu in detentie."}]\', \'["aftercare_detention"]\', '
    "'r', 'clientinformatie-1', '2025-01-01 00:00:00+00', 'submitter_for_client', "
    "'nieuw', false, 'reden met geheim')",
    "INSERT INTO status_changes (id, pre_aanmelding_id, at, to_status, reason) "
    "VALUES (1, 1, '2025-01-01 00:00:00+00', 'nieuw', 'Gebeld met de zus')",
    "INSERT INTO staff_notes (id, pre_aanmelding_id, staff_user_id, at, text) "
    "VALUES (1, 1, 1, '2025-01-01 00:00:00+00', 'Slaapt in de auto')",
    "INSERT INTO outbox_messages (id, channel, recipient_hash, recipient, payload, "
    "created_at, attempts, next_attempt_at) VALUES (1, 'telegram', 'abc', '4242', "
    "'{\"text\": \"Je code is LH-7K3Q-9P\"}', '2025-01-01 00:00:00+00', 0, "
    "'2025-01-01 00:00:00+00')",
    "INSERT INTO web_chats (id, chat_id, transcript, locale, ended, created_at, "
    "updated_at, expires_at) VALUES (1, 'c1', '[{\"typed\": \"bij mijn moeder\"}]', 'nl', "
    "false, '2025-01-01 00:00:00+00', '2025-01-01 00:00:00+00', '2025-02-01 00:00:00+00')",
    "INSERT INTO conversation_sessions (id, channel, user_hash, flow_id, flow_version, "
    "state, language, created_at, updated_at, expires_at, version) VALUES (1, 'web', 'h', "
    "'zelfmelding', '1', '{\"typed\": \"verslaafd aan gokken\"}', 'nl', "
    "'2025-01-01 00:00:00+00', '2025-01-01 00:00:00+00', '2025-02-01 00:00:00+00', 1)",
]
SECRETS = (
    "TOTPGEHEIM",
    "Sanne Janssen",
    "P. Jansen",
    "+31612345678",
    "detention",
    "addiction",
    "Je zit nu in detentie",
    "aftercare_detention",
    "reden met geheim",
    "Gebeld met de zus",
    "Slaapt in de auto",
    "Je code is",
    "bij mijn moeder",
    "verslaafd aan gokken",
)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def old_database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A database at migration 0003, filled in clear as that version did."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path}/old.db"
        schema = None
    else:
        schema = unique_schema("lh_m4")
        await create_schema(schema)
        url = schema_url(POSTGRES_URL, schema)
    try:
        await upgrade_async(url, "0003")
        engine = create_engine(url)
        try:
            async with engine.begin() as connection:
                for statement in ROWS:
                    await connection.execute(text(statement))
        finally:
            await engine.dispose()
        yield url
    finally:
        if schema is not None:
            await drop_schema(schema)


async def downgrade(url: str, revision: str) -> None:
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        sqlite_foreign_keys_off(engine)
    try:
        async with engine.begin() as connection:

            def down(sync_connection: Connection) -> None:
                config = alembic_config(url)
                config.attributes["connection"] = sync_connection
                command.downgrade(config, revision)

            await connection.run_sync(down)
    finally:
        await engine.dispose()


async def dump(url: str) -> str:
    """The raw tables, through a fresh engine (PostgreSQL's prepared statements do not
    survive a change of column types)."""
    database = Database(url)
    try:
        return await raw_dump(database)
    finally:
        await database.dispose()


async def test_0004_encrypts_what_was_in_clear_and_back(old_database: str) -> None:
    before = await dump(old_database)
    assert all(secret in before for secret in SECRETS)
    await upgrade_async(old_database)
    after = await dump(old_database)
    assert [s for s in SECRETS if s in after] == []
    keys = await registered_keys(old_database)
    assert keys is not None and len(keys) == 1
    database = Database(old_database)
    try:
        async with database.unit_of_work(write=False) as uow:
            item = await uow.pre_aanmeldingen.get("LH-7K3Q-9P")
            [note] = await uow.pre_aanmeldingen.notes("LH-7K3Q-9P")
            staff = await uow.staff.get(1)
    finally:
        await database.dispose()
    assert item is not None and item.client_name == "P. Jansen"
    assert item.profile.problems == ("addiction",)
    assert item.decision_reason == "reden met geheim"
    assert note.text == "Slaapt in de auto"
    assert staff is not None and staff.totp_secret == "TOTPGEHEIM"
    await downgrade(old_database, "0003")
    again = await dump(old_database)
    assert all(secret in again for secret in SECRETS)


async def test_0004_needs_the_key_when_there_is_data_in_clear(old_database: str) -> None:
    with keyring(None), pytest.raises(RuntimeError, match="set ENCRYPTION_KEY"):
        await upgrade_async(old_database)
