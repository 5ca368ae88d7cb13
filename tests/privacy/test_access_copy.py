"""The access copy (GDPR art. 15) contains every stored field about the person: each
column of the pre-aanmelding, each answer and profile fact, the advice with reasons
and referrals, the consent record with the notice (and declaration) agreed to, the
status history, the notes (staff copy), the messages to the person, and the draft of
an intake in progress; in the person's language."""

from __future__ import annotations

from datetime import date

import pytest
from babel.dates import format_date

from flows.privacy_notices import notice
from flows.products import PRODUCT_NAMES
from flows.referrals import referral_texts
from flows.regions import region_data
from flows.texts import Text
from intake import privacy_wording as w
from intake.access_copy_text import copy_text
from locales import render
from storage.database import Database
from storage.lifecycle import Status
from storage.pre_aanmeldingen import PreAanmelding
from tests.factories.databases import Backend
from tests.factories.intakes import (
    CHAT,
    FULL_INTAKES,
    at_scenario_time,
    intake,
    privacy,
    replay,
    service,
    staff,
)
from tests.scenario_files import Scenario


def day(value: date, locale: str = "nl") -> str:
    return str(format_date(value, format="long", locale=locale))


def expected_texts(item: PreAanmelding, locale: str = "nl") -> list[str]:
    """Each stored field of the record, as the copy must show it."""
    out = [
        item.reference,
        day(item.created_at.date(), locale),
        item.channel,
        item.language,
        render(Text(PRODUCT_NAMES[item.recommended_product or "housing"]), locale),
        region_data().region_names[item.region or ""],
        item.municipality or "",
        item.rules_version[:12],
    ]
    out += [render(Text(PRODUCT_NAMES[p]), locale) for p in item.eligible_products]
    out += [render(reason, locale) for reason in item.reasons]
    out += [render(referral_texts()[r].title, locale) for r in item.referrals]
    for value in (
        item.client_name,
        item.contact_address,
        item.submitter.name,
        item.submitter.organisation,
        item.submitter.contact,
    ):
        if value:
            out.append(value)
    if item.client_birth_date:
        out.append(day(item.client_birth_date, locale))
    agreed = notice(item.consent.text_version)
    assert agreed is not None
    out += [render(t, locale) for t in agreed.texts]
    if item.consent.given_by == "submitter_for_client":
        assert agreed.declaration is not None
        out.append(render(agreed.declaration, locale))
    profile = item.profile.to_json()
    assert profile
    if "detention_release_date" in profile:
        out.append(day(date.fromisoformat(profile["detention_release_date"]), locale))
    return out


@pytest.mark.parametrize("scenario", FULL_INTAKES, ids=[s.flow for s in FULL_INTAKES])
async def test_the_staff_copy_holds_every_stored_field(
    scenario: Scenario, backend: Backend, database: Database
) -> None:
    record = await intake(database, backend, scenario, CHAT)
    staff_id = await staff(database)
    async with database.unit_of_work() as uow:
        await uow.pre_aanmeldingen.transition(
            record.reference, Status.IN_BEHANDELING, staff_user_id=staff_id, reason="Gebeld"
        )
        await uow.pre_aanmeldingen.add_note(record.reference, staff_id, "Slaapt bij zijn zus.")
        await uow.pre_aanmeldingen.set_crisis_follow_up(record.reference, True)
        copy = await privacy(database).copy_for_reference(uow, record.reference)
        item = await uow.pre_aanmeldingen.get(record.reference)
    assert copy is not None and item is not None
    text = copy_text(copy.blocks, "nl")
    missing = [value for value in expected_texts(item) if value not in text]
    assert missing == []
    for expected in ("Gebeld", "Slaapt bij zijn zus.", render(Text(w.STATUS_IN_BEHANDELING))):
        assert expected in text
    # Every answer and every profile fact has a line of its own.
    lines = [line for block in copy.blocks for line in block.lines]
    assert len(lines) >= len(item.answers) + len(item.profile.to_json()) + 10
    # Each profile fact's words: the option chosen, not the code.
    assert "detention" not in text and "addiction" not in text


async def test_the_chat_copy_in_the_persons_language_without_notes(
    backend: Backend, database: Database
) -> None:
    record = await intake(database, backend, FULL_INTAKES[0], CHAT)
    staff_id = await staff(database)
    async with database.unit_of_work() as uow:
        await uow.pre_aanmeldingen.add_note(record.reference, staff_id, "Slaapt bij zijn zus.")
        item = await uow.pre_aanmeldingen.get(record.reference)
    assert item is not None
    blocks = await privacy(database).copy_for_chat("telegram", CHAT)
    text = copy_text(blocks, "en")
    missing = [value for value in expected_texts(item, "en") if value not in text]
    assert missing == []
    assert "Slaapt bij zijn zus." not in text
    assert render(Text(w.COPY_NOTES_ON_REQUEST), "en") in text
    assert render(Text(w.COPY_HOW_TO_ERASE), "en") in text
    # The messages sent to the person are in it too.
    assert (
        "LH-" in text
        and record.reference in text.split(render(Text(w.SECTION_MESSAGES), "en").upper())[-1]
    )


async def test_a_draft_in_progress_is_in_the_copy(backend: Backend, database: Database) -> None:
    scenario = FULL_INTAKES[0]
    at_scenario_time(backend, scenario)
    await replay(service(database), "draft-person", scenario, steps=7)
    blocks = await privacy(database).copy_for_chat("web", "draft-person")
    text = copy_text(blocks, "nl")
    assert render(Text(w.SECTION_DRAFT)).upper() in text
    assert "Hoensbroek" in text and "14 maart 2026" in text  # typed answers so far
    assert day(date(2025, 7, 2)) in text  # erased 30 days after the last answer


async def test_a_professional_sees_only_their_own_details_of_a_clients_record(
    backend: Backend, database: Database
) -> None:
    record = await intake(database, backend, FULL_INTAKES[1], CHAT)
    text = copy_text(await privacy(database).copy_for_chat("telegram", CHAT), "nl")
    assert record.reference in text and "Sanne Janssen" in text
    assert "P. Jansen" not in text and "detentie" not in text
