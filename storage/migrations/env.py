"""Alembic environment for the intake bot's database.

From code (`storage.migrate`), the caller passes an open connection in
`config.attributes["connection"]`. From the `alembic` command line (alembic.ini at the
repository root), the URL comes from `-x url=...`, else DATABASE_URL, else the
embedded default; async URLs are run through an async engine.
"""

from __future__ import annotations

import asyncio
import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

from storage.engine import create_engine
from storage.tables import metadata

DEFAULT_URL = "sqlite+aiosqlite:///./var/intake.db"  # bot.settings' default, INTAKE_HOME unset

config = context.config
if config.config_file_name is not None:  # the command line: log as alembic.ini says
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _url() -> str:
    return str(
        context.get_x_argument(as_dictionary=True).get("url")
        or config.attributes.get("database_url")
        or os.environ.get("DATABASE_URL")
        or DEFAULT_URL
    )


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )


def _run(connection: Connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str) -> None:
    from storage.migrate import sqlite_check_foreign_keys, sqlite_foreign_keys_off

    engine = create_engine(url)
    try:
        if engine.dialect.name == "sqlite":
            sqlite_foreign_keys_off(engine)
        async with engine.connect() as connection, connection.begin():
            await connection.run_sync(_run)
            if engine.dialect.name == "sqlite":
                await sqlite_check_foreign_keys(connection)
    finally:
        await engine.dispose()


def _configure_encryption() -> None:
    """From the command line: the key from ENCRYPTION_KEY (migration 0004 encrypts
    what was stored in clear). From code, the process configured it already."""
    from storage.column_types import SensitiveValueCodec
    from storage.encryption import Keyring

    current = os.environ.get("ENCRYPTION_KEY", "").strip()
    if current and not SensitiveValueCodec.configured():
        old = os.environ.get("ENCRYPTION_KEYS_OLD", "").split(",")
        SensitiveValueCodec.configure(Keyring.from_texts(current, old))


def run_offline() -> None:
    context.configure(url=_url(), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
    else:
        _configure_encryption()
        asyncio.run(_run_async(_url()))


if context.is_offline_mode():
    run_offline()
else:
    run_online()
