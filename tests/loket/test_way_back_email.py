"""A professional who gave an e-mail address hears of the loket's news by e-mail: one
mail per message, through the outbox, to a real SMTP server (aiosmtpd), saying only
that there is a message and where to read it. SMTP down: kept, retried, nothing lost.
A case nobody can be reached for refuses a question and changes nothing."""

from __future__ import annotations

from dataclasses import replace

from bot.email.senders import SmtpSender
from storage.lifecycle import Status
from storage.pre_aanmeldingen import Submitter
from tests.factories.dashboard import CHAT_URL, Dashboard, World
from tests.factories.mail_outbox import deliverer, eventually
from tests.factories.pre_aanmeldingen import PARKSTAD, submission
from tests.factories.smtp import mail_server
from tests.serving import free_port

PROFESSIONAL = "J.Bakker@Zorg.example.org"
QUESTION = "Is de verslaving nog een probleem bij het wonen?"


async def a_case(world: World, **how: object) -> str:
    """A Parkstad case registered by a professional, with Housing First advice."""
    new = replace(
        submission(PARKSTAD, client_name="Kees Verslag", channel_user_hash=None),
        **how,  # type: ignore[arg-type]
    )
    async with world.database.unit_of_work() as uow:
        return (await uow.pre_aanmeldingen.create(new)).reference


async def test_a_professional_gets_one_mail_without_special_category_data(
    dashboard: Dashboard,
) -> None:
    world = dashboard.world
    professional = Submitter(
        "professional",
        name="Jet Bakker",
        organisation="Radar",
        contact="0612345678",
        email=PROFESSIONAL,
    )
    ref = await a_case(world, submitter=professional, contact_preference="via_submitter")
    await dashboard.login("park")
    page = f"/p/{ref}"
    before = await dashboard.client.get("/loket" + page)
    assert "de aanmelder, per e-mail" in before.text  # said before the action
    await dashboard.post(page + "/status", {"status": "in_behandeling", "reason": "ok"}, page=page)
    asked = await dashboard.post(page + "/info", {"question": QUESTION}, page=page)
    assert asked.status_code == 303
    with mail_server(free_port()) as server:
        sender = SmtpSender("127.0.0.1", server.port, tls="none", timeout=5)
        running = deliverer(world.database, sender)
        running.start()
        running.wake()
        await eventually(lambda: len(server.accepted) == 2)
        await running.stop()
    assert [m.rcpt_tos for m in server.accepted] == [(PROFESSIONAL.lower(),)] * 2
    for mail in server.accepted:
        text = mail.text
        assert mail.message["Subject"] == "Nieuw bericht van Loket Housing"
        assert ref in text and f"{CHAT_URL}/berichten?t=" in text
        for secret in (QUESTION, "verslaving", "Kees", "Housing First", "In behandeling"):
            assert secret not in text and secret not in mail.message["Subject"]
    async with world.database.unit_of_work(write=False) as uow:
        assert await uow.outbox.pending_count() == 0


async def test_smtp_down_keeps_the_mail_until_it_is_back(dashboard: Dashboard) -> None:
    world = dashboard.world
    ref = await a_case(world, contact_preference="email", contact_address="sam@example.org")
    await dashboard.login("park")
    page = f"/p/{ref}"
    await dashboard.post(page + "/status", {"status": "in_behandeling", "reason": "ok"}, page=page)
    port = free_port()
    sender = SmtpSender("127.0.0.1", port, tls="none", timeout=2)
    running = deliverer(world.database, sender)
    running.start()
    running.wake()
    async with world.database.unit_of_work(write=False) as uow:
        assert await uow.outbox.pending_count() == 1  # nobody listens: kept
    world.clock.advance(hours=1)
    with mail_server(port) as server:
        running.wake()
        await eventually(lambda: len(server.accepted) == 1, seconds=15)
        await running.stop()
    assert len(server.accepted) == 1 and server.accepted[0].rcpt_tos == ("sam@example.org",)


async def test_a_question_nobody_can_receive_is_refused(dashboard: Dashboard) -> None:
    world = dashboard.world
    ref = await a_case(world, contact_preference="phone", contact_address="0612345678")
    await dashboard.login("park")
    page = f"/p/{ref}"
    await dashboard.post(page + "/status", {"status": "in_behandeling", "reason": "ok"}, page=page)
    shown = await dashboard.client.get("/loket" + page)
    assert "De persoon wil gebeld worden. Er gaat geen bericht uit" in shown.text
    refused = await dashboard.post(page + "/info", {"question": QUESTION}, page=page)
    assert refused.status_code == 409 and "Deze vraag kan niemand bereiken" in refused.text
    async with world.database.unit_of_work(write=False) as uow:
        item = await uow.pre_aanmeldingen.get(ref)
        assert await uow.outbox.pending_count() == 0
    assert item is not None and item.status is Status.IN_BEHANDELING
