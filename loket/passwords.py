"""Password hashes for staff accounts: argon2id (argon2-cffi's recommended parameters).

`verify_password` always spends the time of one verification, also for an unknown
account (against a fixed dummy hash), so response times do not tell which usernames
exist.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "PasswordTooWeak",
    "check_new_password",
    "hash_password",
    "needs_rehash",
    "verify_password",
]

MIN_PASSWORD_LENGTH = 12


class PasswordTooWeak(ValueError):
    pass


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@cache
def _dummy_hash() -> str:
    return _hasher().hash("not a password of anyone")


def check_new_password(password: str, username: str = "") -> None:
    """Raise `PasswordTooWeak` with the reason for a password that is too easy."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordTooWeak(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if username and username.lower() in password.lower():
        raise PasswordTooWeak("a password must not contain the username")
    if len(set(password)) < 5:
        raise PasswordTooWeak("a password needs more different characters")


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches; `None` (no such account) takes as long and is False."""
    try:
        return _hasher().verify(password_hash or _dummy_hash(), password) and (
            password_hash is not None
        )
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return _hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True
