"""Kill the real `intake serve` (SIGKILL) at each step of an update's life, with both
frameworks, and start it again: every answer is handled once, every reply arrives at
least once and at most twice, and the person never has to repeat themselves.

The steps of the update under test (the person types "ja" to the consent question):
- received: just after the poll that handed it out was answered;
- committed: its unit of work committed, its reply not yet sent (the first
  sendMessage for the chat is about to run): the window between the commit and the
  update's own send. The reply's outbox row was written leased in the update's unit
  of work, so after the restart the deliverer sends it once the lease runs out:
  exactly once (`test_a_crash_between_commit_and_send_delivers_the_reply_exactly_once`);
- sent: Telegram took the reply, the process never heard so (killed before the
  answer went out), so the reply is sent again after the lease: the one duplicate;
- recorded: the reply was sent and its delivery recorded;
- confirmed: the next poll, whose offset confirms the update, is about to run.
The fake Bot API runs in this process; it keeps an update until an offset above it
confirms it, exactly as Telegram does.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
from http import HTTPStatus
from pathlib import Path

import pytest

from tests.fakes import TEST_TOKEN, FakeBotAPI
from tests.fakes.telegram_api import ApiCall, ApiError
from tests.fakes.telegram_thread import FakeBotAPIThread
from tests.serving import serve_env, start_serve
from tests.telegram.harness import FRAMEWORKS

CHAT = 4711
STEPS = ("received", "committed", "sent", "recorded", "confirmed")
CONSENT = "Mag het loket je antwoorden bewaren"
NAME = "Hoe heet je?"
LIVING = "Waar slaap je nu meestal?"
CORRECTIONS = ("Ik weet niet welk antwoord", "Antwoord met ja of nee", "Die knop hoort")
WAIT = 45.0  # the outbox lease (15 s) runs out before a reply lost in flight comes again


def wait_until(predicate: Callable[[], bool], what: str, seconds: float = WAIT) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"waited {seconds:.0f} s for {what}")


def texts(fake: FakeBotAPIThread) -> list[str]:
    return fake.call(lambda api: api.sent_texts(CHAT))


def count(fake: FakeBotAPIThread, words: str) -> int:
    return sum(words in text for text in texts(fake))


def delivered(database: Path) -> int:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as conn:
        row = conn.execute(
            "SELECT count(*) FROM outbox_messages WHERE delivered_at IS NOT NULL"
        ).fetchone()
    return int(row[0])


def arm(fake: FakeBotAPIThread, step: str, pid: int, update_id: int, database: Path) -> None:
    """Kill the process at `step` of the update's life (runs on the fake's loop)."""
    killed = False

    def kill() -> None:
        nonlocal killed
        if not killed:
            killed = True
            os.kill(pid, signal.SIGKILL)

    def watch(call: ApiCall, phase: str) -> None:
        if call.method == "getUpdates" and phase == "after" and step == "received":
            ids = [u.get("update_id") for u in (call.response or {}).get("result") or ()]
            if update_id in ids:
                asyncio.get_running_loop().call_later(0.005, kill)  # the answer reached the bot
        elif call.method == "getUpdates" and phase == "before" and step == "confirmed":
            if int(call.params.get("offset") or 0) > update_id:
                kill()
        elif call.method == "sendMessage" and int(call.params.get("chat_id", 0)) == CHAT:
            if step == "committed" and phase == "before":
                kill()  # and Telegram never got it: the request did not leave the bot
                raise ApiError(HTTPStatus.INTERNAL_SERVER_ERROR, "killed before the send")
            if step == "sent" and phase == "after":
                kill()
            elif step == "recorded" and phase == "after":
                before = delivered(database)

                def when_recorded() -> None:
                    if delivered(database) > before:
                        kill()
                    else:
                        asyncio.get_running_loop().call_later(0.005, when_recorded)

                asyncio.get_running_loop().call_later(0.001, when_recorded)

    fake.call(lambda api: api.watchers.append(watch))


@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize("step", [step for step in STEPS if step != "committed"])
def test_a_crash_at_each_step_of_an_update_loses_nothing(
    tmp_path: Path, framework: str, step: str
) -> None:
    sent = crash_and_go_on(tmp_path, framework, step)
    assert 1 <= count_in(sent, NAME) <= 2, sent  # at most one duplicate


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_a_crash_between_commit_and_send_delivers_the_reply_exactly_once(
    tmp_path: Path, framework: str
) -> None:
    """Killed after the update's commit, before its task sent the reply: the reply's
    row, leased in that unit of work, is sent by the next process after the lease,
    once; the update itself (fetched again, not yet confirmed) is not applied again."""
    sent = crash_and_go_on(tmp_path, framework, "committed")
    assert count_in(sent, NAME) == 1, sent


def count_in(sent: list[str], words: str) -> int:
    return sum(words in text for text in sent)


def crash_and_go_on(tmp_path: Path, framework: str, step: str) -> list[str]:
    """/start, the first choice, then "ja" killed at `step`; restarted, the person
    goes on. Every text the chat received."""
    database = tmp_path / "intake.db"
    with FakeBotAPI.run_in_thread() as fake:
        env = serve_env(
            TELEGRAM_BOT_TOKEN=TEST_TOKEN,
            TELEGRAM_API_BASE_URL=fake.base_url,
            TELEGRAM_FRAMEWORK=framework,
            DATABASE_URL=f"sqlite+aiosqlite:///{database}",
            SECRET_KEY="crash-test-secret-key-0123456789",
        )
        process = start_serve(tmp_path, env, subprocess.DEVNULL)
        try:
            fake.inject_message(CHAT, "/start")
            wait_until(lambda: bool(fake.call(lambda api: api.sent_messages(CHAT))), "/start")
            buttons = fake.call(lambda api: api.sent_messages(CHAT))[-1].reply_markup
            data = next(
                b["callback_data"]
                for row in buttons["inline_keyboard"]
                for b in row
                if b["callback_data"].endswith(":zelfmelding")
            )
            message_id = fake.call(lambda api: api.sent_messages(CHAT))[-1].message_id
            fake.inject_callback(CHAT, message_id, data)
            wait_until(lambda: count(fake, CONSENT) == 1, "the consent question")
            wait_until(lambda: delivered(database) >= 2, "the deliveries recorded")

            answer = fake.inject_message(CHAT, "ja")
            arm(fake, step, process.pid, int(answer["update_id"]), database)
            process.wait(timeout=WAIT)
            assert process.returncode == -signal.SIGKILL
            fake.call(lambda api: api.watchers.clear())

            process = start_serve(tmp_path, env, subprocess.DEVNULL)  # the same database and key
            wait_until(lambda: count(fake, NAME) >= 1, "the name question after the restart")
            fake.inject_message(CHAT, "Sam")  # the person goes on, repeating nothing
            wait_until(lambda: count(fake, LIVING) >= 1, "the next question")
        finally:
            process.terminate()
            process.wait(timeout=10)
        assert count(fake, CONSENT) == 1  # never asked again: the answer was kept
        assert count(fake, LIVING) == 1
        assert fake.call(lambda api: api.unanswered_callbacks()) == []
        # "ja" applied twice would have answered the name question with "ja", and
        # "Sam" would then be refused: no correction anywhere, each answer once.
        assert not any(word in text for text in texts(fake) for word in CORRECTIONS)
        return texts(fake)
