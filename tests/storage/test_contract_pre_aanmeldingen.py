"""Pre-aanmeldingen: submission, lifecycle with history, notes, assignment and likely
duplicates, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from flows.screening_profile import ScreeningProfile
from storage.database import Database
from storage.lifecycle import IllegalTransition, Status
from storage.pre_aanmeldingen import PreAanmeldingFilter, Submitter, UnknownPreAanmelding
from tests.factories.databases import START, Backend, FakeClock
from tests.factories.pre_aanmeldingen import PROFILE, codes, new_submission


async def staff_member(database: Database, username: str = "anouk") -> int:
    async with database.unit_of_work() as uow:
        user = await uow.staff.create(
            username, password_hash="scrypt$x", role="medewerker", regions=["parkstad"]
        )
    return user.id


async def submit(database: Database, **changes: object) -> str:
    async with database.unit_of_work() as uow:
        created = await uow.pre_aanmeldingen.create(new_submission(**changes))  # type: ignore[arg-type]
    return created.reference


async def test_a_submission_is_stored_whole_with_status_nieuw(
    database: Database, clock: FakeClock
) -> None:
    submitter = Submitter(
        "professional", "Sanne Peters", "Radar", convenant_partner=True, contact="045-1234567"
    )
    new = new_submission(submitter=submitter)
    async with database.unit_of_work() as uow:
        created = await uow.pre_aanmeldingen.create(new)
    async with database.unit_of_work(write=False) as uow:
        stored = await uow.pre_aanmeldingen.get(created.reference)
    assert stored == created
    assert stored.status is Status.NIEUW
    assert stored.created_at == clock.now
    assert stored.submitter == submitter
    assert stored.profile == PROFILE
    assert stored.answers == {"story": "Ik slaap bij mijn zus op de bank."}
    assert (stored.client_name, stored.client_birth_date) == ("Jan de Vries", date(1990, 5, 17))
    assert (stored.contact_preference, stored.contact_address) == ("phone", "06-12345678")
    assert stored.consent == new.consent
    advice = new.recommendation
    assert stored.recommended_product == advice.product == "housing_first"
    assert stored.eligible_products == advice.eligible
    assert (stored.region, stored.municipality) == ("parkstad", "Heerlen")
    assert stored.reasons == advice.reasons
    assert stored.referrals == advice.referrals
    assert stored.rules_version == advice.rules_version and len(stored.rules_version) == 12
    assert stored.assigned_staff_id is None and not stored.crisis_follow_up


async def test_a_reference_code_is_found_however_it_is_typed(database: Database) -> None:
    async with database.unit_of_work() as uow:
        uow.pre_aanmeldingen._new_code = codes("LH-7K3Q-9P")
        await uow.pre_aanmeldingen.create(new_submission())
    async with database.unit_of_work(write=False) as uow:
        found = await uow.pre_aanmeldingen.get("lh 7k3q 9p")
        assert found is not None and found.reference == "LH-7K3Q-9P"
        assert await uow.pre_aanmeldingen.get("LH-7K3Q-9Q") is None
        assert await uow.pre_aanmeldingen.get("nonsense") is None


async def test_a_reference_code_already_taken_is_drawn_again(backend: Backend) -> None:
    database = backend.database(new_reference_code=codes("LH-AAAA-AA", "LH-AAAA-AA", "LH-BBBB-BB"))
    try:
        first = await submit(database)
        second = await submit(database, channel_user_hash="b" * 64)
        assert (first, second) == ("LH-AAAA-AA", "LH-BBBB-BB")
        async with database.unit_of_work(write=False) as uow:
            assert len(await uow.pre_aanmeldingen.find()) == 2
            assert len(await uow.pre_aanmeldingen.history(second)) == 1
    finally:
        await database.dispose()


async def test_the_whole_lifecycle_is_recorded_in_the_history(
    database: Database, clock: FakeClock
) -> None:
    staff = await staff_member(database)
    reference = await submit(database)
    steps = [
        (Status.IN_BEHANDELING, {}),
        (Status.INFO_GEVRAAGD, {"reason": "Welke begeleiding is er nu?"}),
        (Status.IN_BEHANDELING, {}),
        (Status.INTAKE_GEPLAND, {}),
        (Status.GEACCEPTEERD, {"product": "housing_first"}),
    ]
    for to, details in steps:
        clock.advance(hours=1)
        async with database.unit_of_work() as uow:
            changed = await uow.pre_aanmeldingen.transition(
                reference, to, staff_user_id=staff, **details
            )
            assert changed.status is to
    async with database.unit_of_work(write=False) as uow:
        final = await uow.pre_aanmeldingen.get(reference)
        history = await uow.pre_aanmeldingen.history(reference)
    assert final is not None
    assert final.decided_product == "housing_first"
    assert final.updated_at == clock.now
    assert [(h.from_status, h.to_status) for h in history] == [
        (None, Status.NIEUW),
        (Status.NIEUW, Status.IN_BEHANDELING),
        (Status.IN_BEHANDELING, Status.INFO_GEVRAAGD),
        (Status.INFO_GEVRAAGD, Status.IN_BEHANDELING),
        (Status.IN_BEHANDELING, Status.INTAKE_GEPLAND),
        (Status.INTAKE_GEPLAND, Status.GEACCEPTEERD),
    ]
    assert history[0].staff_user_id is None  # submitted through the bot
    assert {h.staff_user_id for h in history[1:]} == {staff}
    assert history[2].reason == "Welke begeleiding is er nu?"
    assert [h.at for h in history] == [START + timedelta(hours=i) for i in range(6)]


@pytest.mark.parametrize(
    ("path", "to", "details", "message"),
    [
        ([], Status.GEACCEPTEERD, {"product": "housing"}, "'nieuw' cannot change"),
        ([], Status.INTAKE_GEPLAND, {}, "'nieuw' cannot change to 'intake_gepland'"),
        ([Status.IN_BEHANDELING, Status.INTAKE_GEPLAND], Status.GEACCEPTEERD, {}, "product"),
        ([Status.IN_BEHANDELING], Status.AFGEWEZEN, {}, "needs a reason"),
        ([Status.IN_BEHANDELING], Status.DOORVERWEZEN, {}, "needs the referral"),
        ([Status.INGETROKKEN], Status.IN_BEHANDELING, {}, "nothing \\(final status\\)"),
    ],
)
async def test_an_illegal_transition_is_refused_and_changes_nothing(
    database: Database,
    path: list[Status],
    to: Status,
    details: dict[str, str],
    message: str,
) -> None:
    staff = await staff_member(database)
    reference = await submit(database)
    for step in path:
        async with database.unit_of_work() as uow:
            await uow.pre_aanmeldingen.transition(reference, step, staff_user_id=staff)
    async with database.unit_of_work(write=False) as uow:
        before = await uow.pre_aanmeldingen.get(reference)
        history_before = await uow.pre_aanmeldingen.history(reference)
    with pytest.raises(IllegalTransition, match=message):
        async with database.unit_of_work() as uow:
            await uow.pre_aanmeldingen.transition(reference, to, staff_user_id=staff, **details)
    async with database.unit_of_work(write=False) as uow:
        assert await uow.pre_aanmeldingen.get(reference) == before
        assert await uow.pre_aanmeldingen.history(reference) == history_before


async def test_referral_and_refusal_keep_their_details(database: Database) -> None:
    staff = await staff_member(database)
    referred, refused = await submit(database), await submit(database, channel_user_hash=None)
    async with database.unit_of_work() as uow:
        for reference in (referred, refused):
            await uow.pre_aanmeldingen.transition(
                reference, Status.IN_BEHANDELING, staff_user_id=staff
            )
        a = await uow.pre_aanmeldingen.transition(
            referred, Status.DOORVERWEZEN, staff_user_id=staff, referral="Wijkteam Heerlen"
        )
        b = await uow.pre_aanmeldingen.transition(
            refused, Status.AFGEWEZEN, staff_user_id=staff, reason="Woont buiten Zuid-Limburg"
        )
    assert (a.status, a.decided_referral) == (Status.DOORVERWEZEN, "Wijkteam Heerlen")
    assert (b.status, b.decision_reason) == (Status.AFGEWEZEN, "Woont buiten Zuid-Limburg")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"submitter": Submitter("professional", "Sanne")}, "professional submitter needs an org"),
        ({"submitter": Submitter("buurman")}, "unknown submitter kind 'buurman'"),
    ],
)
async def test_an_incomplete_submission_is_refused(
    database: Database, changes: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        await submit(database, **changes)
    async with database.unit_of_work(write=False) as uow:
        assert await uow.pre_aanmeldingen.find() == []


async def test_unknown_references_are_reported(database: Database) -> None:
    with pytest.raises(UnknownPreAanmelding, match="LH-2222-22"):
        async with database.unit_of_work() as uow:
            await uow.pre_aanmeldingen.transition(
                "LH-2222-22", Status.IN_BEHANDELING, staff_user_id=None
            )


async def test_assignment_notes_and_crisis_follow_up(database: Database) -> None:
    anouk, bram = await staff_member(database), await staff_member(database, "bram")
    reference = await submit(database)
    async with database.unit_of_work() as uow:
        assigned = await uow.pre_aanmeldingen.assign(reference, bram)
        await uow.pre_aanmeldingen.add_note(reference, anouk, "Gebeld, voicemail.")
        await uow.pre_aanmeldingen.add_note(reference, bram, "Terug gebeld; intake volgt.")
        flagged = await uow.pre_aanmeldingen.set_crisis_follow_up(reference, True)
    assert assigned.assigned_staff_id == bram and flagged.crisis_follow_up
    async with database.unit_of_work(write=False) as uow:
        notes = await uow.pre_aanmeldingen.notes(reference)
        mine = await uow.pre_aanmeldingen.find(PreAanmeldingFilter(assigned_staff_id=bram))
    assert [(n.staff_user_id, n.text) for n in notes] == [
        (anouk, "Gebeld, voicemail."),
        (bram, "Terug gebeld; intake volgt."),
    ]
    assert [p.reference for p in mine] == [reference]
    with pytest.raises(ValueError, match="needs text"):
        async with database.unit_of_work() as uow:
            await uow.pre_aanmeldingen.add_note(reference, anouk, "  ")


async def test_foreign_keys_are_enforced(database: Database) -> None:
    reference = await submit(database)
    with pytest.raises(IntegrityError):
        async with database.unit_of_work() as uow:
            await uow.pre_aanmeldingen.assign(reference, 999)


async def test_statuses_outside_the_lifecycle_are_refused_by_the_database(
    database: Database,
) -> None:
    reference = await submit(database)
    with pytest.raises(IntegrityError):
        async with database.unit_of_work() as uow:
            await uow.session.execute(
                text("UPDATE pre_aanmeldingen SET status = 'kwijt' WHERE reference = :r"),
                {"r": reference},
            )


async def test_likely_duplicates_are_linked_both_ways_and_never_merged(
    database: Database, clock: FakeClock
) -> None:
    first = await submit(database, channel_user_hash="c" * 64)
    clock.advance(days=10)
    # Same chat user, different details.
    same_user = await submit(
        database, channel_user_hash="c" * 64, client_name="Anoniem", client_birth_date=None
    )
    # Through a professional: no chat user, same birth date, initials for the name.
    professional = await submit(database, channel_user_hash=None, client_name="J. de Vries")
    # Same birth date, another person.
    other = await submit(database, channel_user_hash=None, client_name="Piet Jansen")
    async with database.unit_of_work(write=False) as uow:
        links = {
            ref: [(d.reference, d.reason) for d in await uow.pre_aanmeldingen.duplicates(ref)]
            for ref in (first, same_user, professional, other)
        }
        assert len(await uow.pre_aanmeldingen.find()) == 4
    assert links[same_user] == [(first, "same_channel_user")]
    assert links[professional] == [(first, "same_birth_date_similar_name")]
    assert links[other] == []
    assert sorted(links[first]) == sorted(
        [(same_user, "same_channel_user"), (professional, "same_birth_date_similar_name")]
    )


async def test_submissions_more_than_90_days_apart_are_not_linked(
    database: Database, clock: FakeClock
) -> None:
    await submit(database)
    clock.advance(days=91)
    later = await submit(database)
    async with database.unit_of_work(write=False) as uow:
        assert await uow.pre_aanmeldingen.duplicates(later) == []


async def test_find_filters_by_date_region_and_status(database: Database, clock: FakeClock) -> None:
    staff = await staff_member(database)
    parkstad = await submit(database)
    clock.advance(days=3)
    maastricht = await submit(database, profile=ScreeningProfile(municipality="Maastricht", age=30))
    async with database.unit_of_work() as uow:
        await uow.pre_aanmeldingen.transition(
            maastricht, Status.IN_BEHANDELING, staff_user_id=staff
        )

    async def refs(**where: object) -> list[str]:
        async with database.unit_of_work(write=False) as uow:
            found = await uow.pre_aanmeldingen.find(PreAanmeldingFilter(**where))  # type: ignore[arg-type]
        return [p.reference for p in found]

    assert await refs() == [parkstad, maastricht]
    assert await refs(since=START + timedelta(days=1)) == [maastricht]
    assert await refs(until=START + timedelta(days=1)) == [parkstad]
    assert await refs(region="parkstad") == [parkstad]
    assert await refs(status=Status.IN_BEHANDELING) == [maastricht]
    assert await refs(region="parkstad", status=Status.IN_BEHANDELING) == []
