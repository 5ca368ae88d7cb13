"""The app of `intake serve` with Telegram, in-process: uvicorn serving `create_app`
(its lifespan starts the runner; its webhook route takes updates), the real aiogram
or python-telegram-bot, and the fake Bot API. A test talks as a person:

    async with telegram_bot(backend, "ptb", "webhook") as bot:
        await bot.send(CHAT, "/start")
        await bot.press(CHAT, "zelfmelding")
        assert "Mag het loket" in bot.last_text(CHAT)

`send` and `press` return when the update was handled and every message it queued
has arrived at the fake (event-driven: the intake reports what it queued).
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from sqlalchemy import make_url

from bot.app import create_app
from bot.settings import Settings
from bot.telegram.runner import TelegramRunner
from storage.database import Database
from tests.factories.databases import Backend
from tests.fakes import TEST_TOKEN, FakeBotAPI, RateLimits, SentMessage
from tests.fakes.telegram_objects import JSONDict
from tests.telegram.handled import HandledUpdates

FRAMEWORKS = ("aiogram", "ptb")
MODES = ("polling", "webhook")
START = datetime(2025, 6, 2, 10, 30, tzinfo=UTC)  # the golden scenarios' `now`
SECRET = "telegram-test-secret"
WEB_CHAT_URL = "https://loket.example/chat"
STAFF_CHAT = -100777
WAIT = 15.0

# Telegram's limits, sped up 40 times for the conformance suite: the bot paces at
# 40/s per chat (burst 2) and 1200/s overall; the fake flags anything above 50/s per
# chat (burst 5) or 1500/s overall. `REAL_LIMITS` tests pace at Telegram's own rate.
FAST_CHAT, FAST_GLOBAL = 40.0, 1200.0
FAST_FAKE = RateLimits(
    per_chat_per_second=50, per_chat_burst=5, global_per_second=1500, global_burst=100
)


def running_clock(start: datetime = START) -> Callable[[], datetime]:
    """Time that starts at `start` and runs with the wall clock (leases and retries
    need it to move)."""
    began = time.monotonic()
    return lambda: start + timedelta(seconds=time.monotonic() - began)


def settings_for(
    api: FakeBotAPI,
    framework: str,
    mode: str,
    database_url: str,
    *,
    port: int = 0,
    **overrides: Any,
) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "telegram_bot_token": TEST_TOKEN,
        "telegram_api_base_url": api.base_url,
        "telegram_framework": framework,
        "telegram_mode": mode,
        "telegram_webhook_url": f"http://127.0.0.1:{port}/telegram/webhook",
        "secret_key": SECRET,
        "web_chat_url": WEB_CHAT_URL,
        "telegram_chat_messages_per_second": FAST_CHAT,
        "telegram_messages_per_second": FAST_GLOBAL,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@dataclass
class TelegramBot:
    api: FakeBotAPI
    app: FastAPI
    runner: TelegramRunner
    database: Database
    port: int
    handled: HandledUpdates = field(init=False)

    def __post_init__(self) -> None:
        self.handled = HandledUpdates(self.runner.intake)

    # --- what the person sees ----------------------------------------------------

    def received(self, chat_id: int) -> int:
        return len(self.api.sent_messages(chat_id)) + len(self.api.edits(chat_id))

    def texts(self, chat_id: int) -> list[str]:
        return self.api.sent_texts(chat_id)

    def last_text(self, chat_id: int) -> str:
        texts = self.texts(chat_id)
        return texts[-1] if texts else ""

    def keyboard_message(self, chat_id: int) -> JSONDict | None:
        """The newest message with buttons, as it stands now (after edits)."""
        for sent in reversed(self.api.sent_messages(chat_id)):
            if sent.reply_markup:
                return self.api.message(chat_id, sent.message_id)
        return None

    def keyboard_id(self, chat_id: int) -> int:
        message = self.keyboard_message(chat_id)
        assert message is not None, f"no keyboard in chat {chat_id}"
        return int(message["message_id"])

    def buttons(self, chat_id: int) -> list[str]:
        message = self.keyboard_message(chat_id)
        if message is None or "reply_markup" not in message:
            return []
        return [
            str(button["callback_data"])
            for row in message["reply_markup"]["inline_keyboard"]
            for button in row
        ]

    def transcript(self, chat_id: int) -> list[tuple[str, str | None, list[list[str]]]]:
        """Every message and edit in order: method, text, button texts (parity)."""
        entries: list[SentMessage] = sorted(
            [*self.api.sent_messages(chat_id), *self.api.edits(chat_id)], key=lambda m: m.time
        )
        return [(m.method, m.text, m.keyboard) for m in entries]

    # --- what the person does --------------------------------------------------

    async def settle(self, chat_id: int, update: JSONDict, before: int, times: int = 1) -> int:
        queued = await asyncio.wait_for(self.handled.wait(update["update_id"], times), WAIT)
        await self.api.wait_for(lambda: self.received(chat_id) >= before + queued, WAIT)
        return queued

    async def send(self, chat_id: int, text: str | None, **fields: Any) -> int:
        """A message from the person; the number of messages it made the bot send."""
        before = self.received(chat_id)
        update = self.api.inject_message(chat_id, text, **fields)
        return await self.settle(chat_id, update, before)

    async def press(self, chat_id: int, option: str, *, data: str | None = None) -> int:
        """Press the button for `option` on the newest keyboard (or send `data`)."""
        message = self.keyboard_message(chat_id)
        assert message is not None, f"no keyboard in chat {chat_id}"
        if data is None:
            matching = [d for d in self.buttons(chat_id) if d.split(":", 1)[1] == option]
            assert matching, f"no button {option!r} in {self.buttons(chat_id)}"
            data = matching[0]
        before = self.received(chat_id)
        update = self.api.inject_callback(chat_id, message["message_id"], data)
        return await self.settle(chat_id, update, before)

    async def resend(self, chat_id: int, update: JSONDict, times: int = 2) -> int:
        """The same update again (Telegram redelivers): handled for the `times`th time."""
        before = self.received(chat_id)
        again = self.api.inject_update(update)
        return await self.settle(chat_id, again, before, times)


def _bound_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextmanager
def fresh_copy(backend: Backend) -> Iterator[str]:
    """A URL for this bot alone: an SQLite file is copied (to /dev/shm, tmpfs, where
    there is one: the same settings, WAL and synchronous=FULL, without waiting for a
    slow disk at every commit). PostgreSQL: the backend's own (emptied) schema."""
    path = make_url(backend.url).database
    if backend.name != "sqlite" or path is None:
        yield backend.url
        return
    shm = Path("/dev/shm")
    with tempfile.TemporaryDirectory(
        dir=shm if shm.is_dir() else None, prefix="intake-telegram-"
    ) as directory:
        copy = Path(directory) / "intake.db"
        shutil.copy(path, copy)
        yield f"sqlite+aiosqlite:///{copy}"


@asynccontextmanager
async def telegram_bot(
    backend: Backend,
    framework: str,
    mode: str,
    *,
    fake_limits: RateLimits = FAST_FAKE,
    clock: Callable[[], datetime] | None = None,
    **overrides: Any,
) -> AsyncIterator[TelegramBot]:
    with fresh_copy(backend) as url:
        async with _telegram_bot(url, framework, mode, fake_limits, clock, overrides) as bot:
            yield bot


@asynccontextmanager
async def _telegram_bot(
    url: str,
    framework: str,
    mode: str,
    fake_limits: RateLimits,
    clock: Callable[[], datetime] | None,
    overrides: dict[str, Any],
) -> AsyncIterator[TelegramBot]:
    database = Database(url, clock=clock or running_clock())
    sock = _bound_socket()
    port = sock.getsockname()[1]
    try:
        async with FakeBotAPI(rate_limits=fake_limits) as api:
            settings = settings_for(api, framework, mode, url, port=port, **overrides)
            app = create_app(settings, database=database)
            server = uvicorn.Server(
                uvicorn.Config(app, lifespan="on", log_level="warning", access_log=False)
            )
            serving = asyncio.create_task(server.serve(sockets=[sock]))
            try:
                await api.wait_for(lambda: server.started or serving.done(), WAIT)
                runner: TelegramRunner = app.state.telegram
                await asyncio.wait_for(runner.started.wait(), WAIT)
                yield TelegramBot(api, app, runner, database, port)
            finally:
                server.should_exit = True
                await serving
    finally:
        sock.close()
        await database.dispose()
