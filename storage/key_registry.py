"""Which encryption key a database was encrypted with, and re-encryption with a new one.

The table `encryption_keys` holds, per key that encrypted data here, its id and a
check value (HMAC under the key; see `storage.encryption`): the key's fingerprint. At
start the service checks the configured keyring against it and against the data
itself (`check_keys`): the newest value of every encrypted column must name a
configured key and open with it. So a missing or wrong key is refused with a clear
message before anything is written (also when the registry was lost or comes from
another database), instead of failing later on the first sensitive value, or
registering a wrong key for data it cannot read. A new database, without a key and
without encrypted data, registers the configured key.

`rotate_keys` re-encrypts every sensitive value with the current key (the old one must
be configured as an old key meanwhile), in one transaction, and then forgets the old
key. Run it while the service is stopped.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import URL, LargeBinary, Table, delete, inspect, select, type_coerce, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.column_types import SensitiveJSON, SensitiveText, SensitiveValueCodec
from storage.database import Database
from storage.encryption import Keyring, UndecryptableValue, envelope_key_id, is_envelope
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
    "stored_key_ids",
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


async def _newest_values(connection: AsyncConnection) -> list[tuple[str, bytes]]:
    """(context, stored bytes) of the newest value of every encrypted column that the
    database has (an older schema may lack some): a sample of what the key must open."""

    def columns(sync_connection: object) -> dict[str, set[str]]:
        found = inspect(sync_connection)
        return {t: {c["name"] for c in found.get_columns(t)} for t in found.get_table_names()}

    present = await connection.run_sync(columns)
    values: list[tuple[str, bytes]] = []
    for table, names in sensitive_columns().items():
        for name in names:
            if name not in present.get(table, set()):
                continue
            column = metadata.tables[table].c[name]
            stored = type_coerce(column, LargeBinary())  # as stored: not decrypted
            blob = await connection.scalar(
                select(stored)
                .where(column.is_not(None))
                .order_by(metadata.tables[table].c.id.desc())
                .limit(1)
            )
            if isinstance(blob, bytes | bytearray | memoryview):  # not clear text (old)
                values.append((f"{table}.{name}", bytes(blob)))  # the column's context
    return values


async def stored_key_ids(url: str | URL) -> set[str]:
    """The keys that the newest stored values name (empty: no encrypted data), whatever
    the registry says."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            values = await _newest_values(connection)
    finally:
        await engine.dispose()
    return {key_id for _, blob in values if (key_id := envelope_key_id(blob)) is not None}


async def has_registered_keys(url: str | URL) -> bool:
    """Whether the database holds data under some key (False: new, or from before
    encryption at rest; then a new key may be made for it)."""
    return bool(await registered_keys(url))


def _describe(keys: list[RegisteredKey]) -> str:
    return ", ".join(key.key_id for key in keys)


def _fits(keyring: Keyring, key: RegisteredKey) -> bool:
    own = keyring.key(key.key_id)
    return own is not None and hmac.compare_digest(own.check_value, key.check_value)


def _put_back(source: str) -> str:
    """What to do with the right key, by where the key comes from."""
    if source.isidentifier() and source.isupper():
        return f"set {source} to that key"
    return f"put that key back in {source} from your safe copy"


def _wrong_key(keyring: Keyring, where: str, theirs: str, source: str) -> KeyProblem:
    return KeyProblem(
        f"the encryption key from {source} (key {keyring.current.key_id}) does not open "
        f"the data in the database at {where}, which was encrypted with key {theirs}: "
        f"{_put_back(source)}, and check it with `intake keys check` (see "
        "docs/privacy.md, key management); nothing was changed"
    )


def _registry_problem(
    keyring: Keyring, keys: list[RegisteredKey], where: str, source: str
) -> KeyProblem | None:
    """What is wrong with `keyring` for the keys the database records (None: fine)."""
    current = next((key for key in keys if key.key_id == keyring.current.key_id), None)
    if current is None or not _fits(keyring, current):
        if any(_fits(keyring, key) for key in keys):
            return KeyProblem(
                f"the encryption key (key {keyring.current.key_id}) is new to the database "
                f"at {where}, which is encrypted with key {_describe(keys)}; run "
                "`intake keys rotate` (with the old key in ENCRYPTION_KEYS_OLD) before "
                "starting with the new key"
            )
        return _wrong_key(keyring, where, _describe(keys), source)
    missing = [key for key in keys if not _fits(keyring, key)]
    if missing:
        return KeyProblem(
            f"the database at {where} also holds data under key {_describe(missing)} "
            "(an unfinished rotation); add that key to ENCRYPTION_KEYS_OLD and run "
            "`intake keys rotate`"
        )
    return None


def _data_problem(
    keyring: Keyring, values: list[tuple[str, bytes]], where: str, source: str
) -> KeyProblem | None:
    """What is wrong with `keyring` for the stored values (None: it opens them all)."""
    for context, blob in values:
        if not is_envelope(blob):
            continue  # from before encryption at rest: the migration encrypts it
        key_id = envelope_key_id(blob)
        if keyring.key(str(key_id)) is None:
            return _wrong_key(keyring, where, str(key_id), source)
        try:
            keyring.decrypt(blob, context)
        except UndecryptableValue:
            return KeyProblem(
                f"the newest value in {context} of the database at {where} does not open "
                f"with key {key_id}, the key it names: it was changed, or copied from "
                "another database; check the database, and put back the latest backup "
                "if it is damaged"
            )
    return None


async def check_keys(
    url: str | URL,
    keyring: Keyring,
    *,
    register: bool = True,
    source: str = "ENCRYPTION_KEY",
    clock: Callable[[], object] | None = None,
) -> bool:
    """Refuse (`KeyProblem`, saying what to do) unless `keyring` opens the data in the
    database: its current key is the key the registry records, every other recorded
    key is configured, and the newest value of every encrypted column names a
    configured key and opens with it. `source` says where the key comes from (a
    setting's name or a key file), for the message.

    A database without a recorded key and without encrypted data gets the current
    key registered (when `register`); True then. Before the first migration (no
    registry yet) there is nothing to check: False, or `KeyProblem` when `register`.
    Only a registration writes."""
    where = safe_url(url)
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            keys = await _registered(connection)
            if keys is None:
                if not register:
                    return False
                raise KeyProblem(f"the database at {where} is not migrated; `intake db upgrade`")
            problem = _registry_problem(keyring, keys, where, source) if keys else None
            if problem is None:
                values = await _newest_values(connection)
                problem = _data_problem(keyring, values, where, source)
            if problem is not None:
                raise problem
            if keys or not register:
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
