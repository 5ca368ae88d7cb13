"""Encryption at rest: AES-256-GCM in a versioned envelope that names its key.

    envelope = b"LH" | version (1 byte) | key id (8 bytes) | nonce (12 bytes) | ciphertext+tag

The header (magic, version, key id) and the column's context string (e.g.
"pre_aanmeldingen.profile") are authenticated as associated data: a value cannot be
decrypted under another key, read as another column (a TOTP secret pasted into a
note stays unreadable), or changed unnoticed. The nonce is random per value (96 bits;
far below the 2^32 values per key where random nonces become a concern).

A `Keyring` holds the current key (new values) and older keys (reading values written
before a rotation). Keys are 32 random bytes, written as base64 (urlsafe or standard)
or 64 hex digits. A key's id is derived from the key (HMAC), so a value names its key
without naming anything secret; the key check value stored in the database
(`storage.key_registry`) is another HMAC of the key, so a wrong key is recognised
before any data is touched.

No key, no plaintext and no value ever appear in an error message.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = [
    "ENVELOPE_VERSION",
    "MAGIC",
    "EncryptionKey",
    "EncryptionKeyError",
    "Keyring",
    "UndecryptableValue",
    "envelope_key_id",
    "is_envelope",
]

MAGIC = b"LH"
ENVELOPE_VERSION = 1
_KEY_BYTES = 32
_ID_BYTES = 8
_NONCE_BYTES = 12
_HEADER = len(MAGIC) + 1 + _ID_BYTES
_HEX = re.compile(r"^[0-9a-fA-F]{64}$")


class EncryptionKeyError(ValueError):
    """A key that cannot be used (not 32 bytes in base64 or hex); says why, never the key."""


class UndecryptableValue(RuntimeError):
    """A stored value that this keyring cannot decrypt: written under a key that is not
    configured, tampered with, or not an envelope at all."""


@dataclass(frozen=True)
class EncryptionKey:
    material: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.material) != _KEY_BYTES:
            raise EncryptionKeyError(f"an encryption key is {_KEY_BYTES} bytes")

    @classmethod
    def from_text(cls, text: str, *, name: str = "ENCRYPTION_KEY") -> EncryptionKey:
        """A key as written in the environment or a key file: base64 or 64 hex digits."""
        value = text.strip()
        if _HEX.match(value):
            return cls(bytes.fromhex(value))
        padded = value + "=" * (-len(value) % 4)
        lengths: list[int] = []
        for altchars in (b"-_", None):  # urlsafe, then standard base64
            try:
                material = base64.b64decode(padded.encode("ascii"), altchars, validate=True)
            except (binascii.Error, ValueError, UnicodeEncodeError):
                continue
            if len(material) == _KEY_BYTES:
                return cls(material)
            lengths.append(len(material))
        if not value:
            why = "it is empty"
        elif lengths:
            why = f"it is {lengths[0]} bytes long"
        else:
            why = "it is neither base64 nor hex"
        raise EncryptionKeyError(
            f"{name} is not a usable key ({why}): a key is {_KEY_BYTES} random bytes "
            "written as base64 or 64 hex digits; put back the key from your safe copy, "
            "whole (a new key from `intake keys new` opens only a new database)"
        )

    @staticmethod
    def generate() -> str:
        """A new random key, as text for the environment or a key file."""
        return base64.urlsafe_b64encode(os.urandom(_KEY_BYTES)).decode("ascii")

    @property
    def key_id(self) -> str:
        """16 hex digits naming the key (derived from it; reveals nothing of it)."""
        return self._id_bytes.hex()

    @property
    def _id_bytes(self) -> bytes:
        return hmac.new(self.material, b"loket-housing key id v1", hashlib.sha256).digest()[
            :_ID_BYTES
        ]

    @property
    def check_value(self) -> str:
        """What the database stores to recognise this key (an HMAC of a fixed text)."""
        return hmac.new(self.material, b"loket-housing key check v1", hashlib.sha256).hexdigest()


def is_envelope(blob: bytes) -> bool:
    return len(blob) > _HEADER + _NONCE_BYTES and blob[:2] == MAGIC


def envelope_key_id(blob: bytes) -> str | None:
    """The key id an envelope names (None: not an envelope)."""
    return blob[3:_HEADER].hex() if is_envelope(blob) else None


class Keyring:
    """The current key (encrypts) and older keys (decrypt only)."""

    def __init__(self, current: EncryptionKey, old: Iterable[EncryptionKey] = ()) -> None:
        self.current = current
        self.old = tuple(k for k in old if k.key_id != current.key_id)
        self._by_id = {k._id_bytes: k for k in (current, *self.old)}

    @classmethod
    def from_texts(
        cls,
        current: str,
        old: Iterable[str] = (),
        *,
        name: str = "ENCRYPTION_KEY",
        old_name: str = "ENCRYPTION_KEYS_OLD",
    ) -> Keyring:
        return cls(
            EncryptionKey.from_text(current, name=name),
            [EncryptionKey.from_text(text, name=old_name) for text in old if text.strip()],
        )

    @property
    def key_ids(self) -> tuple[str, ...]:
        return tuple(k.key_id for k in (self.current, *self.old))

    def key(self, key_id: str) -> EncryptionKey | None:
        try:
            return self._by_id.get(bytes.fromhex(key_id))
        except ValueError:
            return None

    def encrypt(self, plaintext: bytes, context: str) -> bytes:
        key = self.current
        header = MAGIC + bytes([ENVELOPE_VERSION]) + key._id_bytes
        nonce = os.urandom(_NONCE_BYTES)
        sealed = AESGCM(key.material).encrypt(nonce, plaintext, header + context.encode())
        return header + nonce + sealed

    def decrypt(self, blob: bytes, context: str) -> bytes:
        if not is_envelope(blob):
            raise UndecryptableValue(f"a value in {context} is not encrypted data")
        if blob[2] != ENVELOPE_VERSION:
            raise UndecryptableValue(f"a value in {context} has envelope version {blob[2]}")
        header, nonce, sealed = (
            blob[:_HEADER],
            blob[_HEADER : _HEADER + _NONCE_BYTES],
            blob[_HEADER + _NONCE_BYTES :],
        )
        key = self._by_id.get(header[3:])
        if key is None:
            raise UndecryptableValue(
                f"a value in {context} was encrypted with key {header[3:].hex()}, which is "
                "not configured (ENCRYPTION_KEY or ENCRYPTION_KEYS_OLD)"
            )
        try:
            return AESGCM(key.material).decrypt(nonce, sealed, header + context.encode())
        except InvalidTag:
            raise UndecryptableValue(
                f"a value in {context} does not decrypt: changed, or moved from elsewhere"
            ) from None
