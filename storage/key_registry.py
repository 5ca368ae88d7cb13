"""Which encryption key a database was encrypted with, and re-encryption with a new one.

The table `encryption_keys` holds, per key that encrypted data here, its id and a
check value (HMAC under the key; see `storage.encryption`). At start the service
checks the configured keyring against it (`check_keys`): a missing or wrong key is
refused with a clear message before anything is read or written, instead of failing
later on the first sensitive value. A new database registers the configured key.

`rotate_keys` re-encrypts every sensitive value with the current key (the old one must
be configured as an old key meanwhile), in one transaction, and then forgets the old
key. Run it while the service is stopped.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import URL, Table, delete, inspect, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.column_types import SensitiveJSON, SensitiveText, SensitiveValueCodec
from storage.database import Database
from storage.encryption import Keyring
from storage.engine import create_engine, safe_url
from storage.tables import EncryptionKeyRow, metadata

__all__ = [
    "KeyProblem",
    "RegisteredKey",
    "check_keys",
    "has_registered_keys",
    "registered_keys",
    "rotate_keys",
    "sensitive_columns",
]

_BATCH = 500


class KeyProblem(RuntimeError):
    """The configured keys do not fit the database (missing, wrong, rotation pending).
    The message says what to do; it names key ids, never keys."""


@dataclass(frozen=True)
class RegisteredKey:
    key_id: str
    check_value: str


def sensitive_columns() -> dict[str, tuple[str, ...]]:
    """Per table, the columns stored encrypted."""
    out: dict[str, tuple[str, ...]] = {}
    for table in metadata.sorted_tables:
        names = tuple(
            column.name
            for column in table.columns
            if isinstance(column.type, SensitiveJSON | SensitiveText)
        )
        if names:
            out[table.name] = names
    return out


async def _registered(connection: AsyncConnection) -> list[RegisteredKey] | None:
    def has_table(sync_connection: object) -> bool:
        return bool(inspect(sync_connection).has_table("encryption_keys"))

    if not await connection.run_sync(has_table):
        return None
    rows = await connection.execute(
        select(EncryptionKeyRow.key_id, EncryptionKeyRow.check_value)  # type: ignore[call-overload]
    )
    return [RegisteredKey(str(row[0]), str(row[1])) for row in rows]


async def registered_keys(url: str | URL) -> list[RegisteredKey] | None:
    """The keys registered in the database (None: not migrated this far yet)."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await _registered(connection)
    finally:
        await engine.dispose()


async def has_registered_keys(url: str | URL) -> bool:
    """Whether the database holds data under some key (False: new, or from before
    encryption at rest; then a new key may be made for it)."""
    return bool(await registered_keys(url))


def _describe(keys: list[RegisteredKey]) -> str:
    return ", ".join(key.key_id for key in keys)


def _fits(keyring: Keyring, key: RegisteredKey) -> bool:
    own = keyring.key(key.key_id)
    return own is not None and hmac.compare_digest(own.check_value, key.check_value)


async def check_keys(
    url: str | URL,
    keyring: Keyring,
    *,
    register: bool = True,
    clock: Callable[[], object] | None = None,
) -> bool:
    """Refuse (`KeyProblem`) unless `keyring` can read everything in the database and
    its current key is the database's key. A database without a key gets the current
    one registered (when `register`); True then."""
    where = safe_url(url)
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            keys = await _registered(connection)
            if keys is None:
                raise KeyProblem(f"the database at {where} is not migrated; `intake db upgrade`")
            if not keys:
                if not register:
                    return False
                from storage.engine import utc_now

                await connection.execute(
                    EncryptionKeyRow.__table__.insert().values(  # type: ignore[attr-defined]
                        key_id=keyring.current.key_id,
                        check_value=keyring.current.check_value,
                        added_at=(clock or utc_now)(),
                    )
                )
                return True
    finally:
        await engine.dispose()
    current = next((key for key in keys if key.key_id == keyring.current.key_id), None)
    if current is None or not _fits(keyring, current):
        old_fits = [key for key in keys if _fits(keyring, key)]
        if old_fits:
            raise KeyProblem(
                f"the encryption key (key {keyring.current.key_id}) is new to the database at "
                f"{where}, which is encrypted with key {_describe(keys)}; run "
                "`intake keys rotate` (with the old key in ENCRYPTION_KEYS_OLD) before "
                "starting with the new key"
            )
        raise KeyProblem(
            f"the encryption key (key {keyring.current.key_id}, from ENCRYPTION_KEY or "
            "the data directory's encryption_key file) is not the key of the database at "
            f"{where}, which is encrypted with key {_describe(keys)}; set ENCRYPTION_KEY "
            "to that key (see docs/privacy.md, key management)"
        )
    missing = [key for key in keys if not _fits(keyring, key)]
    if missing:
        raise KeyProblem(
            f"the database at {where} also holds data under key {_describe(missing)} "
            "(an unfinished rotation); add that key to ENCRYPTION_KEYS_OLD and run "
            "`intake keys rotate`"
        )
    return False


async def _reencrypt(connection: AsyncConnection, table: Table, columns: tuple[str, ...]) -> int:
    key = table.c.id
    ids = [row[0] for row in await connection.execute(select(key).order_by(key))]
    for start in range(0, len(ids), _BATCH):
        chunk = ids[start : start + _BATCH]
        rows = await connection.execute(
            select(key, *(table.c[name] for name in columns)).where(key.in_(chunk))
        )
        for row in rows.all():
            values = {name: value for name, value in zip(columns, row[1:], strict=True)}
            kept = {name: value for name, value in values.items() if value is not None}
            if kept:
                await connection.execute(update(table).where(key == row[0]).values(**kept))
    return len(ids)


async def rotate_keys(database: Database) -> dict[str, int]:
    """Re-encrypt every sensitive value with the configured current key and register
    only that key; rows per table. Every registered key must be configured (the old
    one in ENCRYPTION_KEYS_OLD), else `KeyProblem` and nothing changes."""
    keyring = SensitiveValueCodec.keyring()
    where = safe_url(database.engine.url)
    counts: dict[str, int] = {}
    async with database.engine.begin() as connection:
        keys = await _registered(connection)
        if keys is None:
            raise KeyProblem(f"the database at {where} is not migrated; run `intake db upgrade`")
        missing = [key for key in keys if not _fits(keyring, key)]
        if missing:
            raise KeyProblem(
                f"the database at {where} holds data under key {_describe(missing)}, which "
                "is not configured; put it in ENCRYPTION_KEYS_OLD (and the new key in "
                "ENCRYPTION_KEY)"
            )
        for name, columns in sensitive_columns().items():
            counts[name] = await _reencrypt(connection, metadata.tables[name], columns)
        table = EncryptionKeyRow.__table__  # type: ignore[attr-defined]
        await connection.execute(delete(table).where(table.c.key_id != keyring.current.key_id))
        if not any(key.key_id == keyring.current.key_id for key in keys):
            await connection.execute(
                table.insert().values(
                    key_id=keyring.current.key_id,
                    check_value=keyring.current.check_value,
                    added_at=database.clock(),
                )
            )
    return counts
