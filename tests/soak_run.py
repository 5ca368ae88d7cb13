"""A soak: two real `intake serve` processes on one PostgreSQL database, people doing
a whole intake at once through the web chat (over HTTP, spread over both processes)
and through Telegram (the fake Bot API, one process polls), while a killer terminates
every database backend of the two processes every few seconds.

Afterwards: every intake is stored exactly once, every person reached the result,
and no response was a 500 (the counts are printed). Used at a CI size by
tests/bot/test_soak.py and at the issue's size by `bench/soak.py`.

A person who meets a 503 (or a page saying it did not work) does what a person does:
waits (Retry-After) and presses again; the chat must then go on from where it was.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from storage.encryption import EncryptionKey
from tests.factories.web_chat import PlainBrowser
from tests.fakes import TEST_TOKEN, FakeBotAPI
from tests.fakes.telegram_thread import FakeBotAPIThread
from tests.scenario_files import Scenario, load_scenarios
from tests.serving import Popen, first_answer, running_serve, serve_env

__all__ = ["SoakResult", "soak", "soak_sizes"]

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
# A whole intake that any channel can do (contact by phone, no "via this chat").
SCENARIO = "zelfmelding/housing_eviction_threat"
STEP_TRIES = 30
PAUSE = 0.5  # seconds between a person's steps in the web chat (its rate limit: ~1/s)


@dataclass
class SoakResult:
    web_people: int
    telegram_people: int
    statuses: Counter[int] = field(default_factory=Counter)
    transport_errors: int = 0
    web_done: int = 0
    telegram_done: int = 0
    stored: int = 0
    stored_people: int = 0
    terminated: int = 0
    seconds: float = 0.0
    slowest: float = 0.0  # the longest a Telegram person waited for a reply
    failures: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            f"soak: {self.web_people} web + {self.telegram_people} Telegram people, "
            f"{self.seconds:.0f} s, {self.terminated} database backends terminated",
            f"  web responses by status: {dict(sorted(self.statuses.items()))}, "
            f"connection errors {self.transport_errors}",
            f"  results reached: web {self.web_done}/{self.web_people}, "
            f"Telegram {self.telegram_done}/{self.telegram_people} "
            f"(longest wait for a Telegram reply {self.slowest:.1f} s)",
            f"  pre-aanmeldingen stored: {self.stored} for {self.stored_people} people",
        ]


def scenario() -> Scenario:
    return next(s for s in load_scenarios() if s.name == SCENARIO)


def _process(cwd: Path, env: dict[str, str]) -> AbstractContextManager[Popen]:
    log = os.environ.get("SOAK_LOG")  # a folder: each process's output in a file there
    out = open(Path(log) / f"serve-{env['PORT']}.log", "w") if log else subprocess.DEVNULL  # noqa: SIM115
    return running_serve(cwd, env, out)


@contextlib.asynccontextmanager
async def _database() -> AsyncIterator[str]:
    """A database of its own: the killer may end every backend in it."""
    name = f"soak_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(ADMIN_URL)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield name
    finally:
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name
        )
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await admin.close()


async def _killer(database: str, every: float, result: SoakResult) -> None:
    admin = await asyncpg.connect(ADMIN_URL)
    try:
        while True:
            await asyncio.sleep(every)
            ended = await admin.fetch(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = $1 AND pid <> pg_backend_pid()",
                database,
            )
            result.terminated += sum(1 for row in ended if row[0])
    finally:
        await admin.close()


# --- a person in the web chat -----------------------------------------------------------


async def _web_person(
    base_url: str, number: int, steps: tuple[Any, ...], result: SoakResult
) -> None:
    forwarded = f"10.{number // 200}.{number % 200}.{1 + number % 7}"
    client = httpx.AsyncClient(
        base_url=base_url,
        follow_redirects=True,
        timeout=60,
        headers={"x-forwarded-for": forwarded},
    )
    browser = PlainBrowser.over(client)
    where = "opening the chat"
    try:
        await _until_ok(browser, result, lambda: browser.open())
        for index, step in enumerate(("zelfmelding", *steps)):
            where = f"step {index} ({step!r})"
            await asyncio.sleep(PAUSE)  # a person reads before pressing
            before = browser.current.question
            move = {"choice": step} if step == "zelfmelding" else step

            async def do(move: Any = move) -> Any:
                return await browser.step(move)

            await _until_ok(browser, result, do, before)
        if "LH-" in (browser.last.text if browser.last is not None else ""):
            result.web_done += 1
        else:
            result.failures.append(f"web person {number}: no reference code at the end")
    except Exception as error:
        result.failures.append(
            f"web person {number}, {where}: {type(error).__name__}: {error}; "
            f"page: {browser.page.question if browser.page else None!r}"
        )
    finally:
        await client.aclose()


async def _until_ok(
    browser: PlainBrowser, result: SoakResult, action: Any, before: str | None = None
) -> None:
    """Do a step; on a 503 or a broken connection wait and look again (until the chat
    page itself shows): when the page moved on the step was applied, else press again
    (at most STEP_TRIES times)."""
    for _ in range(STEP_TRIES):
        if await _tried(browser, result, action):
            return
        for _ in range(STEP_TRIES):  # the chat page again, as a person reloads
            if await _tried(browser, result, browser.open):
                break
        else:
            break
        if before is not None and browser.current.question != before:
            return  # it was applied before the answer got lost
    raise AssertionError(f"a step failed {STEP_TRIES} times")


async def _tried(browser: PlainBrowser, result: SoakResult, action: Any) -> bool:
    """One request; False (after the wait it asks for) when it did not work."""
    try:
        await action()
    except httpx.TransportError:
        result.transport_errors += 1
        await asyncio.sleep(0.5)
        return False
    last = browser.last
    status = last.status_code if last is not None else 0
    result.statuses[status] += 1
    if status < 500 and status != 429:
        return True
    wait = last.headers.get("retry-after") if last is not None else None
    await asyncio.sleep(min(float(wait), 5.0) if wait else 0.5)
    return False


# --- a person in Telegram ----------------------------------------------------------------


def _buttons(fake: FakeBotAPIThread, chat: int) -> list[tuple[int, str]]:
    def read(api: FakeBotAPI) -> list[tuple[int, str]]:
        for sent in reversed(api.sent_messages(chat)):
            if sent.reply_markup:
                message = api.message(chat, sent.message_id) or {}
                rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
                return [(sent.message_id, str(b["callback_data"])) for row in rows for b in row]
        return []

    return fake.call(read)


async def _telegram_person(
    fake: FakeBotAPIThread, chat: int, steps: tuple[Any, ...], result: SoakResult
) -> None:
    def received() -> int:
        return fake.call(lambda api: len(api.sent_messages(chat)) + len(api.edits(chat)))

    async def act(inject: Any) -> None:
        before = received()
        began = time.monotonic()
        inject()
        await fake.wait_for_async(lambda: received() > before, timeout=120)
        result.slowest = max(result.slowest, time.monotonic() - began)
        if os.environ.get("SOAK_DEBUG") and time.monotonic() - began > 3:
            print(f"slow reply in chat {chat}: {time.monotonic() - began:.1f} s")

    def press(option: str) -> Any:
        buttons = [(m, d) for m, d in _buttons(fake, chat) if d.split(":", 1)[1] == option]
        assert buttons, f"no button {option} in chat {chat}"
        message_id, data = buttons[0]
        return lambda: fake.inject_callback(chat, message_id, data)

    try:
        await act(lambda: fake.inject_message(chat, "/start"))
        await act(press("zelfmelding"))
        for step in steps:
            if isinstance(step, str):
                await act(lambda step=step: fake.inject_message(chat, step))
            elif "choice" in step:
                await act(press(str(step["choice"])))
            elif "select" in step:
                for option in step["select"]:
                    await act(press(str(option)))
                await act(press("_done"))
        texts = fake.call(lambda api: api.sent_texts(chat))
        if any("LH-" in text for text in texts):
            result.telegram_done += 1
        else:
            result.failures.append(f"Telegram person {chat}: no reference code")
    except Exception as error:
        result.failures.append(f"Telegram person {chat}: {type(error).__name__}: {error}")


# --- the soak ----------------------------------------------------------------------------


async def soak(
    workdir: Path, *, web_people: int, telegram_people: int, kill_every: float = 3.0
) -> SoakResult:
    result = SoakResult(web_people, telegram_people)
    steps = scenario().steps
    began = time.monotonic()
    async with _database() as name:
        url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
        shared = {
            "DATABASE_URL": url,
            "SECRET_KEY": "soak-secret-key-0123456789abcdef",
            "ENCRYPTION_KEY": EncryptionKey.generate(),
            "WEB_COOKIE_SECURE": "false",
            "TELEGRAM_MESSAGES_PER_SECOND": "1000",
            "TELEGRAM_CHAT_MESSAGES_PER_SECOND": "100",
        }
        with FakeBotAPI.run_in_thread() as fake:
            polling = serve_env(
                **shared,
                TELEGRAM_BOT_TOKEN=TEST_TOKEN,
                TELEGRAM_API_BASE_URL=fake.base_url,
                INTAKE_HOME=str(workdir / "a"),
            )
            web_only = serve_env(**shared, INTAKE_HOME=str(workdir / "b"))
            urls = [f"http://127.0.0.1:{env['PORT']}" for env in (polling, web_only)]
            with _process(workdir, polling) as first:
                # One after the other: the first migrates the database.
                assert first_answer(first, f"{urls[0]}/readyz", seconds=60) is not None
                with _process(workdir, web_only) as second:
                    assert first_answer(second, f"{urls[1]}/readyz", seconds=60) is not None
                    killer = asyncio.create_task(_killer(name, kill_every, result))
                    try:
                        await asyncio.gather(
                            *(
                                _web_person(urls[n % 2], n, steps, result)
                                for n in range(web_people)
                            ),
                            *(
                                _telegram_person(fake, 9_000_000 + n, steps, result)
                                for n in range(telegram_people)
                            ),
                        )
                    finally:
                        killer.cancel()
                        with contextlib.suppress(asyncio.CancelledError):
                            await killer
        check = await asyncpg.connect(f"postgresql://postgres@127.0.0.1:5432/{name}")
        try:
            row = await check.fetchrow(
                "SELECT count(*), count(DISTINCT channel_user_hash) FROM pre_aanmeldingen"
            )
        finally:
            await check.close()
        result.stored, result.stored_people = int(row[0]), int(row[1])
    result.seconds = time.monotonic() - began
    return result


def soak_sizes() -> tuple[int, int]:
    """The CI size, or SOAK_WEB / SOAK_TELEGRAM from the environment."""
    return int(os.environ.get("SOAK_WEB", "20")), int(os.environ.get("SOAK_TELEGRAM", "10"))
