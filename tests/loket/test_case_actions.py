"""The detail page and its actions: every answer shown (escaped), each view audited,
status changes with a reason and the lifecycle's refusals, notes, assignment, asking
for information through the outbox, crisis follow-up."""

from __future__ import annotations

from storage.audit import AuditFilter
from storage.lifecycle import Status
from tests.factories.dashboard import BASE, CHAT_URL, Dashboard, World
from tests.factories.pre_aanmeldingen import CHAT_ID, MAASTRICHT, submission


async def status_of(world: World, ref: str) -> Status:
    async with world.database.unit_of_work(write=False) as uow:
        item = await uow.pre_aanmeldingen.get(ref)
    assert item is not None
    return item.status


async def test_the_detail_page_shows_the_full_picture(dashboard: Dashboard) -> None:
    await dashboard.login("park")
    ref = dashboard.world.references["parkstad"]
    page = await dashboard.client.get(BASE + f"/p/{ref}")
    text = page.text
    assert page.status_code == 200
    for expected in (
        "Housing First",  # the recommendation
        "Ik slaap bij mijn zus op de bank.",  # an answer
        "Via de chat",  # contact preference
        "2025-01",  # consent text version
        "Jan de Vries",
        "Statusgeschiedenis",
    ):
        assert expected in text, expected
    async with dashboard.world.database.unit_of_work(write=False) as uow:
        viewed = await uow.audit.find(AuditFilter(action="pre_aanmelding_viewed"))
    assert [(e.subject_id, e.staff_user_id) for e in viewed] == [
        (ref, dashboard.world.accounts["park"].id)
    ]


async def test_html_in_answers_is_escaped(dashboard: Dashboard) -> None:
    world = dashboard.world
    async with world.database.unit_of_work() as uow:
        item = await uow.pre_aanmeldingen.create(
            submission(
                MAASTRICHT,
                answers={"story": "<script>alert(1)</script><b>vet</b>"},
                client_name='"><img src=x onerror=alert(2)>',
            )
        )
    await dashboard.login("maas")
    text = (await dashboard.client.get(BASE + f"/p/{item.reference}")).text
    assert "<script>alert(1)" not in text and "<img src=x" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;vet&lt;/b&gt;" in text
    assert "&#34;&gt;&lt;img src=x onerror=alert(2)&gt;" in text


async def test_a_status_change_needs_a_reason_and_is_in_the_history(
    dashboard: Dashboard,
) -> None:
    world = dashboard.world
    ref = world.references["parkstad"]
    await dashboard.login("park")
    page = f"/p/{ref}"
    missing = await dashboard.post(
        page + "/status", {"status": "in_behandeling", "reason": ""}, page=page
    )
    assert missing.status_code == 409 and "Geef een reden" in missing.text
    assert await status_of(world, ref) is Status.NIEUW
    done = await dashboard.post(
        page + "/status", {"status": "in_behandeling", "reason": "Dossier opgevraagd"}, page=page
    )
    assert done.status_code == 303
    detail = await dashboard.client.get(BASE + page + "?done=status")
    assert "De status is gewijzigd." in detail.text and "Dossier opgevraagd" in detail.text
    assert await status_of(world, ref) is Status.IN_BEHANDELING


async def test_an_illegal_transition_is_refused_and_changes_nothing(
    dashboard: Dashboard,
) -> None:
    world = dashboard.world
    ref = world.references["parkstad"]
    await dashboard.login("coord")
    page = f"/p/{ref}"
    answer = await dashboard.post(
        page + "/status",
        {"status": "geaccepteerd", "reason": "Past", "product": "housing"},
        page=page,
    )
    assert answer.status_code == 409
    assert "Van 'Nieuw' kan de status niet naar 'Geaccepteerd'" in answer.text
    assert "Er is niets gewijzigd" in answer.text
    async with world.database.unit_of_work(write=False) as uow:
        item = await uow.pre_aanmeldingen.get(ref)
        history = await uow.pre_aanmeldingen.history(ref)
        refused = await uow.audit.find(AuditFilter(action="status_change_refused"))
    assert item is not None and item.status is Status.NIEUW and item.decided_product is None
    assert len(history) == 1
    assert refused[0].details == {"from": "nieuw", "to": "geaccepteerd"}
    # Accepting needs a product; referring needs where to.
    for status in ("in_behandeling", "intake_gepland"):
        await dashboard.post(page + "/status", {"status": status, "reason": "ok"}, page=page)
    no_product = await dashboard.post(
        page + "/status", {"status": "geaccepteerd", "reason": "ok"}, page=page
    )
    assert no_product.status_code == 409 and "Kies het product" in no_product.text
    no_referral = await dashboard.post(
        page + "/status", {"status": "doorverwezen", "reason": "ok"}, page=page
    )
    assert no_referral.status_code == 409 and "waarnaar" in no_referral.text
    assert await status_of(world, ref) is Status.INTAKE_GEPLAND


async def test_asking_for_information_queues_a_message(dashboard: Dashboard) -> None:
    world = dashboard.world
    ref = world.references["parkstad"]
    await dashboard.login("park")
    page = f"/p/{ref}"
    too_early = await dashboard.post(page + "/info", {"question": "Waar slaap je?"}, page=page)
    assert too_early.status_code == 409
    await dashboard.post(page + "/status", {"status": "in_behandeling", "reason": "ok"}, page=page)
    asked = await dashboard.post(page + "/info", {"question": "Waar slaap je nu?"}, page=page)
    assert asked.status_code == 303 and asked.headers["location"].endswith("done=info")
    assert await status_of(world, ref) is Status.INFO_GEVRAAGD
    async with world.database.unit_of_work() as uow:
        # The status change to in_behandeling was news too; the question comes after it
        # (the outbox hands out one message per person at a time, in order).
        assert await uow.outbox.pending_count() == 2
        (news,) = await uow.outbox.claim_due()
        await uow.outbox.mark_delivered(news.id)
        (message,) = await uow.outbox.claim_due()
        history = await uow.pre_aanmeldingen.history(ref)
    assert message.channel == "telegram" and message.recipient_hash == "b" * 64
    assert message.recipient == CHAT_ID
    question, link, contact = message.payload["text"].split("\n")
    assert question == f"Het loket heeft een vraag over je aanmelding {ref}: Waar slaap je nu?"
    assert link.startswith(
        "Lees en beantwoord de berichten van het loket op deze pagina: "
        f"{CHAT_URL}/berichten?t={ref.replace('-', '')}."
    )
    assert contact == (
        "Je kunt het loket ook bellen of mailen. Loket Housing: Voorbeeldstraat 1, 6411 AA "
        "Heerlen, telefoon 045 000 0001, e-mail loket@voorbeeld.invalid, open maandag tot en "
        "met vrijdag van 09:00 tot 17:00."
    )
    assert history[-1].reason == "Waar slaap je nu?"


async def test_a_status_change_reaches_the_person_in_their_chat(dashboard: Dashboard) -> None:
    world = dashboard.world
    ref = world.references["parkstad"]
    await dashboard.login("park")
    page = f"/p/{ref}"
    await dashboard.post(page + "/status", {"status": "in_behandeling", "reason": "ok"}, page=page)
    async with world.database.unit_of_work() as uow:
        (message,) = await uow.outbox.claim_due()
        events = await uow.audit.events()
    assert (message.channel, message.recipient) == ("telegram", CHAT_ID)
    news, status, link, contact = message.payload["text"].split("\n")
    assert news == f"Nieuws over je aanmelding {ref}:"
    assert status == "Een medewerker van het loket is met je aanmelding bezig."
    assert f"{CHAT_URL}/berichten?t=" in link and contact.startswith("Je kunt het loket ook")
    changed = [e for e in events if e.action == "status_changed"]
    assert changed[-1].details["person_notified"] is True


async def test_assign_note_and_crisis(dashboard: Dashboard) -> None:
    world = dashboard.world
    ref = world.references["parkstad"]
    park = world.accounts["park"]
    await dashboard.login("park")
    page = f"/p/{ref}"
    maas_id = str(world.accounts["maas"].id)
    refused = await dashboard.post(page + "/assign", {"assignee": maas_id}, page=page)
    assert refused.status_code == 409  # a Maastricht medewerker cannot take a Parkstad case
    assert (
        await dashboard.post(page + "/assign", {"assignee": str(park.id)}, page=page)
    ).status_code == 303
    empty = await dashboard.post(page + "/note", {"text": "   "}, page=page)
    assert empty.status_code == 400
    await dashboard.post(page + "/note", {"text": "Gebeld met de zus."}, page=page)
    await dashboard.post(page + "/crisis", {"needed": "1"}, page=page)
    mine = await dashboard.client.get(BASE + "/queue?view=mine")
    assert f"/p/{ref}" in mine.text and "Crisis" in mine.text
    async with world.database.unit_of_work(write=False) as uow:
        item = await uow.pre_aanmeldingen.get(ref)
        notes = await uow.pre_aanmeldingen.notes(ref)
        actions = [e.action for e in await uow.audit.find(AuditFilter(subject_id=ref))]
    assert item is not None and item.assigned_staff_id == park.id and item.crisis_follow_up
    assert [n.text for n in notes] == ["Gebeld met de zus."]
    assert {"assigned", "note_added", "crisis_follow_up_set"} <= set(actions)
