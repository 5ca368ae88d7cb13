"""The routing rules file (`flows/data/rules.yaml`), parsed and checked."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from flows.conditions import evaluate, validate
from flows.data_files import DATA, load_yaml
from flows.products import PRODUCTS
from flows.screening_profile import FIELD_NAMES
from flows.texts import Text, placeholders

__all__ = [
    "AUDIENCES",
    "DERIVED_FACTS",
    "MESSAGE_KEYS",
    "Criterion",
    "Explanation",
    "Referral",
    "Rules",
    "RulesError",
    "data_version",
    "parse_rules",
    "rules",
]

DERIVED_FACTS = ("region", "in_zuid_limburg", "municipality_name", "crisis", "loket_offers_nothing")
_ANY: frozenset[str] = frozenset({"product", "municipality", "date"})
# Who reads the reasons: the person ("je"), or someone about the person ("de persoon").
AUDIENCES = ("person", "about")
KNOWN_FACTS = frozenset(FIELD_NAMES) | frozenset(DERIVED_FACTS)
MESSAGE_KEYS = (
    "advice",
    "not_offered",
    "offered_from",
    "fits_but_place_unknown",
    "place_unknown",
    "place_not_found",
    "outside",
    "none_fits",
    "none_offered",
    "register_anyway",
)


class RulesError(ValueError):
    """A rules file with problems; `problems` lists every one."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class Wording:
    """One sentence in its two forms: to the person, and about the person."""

    person: str
    about: str

    def form(self, audience: str) -> str:
        return self.about if audience == "about" else self.person


@dataclass(frozen=True)
class Explanation:
    """A sentence that explains a rule, shown when its condition holds (or always)."""

    when: Mapping[str, Any] | None
    text: Wording

    def applies(self, facts: Mapping[str, Any], on: date) -> bool:
        return self.when is None or evaluate(self.when, facts, on)

    def render(self, facts: Mapping[str, Any], audience: str = "person") -> Text:
        msgid = self.text.form(audience)
        return Text(msgid, {n: facts[n] for n in placeholders(msgid)})


@dataclass(frozen=True)
class Criterion:
    id: str
    when: Mapping[str, Any]
    explain: tuple[Explanation, ...]
    unmet: Wording | None
    unknown: Wording | None
    mention: bool = False  # said also when another product is advised

    def holds(self, facts: Mapping[str, Any], on: date) -> bool:
        return evaluate(self.when, facts, on)


@dataclass(frozen=True)
class Referral:
    id: str
    when: Mapping[str, Any]


@dataclass(frozen=True)
class Rules:
    common: tuple[Criterion, ...]
    products: dict[str, tuple[Criterion, ...]]
    notes: dict[str, tuple[Explanation, ...]]
    messages: dict[str, Wording]
    referrals: tuple[Referral, ...]


def _wording(
    raw: Mapping[str, Any],
    key: str,
    about_key: str,
    where: str,
    problems: list[str],
    known: frozenset[str] = KNOWN_FACTS,
) -> Wording | None:
    """A sentence and its `about` form; both or neither, with known placeholders."""
    person, about = raw.get(key), raw.get(about_key)
    if person is None and about is None:
        return None
    if not isinstance(person, str) or not isinstance(about, str):
        problems.append(f"{where}: '{key}' and '{about_key}' go together, both texts")
        return None
    for text in (person, about):
        for name in sorted(placeholders(text) - known):
            problems.append(f"{where}: placeholder {{{name}}} is not a known fact")
    if placeholders(person) != placeholders(about):
        problems.append(f"{where}: '{key}' and '{about_key}' need the same placeholders")
    return Wording(person, about)


def _explanation(raw: Any, where: str, problems: list[str]) -> Explanation | None:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("text"), str):
        problems.append(f"{where}: needs a 'text'")
        return None
    when = raw.get("when")
    if when is not None:
        problems.extend(f"{where}.when: {p}" for p in validate(when, KNOWN_FACTS))
    text = _wording(raw, "text", "about", where, problems)
    return Explanation(when, text) if text else None


def _criterion(raw: Any, where: str, problems: list[str]) -> Criterion | None:
    if not isinstance(raw, Mapping) or "id" not in raw or "when" not in raw:
        problems.append(f"{where}: a criterion needs an 'id' and a 'when'")
        return None
    problems.extend(f"{where}.when: {p}" for p in validate(raw["when"], KNOWN_FACTS))
    explain = [
        _explanation(item, f"{where}.explain[{i}]", problems)
        for i, item in enumerate(raw.get("explain", []))
    ]
    return Criterion(
        str(raw["id"]),
        raw["when"],
        tuple(e for e in explain if e),
        _wording(raw, "unmet", "unmet_about", where, problems),
        _wording(raw, "unknown", "unknown_about", where, problems),
        bool(raw.get("mention", False)),
    )


def parse_rules(data: Any) -> Rules:
    """Check a decoded rules file; raise `RulesError` with every problem."""
    problems: list[str] = []
    if not isinstance(data, Mapping):
        raise RulesError(["rules: expected a mapping at the top"])
    common = [_criterion(c, f"common[{i}]", problems) for i, c in enumerate(data.get("common", []))]
    products: dict[str, tuple[Criterion, ...]] = {}
    notes: dict[str, tuple[Explanation, ...]] = {}
    raw_products = data.get("products") or {}
    for name in set(raw_products) - set(PRODUCTS):
        problems.append(f"products: unknown product {name!r}")
    for product in PRODUCTS:
        raw = raw_products.get(product)
        if not isinstance(raw, Mapping) or not raw.get("criteria"):
            problems.append(f"products.{product}: missing, or without criteria")
            continue
        crits = [
            _criterion(c, f"products.{product}.criteria[{i}]", problems)
            for i, c in enumerate(raw["criteria"])
        ]
        products[product] = tuple(c for c in crits if c)
        raw_notes = raw.get("notes", [])
        found = [
            _explanation(n, f"products.{product}.notes[{i}]", problems)
            for i, n in enumerate(raw_notes)
        ]
        notes[product] = tuple(n for n in found if n)
    person, about = data.get("messages") or {}, data.get("messages_about") or {}
    messages: dict[str, Wording] = {}
    for key in MESSAGE_KEYS:
        pair = {"text": person.get(key), "about": about.get(key)}
        if pair["text"] is None:
            problems.append(f"messages.{key}: missing")
        elif pair["about"] is None:
            problems.append(f"messages_about.{key}: missing")
        else:
            wording = _wording(pair, "text", "about", f"messages.{key}", problems, _ANY)
            if wording:
                messages[key] = wording
    referrals: list[Referral] = []
    for i, raw in enumerate(data.get("referrals", [])):
        if not isinstance(raw, Mapping) or "id" not in raw or "when" not in raw:
            problems.append(f"referrals[{i}]: needs an 'id' and a 'when'")
            continue
        problems.extend(f"referrals[{i}].when: {p}" for p in validate(raw["when"], KNOWN_FACTS))
        referrals.append(Referral(str(raw["id"]), raw["when"]))
    if problems:
        raise RulesError(problems)
    return Rules(tuple(c for c in common if c), products, notes, messages, tuple(referrals))


@cache
def rules() -> Rules:
    return parse_rules(load_yaml("rules.yaml"))


@cache
def data_version() -> str:
    """A short fingerprint of the rules, offer and region files that made an advice."""
    digest = hashlib.sha256()
    for name in ("rules.yaml", "offer.yaml", "regions.yaml", "referrals.yaml"):
        digest.update((DATA / name).read_bytes())
    return digest.hexdigest()[:12]
