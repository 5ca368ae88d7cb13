"""Pre-aanmeldingen to store: screening profiles in two regions, a self-submitted
intake as the storage tests use it, and one as the dashboard shows it (with the
Telegram chat the loket can write back to)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from flows.routing import recommend
from flows.screening_profile import ScreeningProfile
from storage.pre_aanmeldingen import Consent, NewPreAanmelding, Submitter
from tests.factories.databases import START

PROFILE = ScreeningProfile(
    municipality="Hoensbroek",
    age=34,
    sleeping_place="family_friends",
    problems=("addiction", "psychiatric"),
    support_need="intensive",
    accepts_support=True,
    homeless_months=14,
)
PARKSTAD = ScreeningProfile(
    municipality="Heerlen",
    age=34,
    sleeping_place="family_friends",
    homeless_months=14,  # houseless after long homelessness: Housing First
    problems=("addiction", "psychiatric"),
    support_need="intensive",
    accepts_support=True,
)
MAASTRICHT = ScreeningProfile(
    municipality="Maastricht",
    age=45,
    sleeping_place="public_space",
    support_need="light",
    accepts_support=True,
)
# The Telegram chat the conversation kept, so the loket can write back.
CHAT_ID = "424242"


def new_submission(
    *,
    profile: ScreeningProfile = PROFILE,
    channel_user_hash: str | None = "a" * 64,
    client_name: str | None = "Jan de Vries",
    client_birth_date: date | None = date(1990, 5, 17),
    submitter: Submitter | None = None,
    at: datetime = START,
    screening_date: date = date(2025, 3, 3),
) -> NewPreAanmelding:
    return NewPreAanmelding(
        channel="telegram",
        language="nl",
        submitter=submitter or Submitter("self"),
        consent=Consent(text_version="2025-01", at=at, given_by="client"),
        profile=profile,
        recommendation=recommend(profile, screening_date),
        contact_preference="phone",
        channel_user_hash=channel_user_hash,
        client_name=client_name,
        client_birth_date=client_birth_date,
        contact_address="06-12345678",
        answers={"story": "Ik slaap bij mijn zus op de bank."},
    )


def submission(
    profile: ScreeningProfile,
    *,
    answers: dict[str, Any] | None = None,
    client_name: str = "Jan de Vries",
    at: datetime = START,
    channel_user_hash: str | None = "a" * 64,
) -> NewPreAanmelding:
    """A pre-aanmelding as the dashboard tests use it: contact by chat."""
    return NewPreAanmelding(
        channel="telegram",
        language="nl",
        submitter=Submitter("self"),
        consent=Consent(text_version="2025-01", at=at, given_by="client"),
        profile=profile,
        recommendation=recommend(profile, date(2025, 3, 3)),
        contact_preference="chat",
        channel_user_hash=channel_user_hash,
        contact_address=CHAT_ID if channel_user_hash else None,
        client_name=client_name,
        client_birth_date=date(1990, 5, 17),
        answers=answers or {"story": "Ik slaap bij mijn zus op de bank."},
    )


def codes(*values: str) -> Callable[[], str]:
    """A reference code factory that hands out `values` in order."""
    remaining = list(values)
    return lambda: remaining.pop(0)
