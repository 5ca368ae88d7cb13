"""What the crisis queue keeps of a conversation with signs of danger
(`storage.crisis_signs`), read from the session: the signs (category, time, question;
never the words), the region of the place named so far, and how the person can be
reached.

The contact follows the flow's `registration`: a person who chose "liever geen
contact" has none; otherwise the chosen way when its detail is there, else a typed
phone, else a typed e-mail (the person's, then the submitter's: a professional or
veldwerker is the way to their client), else the chat itself on a channel the loket
can write to (Telegram). A stop wipes the answers, so the contact goes with them (the
person was told so). `fingerprint` lets the conversation service write the row only
on a step where any of this changed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from flows.engine.flow_format import Flow
from flows.engine.prompt_builder import facts_of
from flows.engine.session import Session
from flows.regions import region_data
from storage.crisis_signs import CrisisSigns

__all__ = ["crisis_signs_of", "fingerprint"]


def _typed(flow: Flow, facts: Mapping[str, Any], name: str | None) -> str | None:
    """A typed value of a fact; None for a button such as "geen telefoon"."""
    if not name:
        return None
    value = facts.get(name)
    if not isinstance(value, str) or not value:
        return None
    node = flow.fact_question(name)
    if node is not None and node.question is not None and node.question.option(value):
        return None
    return value


def _contact(flow: Flow, facts: Mapping[str, Any], chat: bool) -> tuple[str, str | None]:
    reg = flow.registration
    if reg is None:  # the entry flow: nothing asked yet
        return ("chat", None) if chat else ("none", None)
    phones = [_typed(flow, facts, reg.contact.get("phone"))]
    emails = [_typed(flow, facts, reg.contact.get("email"))]
    phones.append(_typed(flow, facts, reg.submitter_details.get("phone")))
    emails.append(_typed(flow, facts, reg.submitter_details.get("email")))
    phone = next((p for p in phones if p), None)
    email = next((e for e in emails if e), None)
    preference = facts.get(reg.contact["preference"]) if "preference" in reg.contact else None
    if preference == "none":
        return "none", None
    if preference == "phone" and phone:
        return "phone", phone
    if preference == "email" and email:
        return "email", email
    if preference == "chat" and chat:
        return "chat", None
    if phone:
        return "phone", phone
    if email:
        return "email", email
    return ("chat", None) if chat else ("none", None)


def crisis_signs_of(
    flow: Flow, session: Session, *, chat: bool, reference: str | None = None
) -> CrisisSigns:
    """The crisis queue's view of a session with signs. `chat`: the loket can write
    to this channel; `reference`: the pre-aanmelding submitted, if any."""
    facts = facts_of(flow, session.answers, session.history)
    place = facts.get("municipality")
    found = region_data().resolve(place) if isinstance(place, str) else None
    kind, contact = _contact(flow, facts, chat)
    if reference is None and session.submission is not None:
        reference = session.submission.reference
    return CrisisSigns(
        flow_id=session.flow_id,
        signs=[m.to_json() for m in session.crisis_marks],
        contact_kind=kind,
        contact=contact,
        region=found.region if found else None,
        reference=reference,
    )


def fingerprint(signs: CrisisSigns) -> str:
    """A short digest of everything the row holds (kept in the conversation's
    encrypted state): a step whose digest is unchanged writes nothing."""
    data = [
        signs.flow_id,
        list(signs.signs),
        signs.contact_kind,
        signs.contact,
        signs.region,
        signs.reference,
    ]
    encoded = json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()[:16]
