"""The mail folder (`make run`'s default): one readable .eml per mail; the settings
that choose SMTP or the folder, refused in production when e-mail is not chosen on
purpose; and the composition root that runs the deliverer in `intake serve`."""

from __future__ import annotations

import shutil
import stat
import subprocess
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import pytest

from bot.app import create_app
from bot.email.config import MailSettingsError, mail_sender
from bot.email.senders import FolderSender, ServerUnavailable, SmtpSender
from bot.settings import DEFAULT_MAIL_FROM, Settings
from storage.database import Database
from tests.factories.databases import FakeClock, sqlite_url
from tests.factories.mail_outbox import deliverer, eventually, outbox_row, queue_mail
from tests.factories.service_data import REAL, SHELTERS
from tests.serving import first_answer, running_serve, serve_env, stops_with_one_line

ADDRESS = "coordinator@zorg.example.org"


def read_eml(path: Path) -> EmailMessage:
    message = message_from_bytes(path.read_bytes(), policy=default_policy)
    assert isinstance(message, EmailMessage)
    return message


def settings(tmp_path: Path, **values: object) -> Settings:
    return Settings(_env_file=None, intake_home=tmp_path / "home", **values)  # type: ignore[call-arg]


async def test_each_mail_is_a_readable_eml_file(
    database: Database, clock: FakeClock, tmp_path: Path
) -> None:
    folder = tmp_path / "mail"
    first = await queue_mail(database, ADDRESS, "Status: intake gepland", "Tot dinsdag.")
    await queue_mail(database, "other@zorg.example.org", "Een vraag", "Er is een bericht.")
    sender = FolderSender(folder)
    assert await deliverer(database, sender).deliver_due() == 2
    files = sorted(folder.iterdir())
    assert [path.suffix for path in files] == [".eml", ".eml"], "no partial file left"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(path.stat().st_mode) == 0o600 for path in files)
    assert ADDRESS not in " ".join(path.name for path in files)
    mails = {read_eml(path)["To"]: read_eml(path) for path in files}
    mail = mails[ADDRESS]
    assert mail["Subject"] == "Status: intake gepland"
    assert mail["From"] == "Loket Housing <loket@loket.example.org>"
    assert mail["Auto-Submitted"] == "auto-generated" and mail["Message-ID"]
    assert mail.get_content().replace("\r\n", "\n").rstrip("\n") == "Tot dinsdag."
    row = await outbox_row(database, first)
    assert row.delivered_at is not None and row.recipient is None
    clock.advance(hours=1)
    assert await deliverer(database, sender).deliver_due() == 0
    assert len(list(folder.iterdir())) == 2


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_a_mail_written_again_replaces_its_own_file(
    database: Database, clock: FakeClock, tmp_path: Path
) -> None:
    """The crash window of the folder: written, not marked; after the lease the same
    outbox message is written again, over its own file: still one file."""
    await queue_mail(database, ADDRESS)
    async with database.unit_of_work() as uow:
        [claimed] = await uow.outbox.claim_due(channel="email")
    running = deliverer(database, FolderSender(tmp_path / "mail"))
    await running.sender.send(running.outgoing(claimed))  # the crashed attempt
    clock.advance(minutes=2)  # the store's default lease
    assert await running.deliver_due() == 1
    assert len(list((tmp_path / "mail").iterdir())) == 1


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_an_unwritable_folder_keeps_the_mail(database: Database, tmp_path: Path) -> None:
    blocked = tmp_path / "mail"
    blocked.write_text("a file where the folder should be")
    message_id = await queue_mail(database, ADDRESS)
    running = deliverer(database, FolderSender(blocked))
    await running.deliver_due()
    assert running.server_down
    row = await outbox_row(database, message_id)
    assert row.delivered_at is None and row.given_up_at is None
    assert row.last_error == "folder_unwritable" and row.recipient == ADDRESS
    with pytest.raises(ServerUnavailable):
        await running.sender.check()


# --- settings ----------------------------------------------------------------------


def test_without_smtp_mails_go_to_the_folder_in_the_data_directory(tmp_path: Path) -> None:
    chosen = mail_sender(settings(tmp_path))
    assert isinstance(chosen, FolderSender)
    assert chosen.folder == tmp_path / "home" / "mail"
    assert not chosen.folder.exists(), "made with the first mail, not before"
    assert settings(tmp_path).mail_from == DEFAULT_MAIL_FROM
    assert DEFAULT_MAIL_FROM.endswith("@example.invalid>")


def test_smtp_settings_make_an_smtp_sender(tmp_path: Path) -> None:
    chosen = mail_sender(
        settings(
            tmp_path,
            smtp_host="smtp.example.org",
            smtp_port=465,
            smtp_tls="tls",
            smtp_username="loket",
            smtp_password="secret",
            mail_from="Loket <noreply@loket.example.org>",
        )
    )
    assert isinstance(chosen, SmtpSender)
    assert (chosen.host, chosen.port, chosen.tls) == ("smtp.example.org", 465, "tls")


@pytest.mark.parametrize(
    ("values", "said"),
    [
        ({"environment": "production"}, "e-mail is not configured: production needs SMTP_HOST"),
        (
            {"environment": "production", "smtp_host": "smtp.example.org"},
            "MAIL_FROM is the placeholder address",
        ),
        ({"smtp_host": "smtp.example.org", "mail_from": "loket"}, "MAIL_FROM is not one"),
        ({"smtp_host": "h", "smtp_username": "loket"}, "SMTP_PASSWORD is not"),
        (
            {"smtp_host": "h", "smtp_username": "u", "smtp_password": "p", "smtp_tls": "none"},
            "password unencrypted",
        ),
    ],
)
def test_unusable_mail_settings_are_refused(
    tmp_path: Path, values: dict[str, object], said: str
) -> None:
    with pytest.raises(MailSettingsError, match=said):
        mail_sender(settings(tmp_path, **values))


def test_production_accepts_smtp_with_a_real_sender_or_a_folder_on_purpose(
    tmp_path: Path,
) -> None:
    real = {"smtp_host": "smtp.example.org", "mail_from": "Loket <noreply@loket.example.org>"}
    assert isinstance(mail_sender(settings(tmp_path, environment="production", **real)), SmtpSender)
    chosen = mail_sender(settings(tmp_path, environment="production", mail_folder=tmp_path / "out"))
    assert isinstance(chosen, FolderSender) and chosen.folder == tmp_path / "out"


def test_intake_serve_in_production_refuses_to_start_without_e_mail(tmp_path: Path) -> None:
    services = tmp_path / "services.yaml"
    services.write_text(REAL % SHELTERS)
    env = serve_env(ENVIRONMENT="production", SERVICE_DIRECTORY_FILE=str(services))
    line = stops_with_one_line(tmp_path, env)
    assert line.startswith("intake serve: e-mail is not configured: production needs SMTP_HOST")


# --- the composition root ---------------------------------------------------------


async def test_the_service_delivers_queued_mail_into_the_folder(
    tmp_path: Path, sqlite_template: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(sqlite_template, home / "intake.db")
    app = create_app(settings(tmp_path, secret_key="composition-test-secret"))
    async with app.router.lifespan_context(app):
        await queue_mail(app.state.database, ADDRESS, "Een bericht van het loket")
        app.state.email.wake()
        folder = home / "mail"
        await eventually(lambda: folder.is_dir() and any(folder.glob("*.eml")))
    [written] = folder.glob("*.eml")
    assert read_eml(written)["Subject"] == "Een bericht van het loket"


async def test_make_run_writes_queued_mail_to_var_mail(tmp_path: Path) -> None:
    """`make run` is `intake serve` with no settings: a mail queued in its database
    (here by the test, as the dashboard would) appears in ./var/mail."""
    env = serve_env()
    with running_serve(tmp_path, env, subprocess.DEVNULL) as process:
        answer = first_answer(process, f"http://127.0.0.1:{env['PORT']}/readyz")
        assert answer is not None and answer.status_code == 200
        database = Database(sqlite_url(tmp_path / "var" / "intake.db"))
        try:
            await queue_mail(database, ADDRESS, "Uw aanmelding is ontvangen")
        finally:
            await database.dispose()
        folder = tmp_path / "var" / "mail"
        await eventually(lambda: folder.is_dir() and any(folder.glob("*.eml")), seconds=20)
    [written] = folder.glob("*.eml")
    assert read_eml(written)["Subject"] == "Uw aanmelding is ontvangen"
    assert read_eml(written)["From"] == DEFAULT_MAIL_FROM
