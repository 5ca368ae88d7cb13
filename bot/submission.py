"""From a submitted intake (the engine's `IntakeSubmitted`) to a stored pre-aanmelding.

Each flow keeps who submitted, the consent and the contact details in its own local
facts; this module maps them onto the storage record. Answers that the routing does
not need but staff do (the living situation as chosen, the role) go into `answers`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flows.convenant import convenant_partner
from flows.engine.events import IntakeSubmitted
from storage.pre_aanmeldingen import Consent, NewPreAanmelding, Submitter

__all__ = ["VELDWERK_ORGANISATION", "to_new_pre_aanmelding"]

# A veldwerker who skipped the organisation is recorded under this name.
VELDWERK_ORGANISATION = "Veldwerk"
# The option of a professional's phone question for "no phone, e-mail me".
EMAIL_INSTEAD = "email_instead"

# Local facts that identify or contact someone: stored in their own columns, not in
# `answers`, so exports and the access copy can treat them separately.
_IDENTITY_FACTS = {
    "consent",
    "consent_version",
    "client_consent",
    "client_information_version",
    "person_consent",
    "person_information_version",
    "client_name",
    "client_birth_date",
    "name",
    "phone",
    "email",
    "contact_phone",
    "contact_preference",
    "professional_name",
    "professional_phone",
    "professional_email",
    "organisation",
    "convenant_partner",
    "veldwerker_name",
    "veldwerker_organisation",
    "veldwerker_phone",
    "veldwerker_email",
}


def _text(facts: dict[str, Any], name: str) -> str | None:
    value = facts.get(name)
    return value if isinstance(value, str) and value else None


def _birth_date(facts: dict[str, Any]) -> date | None:
    value = facts.get("client_birth_date")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


@dataclass(frozen=True)
class _Who:
    """Who submitted, whose consent under which text version, and how to reach them."""

    submitter: Submitter
    consent_version: str
    consent_by: str
    contact_preference: str
    contact_address: str | None


def _phone(facts: dict[str, Any], name: str) -> str | None:
    """A phone answer, unless the option "no phone, e-mail me" was chosen."""
    value = _text(facts, name)
    return None if value == EMAIL_INSTEAD else value


def _self(facts: dict[str, Any], region: str | None) -> _Who:
    # No answer to the contact question: the loket cannot reach out ("none").
    preference = _text(facts, "contact_preference") or "none"
    address = {"phone": _text(facts, "phone"), "email": _text(facts, "email")}.get(preference)
    version = _text(facts, "consent_version") or "unknown"
    return _Who(Submitter("self"), version, "client", preference, address)


def _professional(facts: dict[str, Any], region: str | None) -> _Who:
    organisation = _text(facts, "organisation")
    phone, email = _phone(facts, "professional_phone"), _text(facts, "professional_email")
    submitter = Submitter(
        "professional",
        name=_text(facts, "professional_name"),
        organisation=organisation or "onbekend",
        convenant_partner=convenant_partner(organisation, region),
        contact=phone or email,
        email=email if phone else None,
    )
    version = _text(facts, "client_information_version") or "unknown"
    return _Who(submitter, version, "submitter_for_client", "via_submitter", None)


def _veldwerk(facts: dict[str, Any], region: str | None) -> _Who:
    phone = _text(facts, "contact_phone")
    if phone == "no_phone":
        phone = None
    organisation = _text(facts, "veldwerker_organisation")
    own_phone, email = _phone(facts, "veldwerker_phone"), _text(facts, "veldwerker_email")
    submitter = Submitter(
        "veldwerker",
        name=_text(facts, "veldwerker_name"),
        organisation=organisation or VELDWERK_ORGANISATION,
        convenant_partner=convenant_partner(organisation, region),
        contact=own_phone or email,
        email=email if own_phone else None,
    )
    version = _text(facts, "person_information_version") or "unknown"
    preference = "phone" if phone else "via_submitter"
    return _Who(submitter, version, "submitter_for_client", preference, phone)


_BY_FLOW: dict[str, Callable[[dict[str, Any], str | None], _Who]] = {
    "zelfmelding": _self,
    "hulpverlener": _professional,
    "veldwerk": _veldwerk,
}


def to_new_pre_aanmelding(
    event: IntakeSubmitted, *, channel: str, language: str, user_hash: str | None
) -> NewPreAanmelding:
    """The storage record for a submission; raise KeyError for an unknown flow."""
    facts = dict(event.local_facts)
    who = _BY_FLOW[event.flow_id](facts, event.recommendation.region)
    answers = {k: v for k, v in facts.items() if k not in _IDENTITY_FACTS}
    if event.skipped:
        answers["skipped"] = dict(event.skipped)
    if event.crisis_marks:
        # For staff follow-up: which signs of danger and when, never the words typed.
        answers["crisis_signs"] = [m.to_json() for m in event.crisis_marks]
    return NewPreAanmelding(
        channel=channel,
        language=language,
        submitter=who.submitter,
        consent=Consent(who.consent_version, event.submitted_at, who.consent_by),
        profile=event.profile,
        recommendation=event.recommendation,
        contact_preference=who.contact_preference,
        channel_user_hash=user_hash,
        client_name=_text(facts, "client_name") or _text(facts, "name"),
        client_birth_date=_birth_date(facts),
        contact_address=who.contact_address,
        answers=answers,
        crisis_follow_up=event.crisis,
        reference=event.reference,
    )
