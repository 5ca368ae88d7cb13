"""Who may do what: roles, permissions and a staff member's region scope.

| permission | medewerker | coordinator | beheerder |
|---|---|---|---|
| `cases`: queue, detail, actions | own regions | all regions | - |
| `reports` | - | yes | - |
| `statistics`: where people stop (anonymous counts) | - | yes | yes |
| `audit`: the audit log and its export | - | - | yes |
| `accounts`: the list of staff accounts | - | - | yes |
| `privacy`: erasure requests, erasing a person | - | yes | yes |
| `access_copy`: a person's access copy, finding a person | - | yes | - |

A route a role may not use answers 403. A pre-aanmelding outside a medewerker's
regions answers 404, exactly as one that does not exist, so guessing reference codes
reveals nothing. Pre-aanmeldingen from outside Zuid-Limburg (no region) are seen by
coordinators only. A beheerder manages accounts and reads the audit log, which holds
ids and codes only; a beheerder sees no client data: a beheerder can carry out an
erasure by reference code (docs/privacy.md) without seeing the record. Where people
stop (`statistics`) holds counts only, nothing about any person: coordinators and
beheerders both read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from storage.staff import StaffUser

__all__ = [
    "PERMISSIONS",
    "REGIONS",
    "Permission",
    "Role",
    "Staff",
    "allowed",
    "region_scope",
]

REGIONS: tuple[str, ...] = ("parkstad", "westelijke_mijnstreek", "maastricht", "heuvelland")


class Role(StrEnum):
    MEDEWERKER = "medewerker"
    COORDINATOR = "coordinator"
    BEHEERDER = "beheerder"


class Permission(StrEnum):
    CASES = "cases"
    REPORTS = "reports"
    AUDIT = "audit"
    ACCOUNTS = "accounts"
    PRIVACY = "privacy"
    ACCESS_COPY = "access_copy"
    STATISTICS = "statistics"


PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.MEDEWERKER: frozenset({Permission.CASES}),
    Role.COORDINATOR: frozenset(
        {
            Permission.CASES,
            Permission.REPORTS,
            Permission.PRIVACY,
            Permission.ACCESS_COPY,
            Permission.STATISTICS,
        }
    ),
    Role.BEHEERDER: frozenset(
        {Permission.AUDIT, Permission.ACCOUNTS, Permission.PRIVACY, Permission.STATISTICS}
    ),
}


@dataclass(frozen=True)
class Staff:
    """The logged-in staff member, as the routes see them."""

    id: int
    username: str
    role: Role
    regions: tuple[str, ...]

    @classmethod
    def of(cls, user: StaffUser) -> Staff:
        return cls(user.id, user.username, Role(user.role), user.regions)

    def may(self, permission: Permission) -> bool:
        return allowed(self.role, permission)

    @property
    def scope(self) -> frozenset[str] | None:
        return region_scope(self.role, self.regions)


def allowed(role: Role, permission: Permission) -> bool:
    return permission in PERMISSIONS[role]


def region_scope(role: Role, regions: tuple[str, ...]) -> frozenset[str] | None:
    """The regions whose pre-aanmeldingen a role sees: None for all (coordinator), the
    given regions for a medewerker, none for a beheerder."""
    if role is Role.COORDINATOR:
        return None
    if role is Role.MEDEWERKER:
        return frozenset(r for r in regions if r in REGIONS)
    return frozenset()
