"""Erasure: after a complete intake in every flow and its erasure (by the person in
the chat, or by staff), a search of every table, every column, raw and decrypted,
finds none of the person's identifiers. A planned intake turns the request into one
for staff; an unknown person gets the same plain answer as anyone without data; the
audit log keeps only non-personal facts and stays append-only otherwise."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from flows.engine.library import flow_library
from flows.service_directory import sample_directory
from flows.service_texts import loket_contact
from flows.texts import Text
from intake import privacy_wording as w
from intake.privacy import erasure_texts
from storage.audit import AuditFilter
from storage.database import Database
from storage.lifecycle import Status
from storage.pre_aanmeldingen import PreAanmelding
from storage.queue import QueueFilter
from storage.user_hash import hash_channel_user
from tests.factories.databases import Backend
from tests.factories.intakes import (
    CHAT,
    FULL_INTAKES,
    SECRET,
    intake,
    privacy,
    staff,
)
from tests.factories.tables import decrypted_dump, needles, raw_dump, row_counts
from tests.scenario_files import Scenario

CONTACT = loket_contact(sample_directory())


def question_ids() -> set[str]:
    """Every node id of every packaged flow, the start screen's included."""
    library = flow_library()
    flows = [library.entry, *(library.current(flow_id) for flow_id in library.ids)]
    return {node for flow in flows for node in flow.nodes}


def identifiers(record: PreAanmelding, chat: int) -> set[str]:
    user_hash = hash_channel_user(SECRET, "telegram", chat)
    found = {str(chat), user_hash, user_hash[:16], record.reference} | needles(record)
    if record.client_birth_date is not None:
        found.add(record.client_birth_date.isoformat())
    return found


@pytest.mark.parametrize("scenario", FULL_INTAKES, ids=[s.flow for s in FULL_INTAKES])
async def test_after_erasure_no_table_holds_the_person(
    scenario: Scenario, backend: Backend, database: Database
) -> None:
    record = await intake(database, backend, scenario, CHAT)
    staff_id = await staff(database)
    async with database.unit_of_work() as uow:  # a status change, a note: more to erase
        await uow.pre_aanmeldingen.transition(
            record.reference, Status.IN_BEHANDELING, staff_user_id=staff_id, reason="Gebeld"
        )
        await uow.pre_aanmeldingen.add_note(record.reference, staff_id, "Slaapt bij zijn zus.")
    sought = identifiers(record, CHAT)
    before = await raw_dump(database) + await decrypted_dump(database)
    assert record.reference in before and "Slaapt bij zijn zus." in before
    if scenario.flow == "zelfmelding":  # the person, in the chat
        outcome = await privacy(database).erase_for_chat("telegram", CHAT)
        assert outcome.found and not outcome.requested
        assert erasure_texts(outcome, CONTACT) == [Text(w.ERASE_DONE)]
    else:  # a client registered by a professional: staff erase it
        async with database.unit_of_work() as uow:
            outcome = await privacy(database).erase_for_reference(
                uow, record.reference, staff_user_id=staff_id
            )
        assert outcome.found
    after = await raw_dump(database) + "\n" + await decrypted_dump(database)
    if scenario.flow == "veldwerk":
        # The veldwerker's own details, kept for their chat (`remember`), are theirs, not
        # the client's: they stay until the veldwerker erases them (/verwijder).
        kept = [line for line in after.splitlines() if line.startswith("remembered_details:")]
        assert kept and all(record.reference not in line for line in kept)
        after = "\n".join(
            line for line in after.splitlines() if not line.startswith("remembered_details:")
        )
    # Where people stop (storage.drop_off): anonymous counts per question id, kept by
    # design (docs/privacy.md). A question id may contain an answer's code ("problems",
    # "released_on"); apart from the question ids nothing of the person may be there.
    counted = [line for line in after.splitlines() if line.startswith("drop_off_counts:")]
    assert counted  # the submission was counted
    without_ids = "\n".join(counted)
    for node in question_ids():  # a key of the decrypted counts: {'problems': [1, 0]}
        without_ids = without_ids.replace(f"'{node}'", "''")
    assert [s for s in sought if s in without_ids] == []
    after = "\n".join(line for line in after.splitlines() if line not in counted)
    left = sorted(s for s in sought if s in after)
    assert left == [], f"still stored after erasure: {left}"
    counts = await row_counts(database)
    for table in ("pre_aanmeldingen", "status_changes", "staff_notes", "duplicate_links"):
        assert counts[table] == 0, table
    assert counts["outbox_messages"] == 0 and counts["conversation_sessions"] == 0
    async with database.unit_of_work(write=False) as uow:
        events = await uow.audit.find(AuditFilter())
    erased = [e for e in events if e.action in ("person_erased", "pre_aanmelding_erased")]
    assert len(erased) == 1 and erased[0].subject_id is None
    assert all(isinstance(v, int | str) for v in erased[0].details.values())
    viewed = [e for e in events if e.action == "pre_aanmelding_viewed"]
    assert viewed and all(e.subject_id and e.subject_id.startswith("erased-") for e in viewed)


async def test_a_planned_intake_makes_it_a_request_for_staff(
    backend: Backend, database: Database
) -> None:
    record = await intake(database, backend, FULL_INTAKES[0], CHAT)
    staff_id = await staff(database)
    async with database.unit_of_work() as uow:
        for status in (Status.IN_BEHANDELING, Status.INTAKE_GEPLAND, Status.IN_BEHANDELING):
            await uow.pre_aanmeldingen.transition(
                record.reference, status, staff_user_id=staff_id, reason="Gepland"
            )
    outcome = await privacy(database).erase_for_chat("telegram", CHAT)
    assert outcome.requested == (record.reference,)
    texts = erasure_texts(outcome, CONTACT)
    assert texts[0] == Text(w.ERASE_REQUESTED, {"reference": record.reference})
    counts = await row_counts(database)
    assert counts["pre_aanmeldingen"] == 1
    assert counts["conversation_sessions"] == counts["outbox_messages"] == 0
    async with database.unit_of_work(write=False) as uow:
        kept = await uow.pre_aanmeldingen.get(record.reference)
        queue = await uow.queue.page(QueueFilter(erasure_requested=True))
    assert kept is not None and kept.erasure_requested_at is not None
    assert [item.reference for item in queue.items] == [record.reference]
    assert queue.items[0].erasure_requested
    # Staff carry it out: now everything goes.
    async with database.unit_of_work() as uow:
        done = await privacy(database).erase_for_reference(
            uow, record.reference, staff_user_id=staff_id
        )
    assert done.found and done.requested == ()
    assert (await row_counts(database))["pre_aanmeldingen"] == 0


async def test_an_unknown_person_gets_a_plain_answer_and_nothing_changes(
    backend: Backend, database: Database
) -> None:
    await intake(database, backend, FULL_INTAKES[0], CHAT)  # someone else's data exists
    before = await row_counts(database)
    outcome = await privacy(database).erase_for_chat("telegram", CHAT + 1)
    assert not outcome.found
    assert erasure_texts(outcome, CONTACT) == [Text(w.ERASE_NOTHING)]
    after = await row_counts(database)
    assert after == before  # not even an audit event: nothing about anyone
    copy = await privacy(database).copy_for_chat("telegram", CHAT + 1)
    assert [line for block in copy for line in block.lines] == [Text(w.COPY_NOTHING)]


async def test_a_professionals_erasure_unlinks_the_clients_records(
    backend: Backend, database: Database
) -> None:
    record = await intake(database, backend, FULL_INTAKES[1], CHAT)
    outcome = await privacy(database).erase_for_chat("telegram", CHAT)
    assert outcome.unlinked == 1 and Text(
        w.ERASE_FOR_OTHERS, {"loket_contact": CONTACT}
    ) in erasure_texts(outcome, CONTACT)
    async with database.unit_of_work(write=False) as uow:
        kept = await uow.pre_aanmeldingen.get(record.reference)
    assert kept is not None and kept.channel_user_hash is None  # the client's, kept


async def test_the_audit_log_allows_only_redaction(backend: Backend, database: Database) -> None:
    async with database.unit_of_work() as uow:
        event = await uow.audit.record("pre_aanmelding_viewed", "pre_aanmelding", "LH-AAAA-22")
    refused = [
        "UPDATE audit_events SET action = 'x'",
        "UPDATE audit_events SET subject_id = 'erased-1', action = 'x'",
        "UPDATE audit_events SET subject_id = 'LH-BBBB-33'",
        "DELETE FROM audit_events",
    ]
    for statement in refused:
        with pytest.raises(DBAPIError, match="append-only"):
            async with database.unit_of_work() as uow:
                await uow.session.execute(text(statement))
    async with database.unit_of_work() as uow:
        await uow.session.execute(text("UPDATE audit_events SET subject_id = 'erased-abc'"))
    with pytest.raises(DBAPIError, match="append-only"):  # once redacted, fixed
        async with database.unit_of_work() as uow:
            await uow.session.execute(text("UPDATE audit_events SET subject_id = 'erased-def'"))
    async with database.unit_of_work(write=False) as uow:
        [again] = await uow.audit.find(AuditFilter())
    assert again.subject_id == "erased-abc" and again.action == event.action
