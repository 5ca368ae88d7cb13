"""E-mail delivery against a real SMTP server (aiosmtpd) on SQLite and PostgreSQL:
once, with the headers and the text; SMTP down or answering 451: kept and retried,
nothing lost, never twice; 550: that mail only given up; a lease after a crash; and
TLS from the start and STARTTLS with a login, with a certificate made in the test."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from bot.email.senders import OutgoingMail, SmtpSender
from storage.database import Database
from tests.factories.databases import FakeClock
from tests.factories.mail_outbox import audit_events, deliverer, eventually, outbox_row, queue_mail
from tests.factories.smtp import mail_server, self_signed
from tests.serving import free_port

ADDRESS = "Professional.Jansen@Zorg.example.org"
NORMALISED = "professional.jansen@zorg.example.org"
SUBJECT = "Nieuws over de aanmelding LH-7KQ2"
TEXT = "Beste hulpverlener,\n\nDe status is gewijzigd: intake gepland.\n\nLoket Housing"


def plain(port: int) -> SmtpSender:
    return SmtpSender("127.0.0.1", port, tls="none", timeout=5)


async def test_a_status_mail_arrives_once_with_its_headers_and_text(
    database: Database, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    message_id = await queue_mail(database, ADDRESS, SUBJECT, TEXT, reference="LH-7KQ2")
    with mail_server(free_port()) as server:
        running = deliverer(database, plain(server.port))
        running.start()
        running.wake()
        await eventually(lambda: len(server.accepted) == 1)
        clock.advance(hours=2)  # far past any lease and retry: still once
        for _ in range(3):
            running.wake()
            await asyncio.sleep(0.1)
        await running.stop()

    assert len(server.accepted) == 1
    mail = server.accepted[0]
    assert mail.mail_from == "loket@loket.example.org"
    assert mail.rcpt_tos == (NORMALISED,)
    message = mail.message
    assert message["From"] == "Loket Housing <loket@loket.example.org>"
    assert message["To"] == NORMALISED
    assert message["Subject"] == SUBJECT
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"].endswith("@loket.example.org>")
    assert parsedate_to_datetime(message["Date"]) == clock.now - timedelta(hours=2)
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    assert mail.text == TEXT
    assert "LH-7KQ2" not in message["Subject"].replace(SUBJECT, "")  # no extra data

    row = await outbox_row(database, message_id)
    assert row.delivered_at is not None and row.given_up_at is None
    assert row.recipient is None, "the address is erased once delivered"
    assert row.attempts == 1
    sent = await audit_events(database, "email_sent")
    assert [(e.subject_id, e.details) for e in sent] == [("LH-7KQ2", {"outbox_id": message_id})]

    ours = [r for r in caplog.records if r.name != "mail.log"]  # not the test server's
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in ours).lower()
    assert NORMALISED not in logged and "jansen" not in logged
    assert SUBJECT.lower() not in logged and "intake gepland" not in logged


async def test_smtp_down_keeps_the_mail_and_sends_it_once_when_back(
    database: Database, clock: FakeClock
) -> None:
    port = free_port()  # nothing listens there yet
    message_id = await queue_mail(database, ADDRESS)
    others = [await queue_mail(database, f"other{n}@zorg.example.org") for n in range(2)]
    running = deliverer(database, plain(port))
    running.start()
    await eventually(lambda: running.server_down)
    await asyncio.sleep(0.3)  # several probes while down
    row = await outbox_row(database, message_id)
    assert row.delivered_at is None and row.given_up_at is None
    assert row.recipient == NORMALISED, "kept while it waits"
    assert row.last_error == "smtp_connect"
    assert row.attempts == 1, "an outage costs one attempt, not one per probe"
    for other in others:  # the rest of the batch: handed back untried, kept
        handed_back = await outbox_row(database, other)
        assert handed_back.attempts == 1 and handed_back.last_error == "smtp_connect"
        assert handed_back.recipient is not None and handed_back.given_up_at is None

    with mail_server(port) as server:
        await eventually(lambda: not running.server_down)
        clock.advance(seconds=2)  # the hand-back's short wait on the outbox's clock
        running.wake()
        await eventually(lambda: len(server.accepted) == 3)
        clock.advance(hours=1)
        running.wake()
        await asyncio.sleep(0.3)
        await running.stop()
    assert sorted(mail.rcpt_tos[0] for mail in server.accepted) == [
        "other0@zorg.example.org",
        "other1@zorg.example.org",
        NORMALISED,
    ], "nothing lost, nothing twice"
    row = await outbox_row(database, message_id)
    assert row.delivered_at is not None and row.recipient is None


async def test_a_451_is_retried_later_and_arrives_once(
    database: Database, clock: FakeClock
) -> None:
    message_id = await queue_mail(database, ADDRESS)
    with mail_server(free_port()) as server:
        server.recorder.data_answer = "451 4.3.0 Try again later"
        running = deliverer(database, plain(server.port))
        assert await running.deliver_due() == 1
        row = await outbox_row(database, message_id)
        assert row.delivered_at is None and row.given_up_at is None
        assert row.last_error == "smtp_451" and row.recipient == NORMALISED
        assert await running.deliver_due() == 0, "not due before its retry time"

        server.recorder.data_answer = None  # repaired
        clock.advance(seconds=59)
        assert await running.deliver_due() == 0
        clock.advance(seconds=2)  # a minute after the 451
        assert await running.deliver_due() == 1
        clock.advance(hours=3)
        assert await running.deliver_due() == 0
    assert len(server.accepted) == 1
    row = await outbox_row(database, message_id)
    assert row.delivered_at is not None and row.recipient is None and row.attempts == 2
    assert running.stats.deferred == 1 and running.stats.delivered == 1


async def test_a_550_gives_up_that_mail_only(
    database: Database, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot")
    gone = await queue_mail(database, "gone@zorg.example.org", reference="LH-GONE")
    fine = await queue_mail(database, ADDRESS)
    with mail_server(free_port()) as server:
        server.recorder.refuse["gone@zorg.example.org"] = "550 5.1.1 No such user"
        running = deliverer(database, plain(server.port))
        assert await running.deliver_due() == 2
        clock.advance(days=1)
        assert await running.deliver_due() == 0, "a refused mail is not tried again"
    assert [mail.rcpt_tos for mail in server.accepted] == [(NORMALISED,)]
    refused = await outbox_row(database, gone)
    assert refused.given_up_at is not None and refused.delivered_at is None
    assert refused.recipient is None, "the address is erased when given up"
    assert refused.last_error == "smtp_550"
    assert (await outbox_row(database, fine)).delivered_at is not None
    given_up = await audit_events(database, "email_given_up")
    assert [(e.subject_id, e.details["error"]) for e in given_up] == [("LH-GONE", "smtp_550")]
    warned = [r.getMessage() for r in caplog.records if r.name.startswith("bot.email")]
    assert warned == [f"email: message {gone} given up (smtp_550)"], "an id and a code only"


async def test_mails_to_one_address_arrive_in_order(database: Database) -> None:
    for number in range(3):
        await queue_mail(database, ADDRESS, f"Bericht {number}")
    with mail_server(free_port()) as server:
        running = deliverer(database, plain(server.port))
        running.start()
        running.wake()
        await eventually(lambda: len(server.accepted) == 3)
        await running.stop()
    assert [mail.message["Subject"] for mail in server.accepted] == [
        "Bericht 0",
        "Bericht 1",
        "Bericht 2",
    ]


async def test_a_claimed_but_unmarked_mail_comes_back_after_its_lease(
    database: Database, clock: FakeClock
) -> None:
    message_id = await queue_mail(database, ADDRESS)
    async with database.unit_of_work() as uow:  # a deliverer that claimed, then died
        assert len(await uow.outbox.claim_due(channel="email", lease=timedelta(minutes=10))) == 1
    with mail_server(free_port()) as server:
        running = deliverer(database, plain(server.port))
        assert await running.deliver_due() == 0, "leased: nobody else sends it"
        clock.advance(minutes=9)
        assert await running.deliver_due() == 0
        clock.advance(minutes=2)
        assert await running.deliver_due() == 1
        clock.advance(hours=1)
        assert await running.deliver_due() == 0
    assert len(server.accepted) == 1, "it had not gone out: sent once"
    assert (await outbox_row(database, message_id)).attempts == 2


class Crash(BaseException):
    """The process dies (after the SMTP server accepted, before the commit)."""


class CrashAfterAccept:
    kind = "smtp"

    def __init__(self, real: SmtpSender) -> None:
        self.real = real

    async def send(self, mail: OutgoingMail) -> None:
        await self.real.send(mail)
        raise Crash

    async def check(self) -> None:
        await self.real.check()


async def test_a_crash_between_accept_and_commit_sends_again_at_least_once(
    database: Database, clock: FakeClock
) -> None:
    message_id = await queue_mail(database, ADDRESS)
    with mail_server(free_port()) as server:
        crashing = deliverer(database, CrashAfterAccept(plain(server.port)))
        with pytest.raises(Crash):
            await crashing.deliver_due()
        assert len(server.accepted) == 1
        row = await outbox_row(database, message_id)
        assert row.delivered_at is None, "the commit never happened"
        restarted = deliverer(database, plain(server.port))
        assert await restarted.deliver_due() == 0, "not before the lease ends"
        clock.advance(minutes=11)
        assert await restarted.deliver_due() == 1
        clock.advance(hours=1)
        assert await restarted.deliver_due() == 0
    # At least once (docs/operations.md, "E-mail"): the one window that sends twice.
    assert len(server.accepted) == 2
    assert (await outbox_row(database, message_id)).delivered_at is not None


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_tls_from_the_start(database: Database, tmp_path: Path) -> None:
    certificate = self_signed(tmp_path)
    await queue_mail(database, ADDRESS, "Über Ihre Anmeldung", "Привіт! Ваша заявка.")
    with mail_server(free_port(), tls=certificate) as server:
        sender = SmtpSender(
            "127.0.0.1", server.port, tls="tls", timeout=5, tls_context=certificate.client_context()
        )
        assert await deliverer(database, sender).deliver_due() == 1
    [mail] = server.accepted
    assert mail.message["Subject"] == "Über Ihre Anmeldung"
    assert mail.text == "Привіт! Ваша заявка."


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_starttls_with_a_login(database: Database, clock: FakeClock, tmp_path: Path) -> None:
    certificate = self_signed(tmp_path)
    message_id = await queue_mail(database, ADDRESS)
    with mail_server(free_port(), starttls=certificate) as server:
        options = {"timeout": 5.0, "tls_context": certificate.client_context()}
        wrong = SmtpSender("127.0.0.1", server.port, username="loket", password="wrong", **options)
        running = deliverer(database, wrong)
        await running.deliver_due()
        assert running.server_down and not server.accepted
        assert (await outbox_row(database, message_id)).last_error == "smtp_login_535"

        right = SmtpSender(
            "127.0.0.1", server.port, username="loket", password="right-password", **options
        )
        await right.check()  # logs in, as the deliverer's probe does
        clock.advance(seconds=2)  # the hand-back's short wait
        assert await deliverer(database, right).deliver_due() == 1
    assert len(server.accepted) == 1 and server.recorder.logins == ["loket", "loket"]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_an_untrusted_certificate_is_refused(database: Database, tmp_path: Path) -> None:
    certificate = self_signed(tmp_path)
    message_id = await queue_mail(database, ADDRESS)
    with mail_server(free_port(), tls=certificate) as server:
        trusting_the_system = SmtpSender("127.0.0.1", server.port, tls="tls", timeout=5)
        running = deliverer(database, trusting_the_system)
        await running.deliver_due()
    assert running.server_down and not server.accepted
    row = await outbox_row(database, message_id)
    assert row.last_error in ("smtp_tls", "smtp_connect") and row.given_up_at is None


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_starttls_mode_never_sends_in_the_clear(database: Database) -> None:
    message_id = await queue_mail(database, ADDRESS)
    with mail_server(free_port()) as server:  # offers no STARTTLS
        running = deliverer(database, SmtpSender("127.0.0.1", server.port, timeout=5))
        await running.deliver_due()
    assert running.server_down and not server.accepted
    row = await outbox_row(database, message_id)
    assert row.delivered_at is None and row.given_up_at is None and row.recipient == NORMALISED
