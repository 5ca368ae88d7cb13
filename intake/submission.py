"""From a submitted intake (the engine's `IntakeSubmitted`) to a stored pre-aanmelding.

Each flow says in its `registration` (flows/engine/registration.py) who submits it and
which of its facts hold the consent version, names and contact details; this module
maps them onto the storage record, for any flow. Answers that the routing does not
need but staff do (the living situation as chosen, the role) go into `answers`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flows.convenant import convenant_partner
from flows.engine.events import IntakeSubmitted
from flows.engine.flow_format import Flow
from flows.engine.registration import Registration
from storage.pre_aanmeldingen import Consent, NewPreAanmelding, Submitter

__all__ = ["NotRegistrable", "iso_day", "to_new_pre_aanmelding"]

# An organisation that was not given: the record still needs one for a professional.
UNKNOWN_ORGANISATION = "onbekend"


class NotRegistrable(ValueError):
    """A flow without a `registration` cannot be stored (`intake flows check` says so)."""


@dataclass(frozen=True)
class _Facts:
    """A submission's local facts, read through the flow: option ids ("no_phone",
    "email_instead") are not names, numbers or addresses."""

    flow: Flow
    values: dict[str, Any]

    def text(self, name: str | None) -> str | None:
        if name is None:
            return None
        value = self.values.get(name)
        if not isinstance(value, str) or not value:
            return None
        node = self.flow.fact_question(name)
        if node is not None and node.question is not None and node.question.option(value):
            return None  # a button such as "geen telefoon", not a value
        return value

    def day(self, name: str | None) -> date | None:
        return iso_day(self.values.get(name) if name else None)


def iso_day(value: Any) -> date | None:
    """A stored date answer (a date, or its ISO text in JSON) as a date; None else."""
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _submitter(reg: Registration, facts: _Facts, region: str | None) -> Submitter:
    if reg.submitter == "self":
        return Submitter("self")
    details = reg.submitter_details
    organisation = facts.text(details.get("organisation"))
    phone, email = facts.text(details.get("phone")), facts.text(details.get("email"))
    return Submitter(
        reg.submitter,
        name=facts.text(details.get("name")),
        organisation=organisation or UNKNOWN_ORGANISATION,
        convenant_partner=convenant_partner(organisation, region),
        contact=phone or email,
        email=email if phone else None,
    )


def _contact(reg: Registration, facts: _Facts) -> tuple[str, str | None]:
    """How the loket reaches the person, and the address for it."""
    phone, email = facts.text(reg.contact.get("phone")), facts.text(reg.contact.get("email"))
    if "preference" in reg.contact:
        # The chosen option's id; no answer: the loket cannot reach out ("none").
        chosen = facts.values.get(reg.contact["preference"])
        preference = chosen if isinstance(chosen, str) and chosen else "none"
        return preference, {"phone": phone, "email": email}.get(preference)
    if phone:
        return "phone", phone
    if email:
        return "email", email
    return ("via_submitter" if reg.submitter != "self" else "none"), None


def to_new_pre_aanmelding(
    event: IntakeSubmitted, flow: Flow, *, channel: str, language: str, user_hash: str | None
) -> NewPreAanmelding:
    """The storage record for a submission on `flow` (the flow it was made on)."""
    reg = flow.registration
    if reg is None:
        raise NotRegistrable(f"flow {flow.id!r} has no 'registration' ({flow.source})")
    facts = _Facts(flow, dict(event.local_facts))
    preference, address = _contact(reg, facts)
    consent_question = next(
        (n for n in flow.questions if n.question and reg.consent_version in n.question.sets),
        None,
    )
    identifying = set(reg.facts)
    if consent_question is not None and consent_question.question is not None:
        identifying.add(consent_question.question.fact)
    answers = {k: v for k, v in facts.values.items() if k not in identifying}
    if event.skipped:
        answers["skipped"] = dict(event.skipped)
    if event.crisis_marks:
        # For staff follow-up: which signs and when, never the words.
        answers["crisis_signs"] = [m.to_json() for m in event.crisis_marks]
    return NewPreAanmelding(
        channel=channel,
        language=language,
        submitter=_submitter(reg, facts, event.recommendation.region),
        consent=Consent(
            facts.text(reg.consent_version) or "unknown", event.submitted_at, reg.consent_given_by
        ),
        profile=event.profile,
        recommendation=event.recommendation,
        contact_preference=preference,
        channel_user_hash=user_hash,
        client_name=facts.text(reg.name),
        client_birth_date=facts.day(reg.birth_date),
        contact_address=address,
        answers=answers,
        crisis_follow_up=event.crisis,
        reference=event.reference,
    )
