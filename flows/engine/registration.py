"""How a flow describes its own registration: who submits, where the start screen
offers it, which fact records the consent, and which facts hold names and contact
details. With it, a new flow is data only: the start screen offers it, and a
submission on it becomes a stored pre-aanmelding without a line of Python.

```yaml
registration:
  submitter: professional          # self, professional or veldwerker
  offer: {text: "Voor een cliënt: ik ben hulpverlener", order: 2}   # leave out: not offered
  consent_version: client_information_version   # the fact with the notice agreed to
  name: client_name                # the person's name or initials
  birth_date: client_birth_date
  contact: {preference: contact_preference, phone: phone, email: email}
  submitter_details: {name: professional_name, organisation: organisation,
                      phone: professional_phone, email: professional_email}
```
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from flows.marked_yaml import MarkedValue

__all__ = ["SUBMITTERS", "Offer", "Registration", "read_registration"]

SUBMITTERS = ("self", "professional", "veldwerker")
CONTACT_KEYS = ("preference", "phone", "email")
SUBMITTER_KEYS = ("name", "organisation", "phone", "email")
REGISTRATION_KEYS = (
    "submitter",
    "offer",
    "consent_version",
    "name",
    "birth_date",
    "contact",
    "submitter_details",
)


@dataclass(frozen=True)
class Offer:
    text: str  # the start screen's button (a gettext message id)
    order: int  # its place among the offered flows


@dataclass(frozen=True)
class Registration:
    submitter: str
    consent_version: str
    offer: Offer | None = None
    name: str | None = None
    birth_date: str | None = None
    contact: Mapping[str, str] = field(default_factory=dict)  # preference, phone, email
    submitter_details: Mapping[str, str] = field(default_factory=dict)

    @property
    def consent_given_by(self) -> str:
        """The person agreed themselves, or a professional records the client's consent."""
        return "client" if self.submitter == "self" else "submitter_for_client"

    @property
    def facts(self) -> frozenset[str]:
        """Every fact that identifies or reaches someone (kept out of the answers)."""
        named = [self.consent_version, self.name, self.birth_date]
        named += [*self.contact.values(), *self.submitter_details.values()]
        return frozenset(n for n in named if n)


Problem = Callable[[int, str], None]


def _fact(mv: MarkedValue, where: str, known: frozenset[str], problem: Problem) -> str | None:
    if not isinstance(mv.value, str) or mv.value not in known:
        problem(
            mv.line,
            f"{where}: {mv.value!r} is not a fact of this flow; declare it under "
            "local_facts or use a profile field",
        )
        return None
    return mv.value


def _facts(
    mv: MarkedValue, where: str, keys: tuple[str, ...], known: frozenset[str], problem: Problem
) -> dict[str, str]:
    if not mv.is_mapping:
        problem(mv.line, f"{where}: expected a mapping with any of {', '.join(keys)}")
        return {}
    out: dict[str, str] = {}
    for key, value in mv.value.items():
        if key not in keys:
            problem(mv.key_lines[key], f"{where}: unknown key {key!r}; expected {', '.join(keys)}")
        elif (fact := _fact(value, f"{where}.{key}", known, problem)) is not None:
            out[key] = fact
    return out


def _offer(mv: MarkedValue, problem: Problem) -> Offer | None:
    raw = mv.value if mv.is_mapping else {}
    text, order = raw.get("text"), raw.get("order")
    if not mv.is_mapping or text is None or order is None:
        problem(mv.line, 'registration.offer: expected {text: "...", order: 1}')
        return None
    unknown = set(raw) - {"text", "order"}
    for key in sorted(unknown):
        problem(mv.key_lines[key], f"registration.offer: unknown key {key!r}")
    if not isinstance(text.value, str) or not text.value.strip():
        problem(text.line, "registration.offer.text: expected the button's text")
        return None
    if isinstance(order.value, bool) or not isinstance(order.value, int) or order.value < 1:
        problem(order.line, "registration.offer.order: expected a whole number of 1 or more")
        return None
    return Offer(text.value.strip(), order.value)


def read_registration(
    mv: MarkedValue, known: frozenset[str], problem: Problem
) -> Registration | None:
    """The `registration` block, or None (with a problem) when it is wrong."""
    if not mv.is_mapping:
        problem(mv.line, "registration: expected a mapping")
        return None
    raw: dict[str, MarkedValue] = mv.value
    for key in raw:
        if key not in REGISTRATION_KEYS:
            problem(
                mv.key_lines[key],
                f"registration: unknown key {key!r}; expected {', '.join(REGISTRATION_KEYS)}",
            )
    submitter = raw.get("submitter")
    if submitter is None or submitter.value not in SUBMITTERS:
        got = "nothing" if submitter is None else repr(submitter.value)
        problem(
            mv.line if submitter is None else submitter.line,
            f"registration.submitter: {got}; expected one of {', '.join(SUBMITTERS)}",
        )
    consent = raw.get("consent_version")
    if consent is None:
        problem(mv.line, "registration.consent_version: missing; the fact with the notice")
    found = {
        key: _fact(raw[key], f"registration.{key}", known, problem)
        for key in ("consent_version", "name", "birth_date")
        if key in raw
    }
    contact = (
        _facts(raw["contact"], "registration.contact", CONTACT_KEYS, known, problem)
        if "contact" in raw
        else {}
    )
    details = (
        _facts(
            raw["submitter_details"],
            "registration.submitter_details",
            SUBMITTER_KEYS,
            known,
            problem,
        )
        if "submitter_details" in raw
        else {}
    )
    offer = _offer(raw["offer"], problem) if "offer" in raw else None
    if submitter is None or submitter.value not in SUBMITTERS or not found.get("consent_version"):
        return None
    if submitter.value != "self" and not details.get("name"):
        problem(
            mv.line,
            "registration.submitter_details.name: a professional or veldwerker who registers "
            "someone must leave a name (and a phone or e-mail)",
        )
    return Registration(
        submitter=str(submitter.value),
        consent_version=str(found["consent_version"]),
        offer=offer,
        name=found.get("name"),
        birth_date=found.get("birth_date"),
        contact=contact,
        submitter_details=details,
    )
