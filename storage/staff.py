"""Staff users of the loket dashboard: username, password hash, TOTP secret, role,
regions they work in, and whether the account is disabled. Hashing passwords and
checking TOTP codes belong to the dashboard; this store keeps what it is given."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.engine import Clock
from storage.tables import STAFF_ROLES, StaffUserRow

__all__ = ["SqlStaffUserStore", "StaffUser", "StaffUserStore", "UnknownStaffUser"]


@dataclass(frozen=True)
class StaffUser:
    id: int
    username: str
    role: str
    regions: tuple[str, ...]
    disabled: bool
    created_at: datetime
    password_hash: str = field(repr=False)
    totp_secret: str | None = field(repr=False)


class UnknownStaffUser(LookupError):
    pass


class StaffUserStore(Protocol):
    async def create(
        self,
        username: str,
        *,
        password_hash: str,
        role: str,
        regions: Iterable[str] = (),
        totp_secret: str | None = None,
    ) -> StaffUser: ...

    async def get(self, staff_user_id: int) -> StaffUser | None: ...

    async def by_username(self, username: str) -> StaffUser | None: ...

    async def all(self) -> list[StaffUser]: ...

    async def update(
        self,
        staff_user_id: int,
        *,
        password_hash: str | None = None,
        totp_secret: str | None = None,
        role: str | None = None,
        regions: Iterable[str] | None = None,
        disabled: bool | None = None,
    ) -> StaffUser: ...


def _staff_user(row: StaffUserRow) -> StaffUser:
    assert row.id is not None
    return StaffUser(
        id=row.id,
        username=row.username,
        role=row.role,
        regions=tuple(row.regions),
        disabled=row.disabled,
        created_at=row.created_at,
        password_hash=row.password_hash,
        totp_secret=row.totp_secret,
    )


def _check_role(role: str) -> None:
    if role not in STAFF_ROLES:
        raise ValueError(f"unknown role {role!r}; expected one of {', '.join(STAFF_ROLES)}")


class SqlStaffUserStore:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self._session, self._clock = session, clock

    async def create(
        self,
        username: str,
        *,
        password_hash: str,
        role: str,
        regions: Iterable[str] = (),
        totp_secret: str | None = None,
    ) -> StaffUser:
        _check_role(role)
        row = StaffUserRow(
            username=username,
            password_hash=password_hash,
            totp_secret=totp_secret,
            role=role,
            regions=list(regions),
            created_at=self._clock(),
        )
        self._session.add(row)
        await self._session.flush()
        return _staff_user(row)

    async def _row(self, staff_user_id: int) -> StaffUserRow | None:
        return await self._session.get(StaffUserRow, staff_user_id)

    async def get(self, staff_user_id: int) -> StaffUser | None:
        row = await self._row(staff_user_id)
        return None if row is None else _staff_user(row)

    async def by_username(self, username: str) -> StaffUser | None:
        result = await self._session.scalars(
            select(StaffUserRow).where(col(StaffUserRow.username) == username)
        )
        row = result.first()
        return None if row is None else _staff_user(row)

    async def all(self) -> list[StaffUser]:
        result = await self._session.scalars(select(StaffUserRow).order_by(col(StaffUserRow.id)))
        return [_staff_user(row) for row in result]

    async def update(
        self,
        staff_user_id: int,
        *,
        password_hash: str | None = None,
        totp_secret: str | None = None,
        role: str | None = None,
        regions: Iterable[str] | None = None,
        disabled: bool | None = None,
    ) -> StaffUser:
        row = await self._row(staff_user_id)
        if row is None:
            raise UnknownStaffUser(f"no staff user with id {staff_user_id}")
        if role is not None:
            _check_role(role)
            row.role = role
        if password_hash is not None:
            row.password_hash = password_hash
        if totp_secret is not None:
            row.totp_secret = totp_secret
        if regions is not None:
            row.regions = list(regions)
        if disabled is not None:
            row.disabled = disabled
        self._session.add(row)
        await self._session.flush()
        return _staff_user(row)
