"""The operator's service data: the loket's own contact, night shelters, cold-weather
shelter and day centres per region, with addresses, phones and opening times.

None of this is in the source documents, so none of it may be invented: an operator
fills it in. The file is shaped after Open Referral HSDS (organisations that offer
services, each with locations, phones and schedules), so a municipality's social map
can be loaded into it; `x_role` says what the bot uses a service for and
`service_areas` lists the region ids it serves.

`parse_directory(text, source)` checks a file and reports every problem with its file
and line; `missing_for_production` names what a live service still lacks. Pure: the
host reads the file and passes the text in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import TYPE_CHECKING

from flows.data_files import DATA

if TYPE_CHECKING:
    from flows.marked_yaml import MarkedValue


__all__ = [
    "REGIONS",
    "ROLES",
    "Address",
    "DirectoryError",
    "Schedule",
    "Service",
    "ServiceDirectory",
    "missing_for_production",
    "parse_directory",
    "sample_directory",
]

# What the bot uses a service for.
ROLES = ("loket", "night_shelter", "cold_weather", "day_centre", "care_finder")
REGIONS = ("parkstad", "westelijke_mijnstreek", "maastricht", "heuvelland")
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
SAMPLE_FILE = "service_directory.sample.yaml"

_PHONE_CHARS = re.compile(r"^\+?[0-9][0-9 ()\-]{5,22}$")
_TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Address:
    address_1: str
    postal_code: str
    city: str


@dataclass(frozen=True)
class Schedule:
    """HSDS schedule: on which days, from when to when, and in which period."""

    byday: tuple[str, ...] = ()
    opens_at: str | None = None
    closes_at: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None

    def valid_on(self, on: date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_to is None or on <= self.valid_to
        )


@dataclass(frozen=True)
class Service:
    id: str
    organization: str
    name: str
    role: str
    service_areas: tuple[str, ...]
    phones: tuple[str, ...] = ()
    email: str | None = None
    url: str | None = None
    address: Address | None = None
    schedules: tuple[Schedule, ...] = ()
    response_working_days: int | None = None  # the loket: how soon it answers

    def valid_on(self, on: date) -> bool:
        """Offered on a date: no schedule period, or one that covers the date."""
        periods = [s for s in self.schedules if s.valid_from or s.valid_to]
        return not periods or any(s.valid_on(on) for s in periods)

    @property
    def opening_hours(self) -> tuple[Schedule, ...]:
        return tuple(s for s in self.schedules if s.byday and s.opens_at and s.closes_at)


@dataclass(frozen=True)
class ServiceDirectory:
    source: str
    sample: bool
    services: tuple[Service, ...] = field(default_factory=tuple)

    def by_role(self, role: str, region: str | None = None) -> tuple[Service, ...]:
        return tuple(
            s
            for s in self.services
            if s.role == role and (region is None or region in s.service_areas)
        )

    @property
    def loket(self) -> Service | None:
        found = self.by_role("loket")
        return found[0] if found else None


class DirectoryError(ValueError):
    """A service data file with problems; each names the file and line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def phone_problem(number: str) -> str | None:
    """Why a phone number is not one we can show, or None."""
    if not _PHONE_CHARS.match(number):
        return "is not a phone number; write digits, spaces and hyphens, e.g. 045 123 4567"
    digits = re.sub(r"\D", "", number)
    if number.startswith("+"):
        ok = (digits.startswith("31") and len(digits) == 11) or not digits.startswith("31")
        ok = ok and 8 <= len(digits) <= 15
    elif digits.startswith(("0800", "0900")):
        ok = 8 <= len(digits) <= 11
    else:
        ok = digits.startswith("0") and len(digits) == 10
    return (
        None
        if ok
        else "has the wrong number of digits; expected 10 (0800/0900: 8 to 11, or +country code)"
    )


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[str] = []

    def problem(self, line: int, message: str) -> None:
        self.problems.append(f"{self.source}:{line}: {message}")

    def text(self, node: MarkedValue | None, where: str, line: int) -> str | None:
        if node is None:
            return None
        if not isinstance(node.value, str | int) or isinstance(node.value, bool):
            self.problem(node.line, f"{where}: expected a text")
            return None
        value = str(node.value).strip()
        if not value:
            self.problem(node.line, f"{where}: expected a text, got nothing")
            return None
        return value

    def date(self, node: MarkedValue | None, where: str) -> date | None:
        if node is None:
            return None
        value = node.value
        if isinstance(value, date):
            return value
        if not isinstance(value, str) or not _DATE.match(value):
            self.problem(node.line, f"{where}: {value!r} is not a date written YYYY-MM-DD")
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.problem(node.line, f"{where}: {value!r} is not a date that exists")
            return None

    def items(self, node: MarkedValue | None, where: str) -> list[MarkedValue]:
        if node is None:
            return []
        if not node.is_sequence:
            self.problem(node.line, f"{where}: expected a list")
            return []
        return list(node.value)

    def mapping(self, node: MarkedValue, where: str, keys: Iterable[str]) -> dict[str, MarkedValue]:
        if not node.is_mapping:
            self.problem(node.line, f"{where}: expected a mapping")
            return {}
        allowed = set(keys)
        for key in node.value:
            if key not in allowed:
                self.problem(
                    node.key_lines.get(key, node.line),
                    f"{where}: unknown key {key!r}; expected one of {', '.join(sorted(allowed))}",
                )
        return dict(node.value)

    def schedule(self, node: MarkedValue, where: str) -> Schedule | None:
        raw = self.mapping(
            node, where, ("byday", "opens_at", "closes_at", "valid_from", "valid_to")
        )
        byday: tuple[str, ...] = ()
        if "byday" in raw:
            days = str(raw["byday"].value).replace(" ", "").split(",")
            wrong = [d for d in days if d not in DAYS]
            if wrong:
                self.problem(
                    raw["byday"].line,
                    f"{where}.byday: unknown day {wrong[0]!r}; expected {','.join(DAYS)}",
                )
            byday = tuple(d for d in DAYS if d in days)
        times: dict[str, str | None] = {}
        for key in ("opens_at", "closes_at"):
            value = raw.get(key)
            times[key] = None
            if value is not None:
                text = str(value.value)
                if not _TIME.match(text):
                    self.problem(value.line, f"{where}.{key}: {text!r} is not a time written HH:MM")
                else:
                    times[key] = text
        valid_from = self.date(raw.get("valid_from"), f"{where}.valid_from")
        valid_to = self.date(raw.get("valid_to"), f"{where}.valid_to")
        if valid_from and valid_to and valid_to < valid_from:
            self.problem(raw["valid_to"].line, f"{where}.valid_to: before valid_from")
        if byday and not (times["opens_at"] and times["closes_at"]):
            self.problem(node.line, f"{where}: 'byday' needs 'opens_at' and 'closes_at'")
        return Schedule(byday, times["opens_at"], times["closes_at"], valid_from, valid_to)

    def service(self, node: MarkedValue, where: str, organization: str) -> Service | None:
        keys = (
            "id",
            "name",
            "x_role",
            "service_areas",
            "phones",
            "email",
            "url",
            "address",
            "schedules",
            "x_response_working_days",
        )
        raw = self.mapping(node, where, keys)
        if not raw:
            return None
        sid = self.text(raw.get("id"), f"{where}.id", node.line)
        name = self.text(raw.get("name"), f"{where}.name", node.line)
        role = self.text(raw.get("x_role"), f"{where}.x_role", node.line)
        for key, value in (("id", sid), ("name", name), ("x_role", role)):
            if value is None and key not in raw:
                self.problem(node.line, f"{where}: needs {key!r}")
        if role is not None and role not in ROLES:
            self.problem(
                raw["x_role"].line, f"{where}.x_role: {role!r}; expected one of {', '.join(ROLES)}"
            )
        areas: list[str] = []
        for item in self.items(raw.get("service_areas"), f"{where}.service_areas"):
            if item.value not in REGIONS:
                self.problem(
                    item.line,
                    f"{where}.service_areas: {item.value!r}; expected one of {', '.join(REGIONS)}",
                )
            else:
                areas.append(str(item.value))
        if not areas:
            self.problem(node.line, f"{where}: needs 'service_areas' (region ids)")
        phones: list[str] = []
        for item in self.items(raw.get("phones"), f"{where}.phones"):
            number = self.text(
                item.value.get("number") if item.is_mapping else item, f"{where}.phones", item.line
            )
            if number is None:
                continue
            problem = phone_problem(number)
            if problem:
                self.problem(item.line, f"{where}.phones: {number!r} {problem}")
            else:
                phones.append(number)
        email = self.text(raw.get("email"), f"{where}.email", node.line)
        if email is not None and not _EMAIL.match(email):
            self.problem(raw["email"].line, f"{where}.email: {email!r} is not an e-mail address")
            email = None
        address = None
        if "address" in raw:
            parts = self.mapping(
                raw["address"], f"{where}.address", ("address_1", "postal_code", "city")
            )
            values = [
                self.text(parts.get(k), f"{where}.address.{k}", raw["address"].line)
                for k in ("address_1", "postal_code", "city")
            ]
            if all(values):
                address = Address(*(v for v in values if v))
            else:
                self.problem(
                    raw["address"].line, f"{where}.address: needs address_1, postal_code and city"
                )
        schedules = [
            s
            for i, item in enumerate(self.items(raw.get("schedules"), f"{where}.schedules"))
            if (s := self.schedule(item, f"{where}.schedules[{i}]")) is not None
        ]
        days = raw.get("x_response_working_days")
        response = None
        if days is not None:
            if (
                isinstance(days.value, bool)
                or not isinstance(days.value, int)
                or not 1 <= days.value <= 30
            ):
                self.problem(
                    days.line,
                    f"{where}.x_response_working_days: expected a whole number from 1 to 30",
                )
            else:
                response = days.value
        if sid is None or name is None or role is None:
            return None
        return Service(
            id=sid,
            organization=organization,
            name=name,
            role=role,
            service_areas=tuple(areas),
            phones=tuple(phones),
            email=email,
            url=self.text(raw.get("url"), f"{where}.url", node.line),
            address=address,
            schedules=tuple(schedules),
            response_working_days=response,
        )


def parse_directory(text: str, source: str) -> ServiceDirectory:
    """Check a service data file; raise `DirectoryError` naming file and line of each problem."""
    from flows.marked_yaml import compose  # PyYAML: only when a file is read

    root, yaml_problems = compose(text)
    reader = _Reader(source)
    for problem in yaml_problems:
        reader.problem(problem.line, problem.message)
    if root is None or not root.is_mapping:
        if not yaml_problems:
            reader.problem(1, "expected a mapping with 'organizations'")
        raise DirectoryError(reader.problems)
    top = reader.mapping(root, "file", ("sample", "organizations"))
    sample_node = top.get("sample")
    sample = bool(sample_node.value) if sample_node is not None else False
    services: list[Service] = []
    seen: set[str] = set()
    organizations = reader.items(top.get("organizations"), "organizations")
    if not organizations:
        reader.problem(root.line, "needs 'organizations': a list")
    for i, org in enumerate(organizations):
        where = f"organizations[{i}]"
        raw = reader.mapping(org, where, ("id", "name", "services"))
        name = reader.text(raw.get("name"), f"{where}.name", org.line)
        if name is None and "name" not in raw:
            reader.problem(org.line, f"{where}: needs 'name'")
        for j, item in enumerate(reader.items(raw.get("services"), f"{where}.services")):
            service = reader.service(item, f"{where}.services[{j}]", name or "")
            if service is None:
                continue
            if service.id in seen:
                reader.problem(item.line, f"{where}.services[{j}].id: {service.id!r} is used twice")
            seen.add(service.id)
            services.append(service)
    loket = [s for s in services if s.role == "loket"]
    if len(loket) > 1:
        reader.problem(root.line, "more than one service has x_role 'loket'")
    if reader.problems:
        raise DirectoryError(reader.problems)
    return ServiceDirectory(source, sample, tuple(services))


def missing_for_production(directory: ServiceDirectory) -> list[str]:
    """What a live service lacks: each item names the file and what to add."""
    where = directory.source
    missing: list[str] = []
    if directory.sample:
        missing.append(f"{where}: holds sample data ('sample: true'); give the real data")
    loket = directory.loket
    if loket is None:
        missing.append(f"{where}: the loket itself (a service with x_role: loket)")
    else:
        for what, ok in (
            ("a phone number", bool(loket.phones)),
            ("an e-mail address", loket.email is not None),
            ("an address", loket.address is not None),
            (
                "opening hours (schedules with byday, opens_at, closes_at)",
                bool(loket.opening_hours),
            ),
            ("x_response_working_days", loket.response_working_days is not None),
        ):
            if not ok:
                missing.append(f"{where}: the loket's {what}")
    for region in REGIONS:
        shelters = [s for s in directory.by_role("night_shelter", region) if s.phones or s.address]
        if not shelters:
            missing.append(f"{where}: a night shelter with address or phone for region {region}")
        if not directory.by_role("cold_weather", region):
            missing.append(
                f"{where}: the cold-weather arrangement (x_role: cold_weather) for region {region}"
            )
    return missing


@cache
def sample_directory() -> ServiceDirectory:
    """The clearly-marked sample data shipped for `make run` and tests."""
    text = (DATA / SAMPLE_FILE).read_text(encoding="utf-8")
    return parse_directory(text, f"flows/data/{SAMPLE_FILE}")
