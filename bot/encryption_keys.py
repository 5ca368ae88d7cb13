"""The encryption key of this process, configured once at start (`intake serve` and
every `intake` command that opens the database). See docs/privacy.md, key management.

Where the key comes from, in order:
1. ENCRYPTION_KEY (and ENCRYPTION_KEYS_OLD while a rotation runs): production.
2. `encryption_key` in the data directory (INTAKE_HOME): a local install, made by an
   earlier `intake init` or `intake serve`.
3. Neither, and the database holds no encrypted data yet (new, or from before
   encryption at rest): `intake init` and `intake serve` (`create`) make a new key in
   the data directory (mode 0600) and say so; `make run` on a new machine just works.
   Every other command stops and says to run `intake init`: it makes no key.
An existing database without its key, or with another key, is refused: a clear
message and no start (`EncryptionSetupError`), before a migration or anything else
writes; "its key" is what the registry records and what its stored data names
(`storage.key_registry.check_keys`), so a lost registry does not let a new key in.
A malformed key (not base64 or hex, not 32 bytes, an empty key file) is refused the
same way, naming where it came from.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bot.key_files import write_new_key_file
from bot.settings import Settings
from storage.column_types import SensitiveValueCodec
from storage.encryption import EncryptionKey, EncryptionKeyError, Keyring
from storage.engine import check_database, safe_url
from storage.key_registry import KeyProblem, check_keys, registered_keys, stored_key_ids
from storage.migrate import check_schema, upgrade_async

__all__ = [
    "EncryptionSetupError",
    "open_database",
    "resolve_keyring",
]

Notify = Callable[[str], None]


class EncryptionSetupError(RuntimeError):
    """No usable key for this database; the message says what to do."""


def _from_settings(settings: Settings) -> Keyring | None:
    if settings.encryption_key is None:
        return None
    old_text = settings.encryption_keys_old
    old = old_text.get_secret_value().split(",") if old_text is not None else []
    try:
        return Keyring.from_texts(settings.encryption_key.get_secret_value(), old)
    except EncryptionKeyError as error:
        raise EncryptionSetupError(str(error)) from None


def _from_file(path: Path) -> Keyring | None:
    if not path.exists():
        return None
    try:
        return Keyring.from_texts(path.read_text(), name=str(path))
    except EncryptionKeyError as error:
        raise EncryptionSetupError(str(error)) from None


def _source(settings: Settings) -> str:
    """Where this process's key comes from, for messages."""
    return "ENCRYPTION_KEY" if settings.encryption_key else str(settings.encryption_key_file)


def _generate(path: Path) -> Keyring:
    """A new key in `path` (whole or not at all: `bot.key_files`); the key another
    start put there meanwhile, if one did."""
    key = EncryptionKey.generate()
    if not write_new_key_file(path, key + "\n"):
        made = _from_file(path)
        assert made is not None
        return made
    return Keyring.from_texts(key)


async def resolve_keyring(
    settings: Settings, url: str, *, notify: Notify, create: bool = False
) -> Keyring:
    """The keyring for `url` (see the module docstring), configured for this process;
    `create`: a new database may get a new key (`intake init`, `intake serve` only)."""
    key_file = settings.encryption_key_file
    keyring = _from_settings(settings) or _from_file(key_file)
    if keyring is None:
        keys = {key.key_id for key in await registered_keys(url) or []}
        keys |= await stored_key_ids(url)  # the data counts, whatever the registry says
        if keys:
            raise EncryptionSetupError(
                f"the database at {safe_url(url)} is encrypted (key "
                f"{', '.join(sorted(keys))}), but no encryption key is set: set "
                f"ENCRYPTION_KEY to that key, or put back {key_file}; the service does "
                "not start without it"
            )
        if not create:
            raise EncryptionSetupError(
                f"no encryption key: ENCRYPTION_KEY is not set and there is no {key_file}; "
                "run `intake init` to make one, or set INTAKE_HOME to the data directory "
                "that holds it"
            )
        keyring = _generate(key_file)
        notify(
            f"made a new encryption key in {key_file} (key {keyring.current.key_id}) for "
            f"the new database at {safe_url(url)}: keep a copy somewhere safe; without it "
            "the data cannot be read. In production set ENCRYPTION_KEY instead."
        )
    SensitiveValueCodec.configure(keyring)
    return keyring


async def open_database(
    settings: Settings,
    url: str,
    *,
    notify: Notify,
    migrate: bool,
    create: bool = False,
) -> Keyring:
    """At the start of a process: the keyring (configured), the database reachable and
    (`migrate`) migrated or (not `migrate`) current, and the keys fitting it. Raises
    `DatabaseUnavailable`, `SchemaNotCurrent` or `EncryptionSetupError`. `create`:
    a new key may be made (see the module docstring); a new SQLite file is made by
    reaching it, so only `intake init` and `intake serve` come here with a database
    that is not there yet (`bot.local_data`)."""
    _from_settings(settings)  # an unusable ENCRYPTION_KEY stops before anything is made
    await check_database(url)
    keyring = await resolve_keyring(settings, url, notify=notify, create=create)
    source = _source(settings)
    try:
        if migrate:  # a wrong key stops before a migration writes anything
            await check_keys(url, keyring, register=False, source=source)
            await upgrade_async(url)
        else:
            await check_schema(url)
        await check_keys(url, keyring, source=source)
    except KeyProblem as error:
        raise EncryptionSetupError(str(error)) from None
    return keyring
