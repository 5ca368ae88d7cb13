"""The real `intake serve` process with Telegram, against the fake Bot API in a thread:
an intake from /start to the reference code, with the process killed (SIGKILL) in the
middle, while the next answer is on its way, and started again. Nothing is lost: the
answer's reply arrives, /start resumes at the same question, and the summary holds
the answers from before the kill.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import httpx
import pytest

from tests.fakes import TEST_TOKEN, FakeBotAPI, FakeBotAPIThread
from tests.scenario_files import COMMAND_TEXT, load_scenarios
from tests.serving import free_port

SCENARIO = next(s for s in load_scenarios() if s.name == "zelfmelding/housing_first_street")
KILL_AFTER = 8  # steps answered before the kill; the 9th is sent and the process killed
CHAT = 8080
WAIT = 20.0


class Person:
    """A person in a private chat with the bot, through the threaded fake."""

    def __init__(self, fake: FakeBotAPIThread, chat_id: int) -> None:
        self.fake, self.chat_id = fake, chat_id

    def received(self) -> int:
        return len(self.fake.sent_messages(self.chat_id)) + len(self.fake.edits(self.chat_id))

    def last_text(self) -> str:
        texts = self.fake.sent_texts(self.chat_id)
        return texts[-1] if texts else ""

    def wait_reply(self, before: int) -> None:
        self.fake.wait_for(lambda: self.received() > before, timeout=WAIT)

    def type(self, text: str, *, wait: bool = True) -> None:
        before = self.received()
        self.fake.inject_message(self.chat_id, text)
        if wait:
            self.wait_reply(before)

    def press(self, option: str, *, wait: bool = True) -> None:
        for sent in reversed(self.fake.sent_messages(self.chat_id)):
            if sent.reply_markup:
                break
        current = self.fake.message(self.chat_id, sent.message_id) or {}
        rows = current.get("reply_markup", {}).get("inline_keyboard", [])
        data = [b["callback_data"] for row in rows for b in row]
        [pressed] = [d for d in data if d.split(":", 1)[1] == option]
        before = self.received()
        self.fake.inject_callback(self.chat_id, sent.message_id, pressed)
        if wait:
            self.wait_reply(before)

    def step(self, move: Any, *, wait: bool = True) -> None:
        if isinstance(move, str):
            self.type(move, wait=wait)
            return
        ((kind, value),) = move.items()
        if kind == "choice":
            self.press(str(value), wait=wait)
        elif kind == "command":
            self.type(COMMAND_TEXT[value], wait=wait)
        else:
            raise AssertionError(f"step {move!r} is not used here")


@contextmanager
def serving(env: dict[str, str], cwd: Path, log: IO[bytes]) -> Iterator[subprocess.Popen[bytes]]:
    intake = Path(sys.executable).with_name("intake")
    process = subprocess.Popen(
        [str(intake), "serve"], cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=15)


def outbox_settled(database: Path) -> bool:
    """Every queued message delivered (and marked so)."""
    with sqlite3.connect(database) as db:
        [(pending,)] = db.execute(
            "SELECT count(*) FROM outbox_messages "
            "WHERE delivered_at IS NULL AND given_up_at IS NULL"
        ).fetchall()
    return bool(pending == 0)


def wait_started(fake: FakeBotAPIThread, env: dict[str, str], process: Any, calls: int) -> None:
    """Serving /healthz, and Telegram started (polling or the webhook set)."""
    method = "setWebhook" if env["TELEGRAM_MODE"] == "webhook" else "getUpdates"
    fake.wait_for(lambda: len(fake.calls_to(method)) > calls or process.poll() is not None, WAIT)
    assert process.poll() is None, "intake serve stopped"
    url = f"http://127.0.0.1:{env['PORT']}/healthz"

    def healthy() -> bool:
        try:
            return httpx.get(url, timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    fake.wait_for(healthy, WAIT)


@pytest.mark.parametrize(("framework", "mode"), [("aiogram", "polling"), ("ptb", "webhook")])
def test_intake_serve_survives_sigkill_mid_intake(
    tmp_path: Path, framework: str, mode: str
) -> None:
    port = free_port()
    database = tmp_path / "intake.db"
    with FakeBotAPI.run_in_thread() as fake:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEB_"))},
            "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
            "SECRET_KEY": "serve-test-secret",
            "PORT": str(port),
            "TELEGRAM_BOT_TOKEN": TEST_TOKEN,
            "TELEGRAM_API_BASE_URL": fake.base_url,
            "TELEGRAM_FRAMEWORK": framework,
            "TELEGRAM_MODE": mode,
            "TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram/webhook",
            "TELEGRAM_CHAT_MESSAGES_PER_SECOND": "40",
        }
        person = Person(fake, CHAT)
        with (tmp_path / "serve.log").open("wb") as log:
            with serving(env, tmp_path, log) as first:
                wait_started(fake, env, first, 0)
                person.type("/start")
                person.press(SCENARIO.flow)
                for move in SCENARIO.steps[:KILL_AFTER]:
                    person.step(move)
                asked = person.last_text().split("\n\n")[-1]  # the open question
                fake.wait_for(lambda: outbox_settled(database), WAIT)
                # Frozen, then killed: the next answer is on its way and never seen.
                first.send_signal(signal.SIGSTOP)
                before = person.received()
                person.step(SCENARIO.steps[KILL_AFTER], wait=False)
                first.send_signal(signal.SIGKILL)
                first.wait(timeout=10)

            calls = len(fake.calls_to("getUpdates")) + len(fake.calls_to("setWebhook"))
            with serving(env, tmp_path, log) as second:
                wait_started(fake, env, second, calls - len(fake.calls_to("setWebhook")))
                # The answer sent at the kill is not lost: its reply arrives.
                person.wait_reply(before)
                answered = person.last_text().split("\n\n")[-1]
                assert answered != asked
                person.type("/start")
                assert person.last_text().startswith("Je was al bezig.")
                assert person.last_text().endswith(answered)  # the same question
                for move in SCENARIO.steps[KILL_AFTER + 1 :]:
                    person.step(move)
                texts = fake.sent_texts(CHAT)
        summary = next(t for t in reversed(texts) if t.startswith("Dit heb je ingevuld"))
        assert "Plaats: Heerlen" in summary  # answered before the kill
        assert any("De aanmeldcode is LH-" in t for t in texts[-3:])
    with sqlite3.connect(database) as db:
        [(product,)] = db.execute("SELECT recommended_product FROM pre_aanmeldingen").fetchall()
    assert product == SCENARIO.product
