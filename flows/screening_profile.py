"""The screening profile, version 1.1: the public data contract of `shared/spec`.

Field names and values are fixed; every field is optional and an absent (or null)
field means "not known". Version 1.1 only adds fields, so every version-1 profile is a
valid 1.1 profile with the same result. `parse_profile` checks a decoded JSON object and reports
every problem, each naming the field and what it accepts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

__all__ = [
    "BOOL_FIELDS",
    "FIELD_NAMES",
    "HOUSEHOLDS",
    "INSTITUTIONS",
    "JUSTICE_CONTACT",
    "NUISANCE",
    "PROBLEMS",
    "PROFILE_VERSION",
    "SLEEPING_PLACES",
    "SUPPORT_NEEDS",
    "FieldProblem",
    "ProfileError",
    "ScreeningProfile",
    "parse_profile",
]

PROFILE_VERSION = "1.1"

SLEEPING_PLACES = (
    "public_space",
    "emergency_shelter",
    "homeless_accommodation",
    "institution",
    "non_conventional",
    "family_friends",
    "own_home",
)
INSTITUTIONS = (
    "beschermd_wonen",
    "maatschappelijke_opvang",
    "ggz",
    "vg",
    "detention",
    "hospital",
    "other",
)
NUISANCE = ("none", "current_tenancy", "til_registration")
JUSTICE_CONTACT = ("none", "once", "repeated")
PROBLEMS = ("addiction", "psychiatric", "intellectual_disability", "somatic", "debts")
SUPPORT_NEEDS = ("none", "light", "intensive")
HOUSEHOLDS = ("alone", "with_partner", "with_children", "with_partner_and_children")


@dataclass(frozen=True)
class ScreeningProfile:
    municipality: str | None = None
    age: int | None = None
    sleeping_place: str | None = None
    institution: str | None = None
    ready_to_move_out: bool | None = None
    eviction_threat: bool | None = None
    ambulant_support_unsuitable_housing: bool | None = None
    nuisance: str | None = None
    rent_arrears: bool | None = None
    detention_release_date: date | None = None
    justice_contact: str | None = None
    homeless_months: int | None = None
    homeless_repeated: bool | None = None
    problems: tuple[str, ...] | None = None
    support_need: str | None = None
    accepts_support: bool | None = None
    # Version 1.1
    household: str | None = None
    children: int | None = None
    registered_address: bool | None = None
    health_insured: bool | None = None
    care_organisation: bool | None = None

    def facts(self) -> dict[str, Any]:
        """The known facts, by field name (lists as lists, dates as dates)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is not None:
                out[f.name] = list(value) if isinstance(value, tuple) else value
        return out

    def to_json(self) -> dict[str, Any]:
        """The profile as the spec's JSON object: known fields only."""
        out = self.facts()
        if "detention_release_date" in out:
            out["detention_release_date"] = out["detention_release_date"].isoformat()
        return out


@dataclass(frozen=True)
class FieldProblem:
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class ProfileError(ValueError):
    """A profile that does not follow the spec; `problems` names every field at fault."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _choices(values: tuple[str, ...]) -> str:
    return "one of " + ", ".join(values)


def _check_string(name: str, value: Any, allowed: tuple[str, ...] | None) -> FieldProblem | None:
    accepts = _choices(allowed) if allowed else "a text"
    if not isinstance(value, str):
        return FieldProblem(name, f"expected {accepts}, got {type(value).__name__}")
    if allowed is not None and value not in allowed:
        return FieldProblem(name, f"unknown value {value!r}; expected {accepts}")
    if allowed is None and not value.strip():
        return FieldProblem(name, "expected a municipality or town name, got an empty text")
    return None


def _check_int(name: str, value: Any, low: int, high: int) -> FieldProblem | None:
    accepts = f"a whole number from {low} to {high}"
    if isinstance(value, bool) or not isinstance(value, int):
        return FieldProblem(name, f"expected {accepts}, got {type(value).__name__}")
    if not low <= value <= high:
        return FieldProblem(name, f"{value} is out of range; expected {accepts}")
    return None


def _check_bool(name: str, value: Any) -> FieldProblem | None:
    if not isinstance(value, bool):
        return FieldProblem(name, f"expected true or false, got {type(value).__name__}")
    return None


_STRING_FIELDS: dict[str, tuple[str, ...] | None] = {
    "municipality": None,
    "sleeping_place": SLEEPING_PLACES,
    "institution": INSTITUTIONS,
    "nuisance": NUISANCE,
    "justice_contact": JUSTICE_CONTACT,
    "support_need": SUPPORT_NEEDS,
    "household": HOUSEHOLDS,
}
_INT_FIELDS = {"age": (0, 130), "homeless_months": (0, 1200), "children": (0, 30)}
BOOL_FIELDS = (  # the yes/no fields
    "ready_to_move_out",
    "eviction_threat",
    "ambulant_support_unsuitable_housing",
    "rent_arrears",
    "homeless_repeated",
    "accepts_support",
    "registered_address",
    "health_insured",
    "care_organisation",
)
FIELD_NAMES = tuple(f.name for f in fields(ScreeningProfile))


def _parse_date(name: str, value: Any) -> tuple[date | None, FieldProblem | None]:
    accepts = "a date written YYYY-MM-DD"
    if not isinstance(value, str):
        return None, FieldProblem(name, f"expected {accepts}, got {type(value).__name__}")
    parts = value.split("-")
    if (
        len(parts) != 3
        or [len(p) for p in parts] != [4, 2, 2]
        or not all(p.isdigit() for p in parts)
    ):
        return None, FieldProblem(name, f"{value!r} is not {accepts}")
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2])), None
    except ValueError:
        return None, FieldProblem(name, f"{value!r} is not a date that exists; expected {accepts}")


def _parse_problems(name: str, value: Any) -> tuple[tuple[str, ...] | None, FieldProblem | None]:
    accepts = "a list with any of " + ", ".join(PROBLEMS)
    if not isinstance(value, list):
        return None, FieldProblem(name, f"expected {accepts}, got {type(value).__name__}")
    for item in value:
        if not isinstance(item, str) or item not in PROBLEMS:
            return None, FieldProblem(name, f"unknown value {item!r}; expected {accepts}")
    # Keep the spec's order and drop repeats, so equal facts give equal profiles.
    return tuple(p for p in PROBLEMS if p in value), None


def parse_profile(data: Any) -> ScreeningProfile:
    """Check a decoded JSON value against the spec; raise `ProfileError` naming every fault."""
    if not isinstance(data, Mapping):
        kind = "nothing" if data is None else type(data).__name__
        raise ProfileError([FieldProblem("profile", f"expected a JSON object, got {kind}")])
    problems: list[FieldProblem] = []
    values: dict[str, Any] = {}
    for name in data:
        if name not in FIELD_NAMES:
            problems.append(
                FieldProblem(str(name), "unknown field; known fields are " + ", ".join(FIELD_NAMES))
            )
    for name in FIELD_NAMES:
        value = data.get(name)
        if value is None:
            continue
        problem: FieldProblem | None
        if name in _STRING_FIELDS:
            problem = _check_string(name, value, _STRING_FIELDS[name])
            parsed: Any = value.strip() if name == "municipality" and problem is None else value
        elif name in _INT_FIELDS:
            problem = _check_int(name, value, *_INT_FIELDS[name])
            parsed = value
        elif name in BOOL_FIELDS:
            problem = _check_bool(name, value)
            parsed = value
        elif name == "detention_release_date":
            parsed, problem = _parse_date(name, value)
        else:
            parsed, problem = _parse_problems(name, value)
        if problem:
            problems.append(problem)
        else:
            values[name] = parsed
    if problems:
        raise ProfileError(problems)
    return ScreeningProfile(**values)
