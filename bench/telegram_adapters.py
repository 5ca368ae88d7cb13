"""Throughput and latency of the Telegram adapters: 200 simulated people at once.

Each person runs a short intake (veldwerk, 16 updates: /start, buttons, typed text,
ticks, the summary) through the real aiogram or python-telegram-bot against the fake
Bot API on 127.0.0.1, long polling, with the real conversation service, outbox and
deliverer on a fresh SQLite file (or PostgreSQL with --postgres). A person sends the
next update when the reply to the last one has arrived. Latency per update: from the
update being queued at the fake to the bot's reply arriving there.

Beside each adapter, a bare echo handler of the same framework (same polling, same
concurrency, replies straight from the handler, no database) takes the same number of
updates in the same run: the ratio shows what the intake costs over the framework.

By default the send limits are raised (40/s per chat, 10,000/s overall) so that the
figures show processing cost, not Telegram's pacing; --telegram-limits uses the real
ones (then about 30 messages a second overall is the ceiling, by design).

With --think S each person pauses a random 0..2S seconds before each update, as people
do; without it they answer at once (a stress test: latency is then mostly queueing).

Run: `.venv/bin/python bench/telegram_adapters.py [--users 200] [--telegram-limits]
[--postgres] [--think S]`; prints a table, writes its part ("sqlite", "postgresql",
"sqlite_think_3s", ...) of bench/results/telegram_adapters.json (--postgres: a schema
of its own in TEST_POSTGRES_URL, dropped afterwards).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The benchmark's encryption key, set before anything opens a database: without it
# every intake update fails at its first encrypted write (issue 18).
import common  # noqa: E402, F401
from aiogram import Dispatcher  # noqa: E402
from aiogram import types as ag  # noqa: E402
from telegram import Update  # noqa: E402
from telegram.ext import Application, ContextTypes, TypeHandler  # noqa: E402

from bot.settings import Settings  # noqa: E402
from bot.telegram.pacing import SendLimits  # noqa: E402
from bot.telegram.runner import TelegramRunner  # noqa: E402
from storage.database import Database  # noqa: E402
from storage.migrate import upgrade_async  # noqa: E402
from tests.factories.databases import (  # noqa: E402
    create_schema,
    drop_schema,
    schema_url,
    unique_schema,
)
from tests.factories.environment import POSTGRES_URL  # noqa: E402
from tests.fakes import TEST_TOKEN, FakeBotAPI, RateLimits  # noqa: E402
from tests.fakes_tests.clients import aiogram_bot  # noqa: E402

# One person's intake: ("text", typed) or ("press", option of the newest keyboard).
SCRIPT: tuple[tuple[str, str], ...] = (  # tests/flows/scenarios/veldwerk/housing.yaml
    ("text", "/start"),
    ("press", "veldwerk"),
    ("press", "yes"),
    ("text", "Maastricht"),
    ("press", "family_friends"),
    ("press", "_dont_know"),
    ("press", "debts"),
    ("press", "_done"),
    ("press", "light"),
    ("press", "victim_or_witness"),
    ("press", "none"),
    ("press", "_rather_not_say"),
    ("text", "Iris Dumoulin"),
    ("text", "Straatteam Maastricht"),
    ("text", "043-3501234"),
    ("press", "_submit"),
)
FAST = SendLimits(per_chat_per_second=40, global_per_second=10_000, global_burst=10_000)
REPLY_METHODS = {"sendmessage", "editmessagereplymarkup", "editmessagetext"}
POLL_SECONDS = 1
WARM_UP_PEOPLE = 5
REPLY_TIMEOUT = 120.0  # a reply that never comes fails the run, loudly


class CountingFake(FakeBotAPI):
    """The fake Bot API that also wakes whoever waits for a chat's next reply."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.replies: defaultdict[int, int] = defaultdict(int)
        self._waiters: dict[int, asyncio.Event] = {}

    async def execute(
        self,
        token: str,
        method: str,
        params: dict[str, Any],
        via: str = "http",
        content_type: str = "",
    ) -> tuple[int, dict[str, Any]]:
        status, body = await super().execute(token, method, params, via, content_type)
        if status == 200 and method.lower() in REPLY_METHODS:
            chat = int(params["chat_id"])
            self.replies[chat] += 1
            waiter = self._waiters.pop(chat, None)
            if waiter is not None:
                waiter.set()
        return status, body

    async def next_reply(self, chat: int, before: int) -> None:
        while self.replies[chat] <= before:
            waiter = self._waiters.setdefault(chat, asyncio.Event())
            await waiter.wait()

    def keyboard(self, chat: int) -> tuple[int, list[str]]:
        for sent in reversed(self.sent_messages(chat)):
            if sent.reply_markup:
                current = self.message(chat, sent.message_id) or {}
                rows = current.get("reply_markup", {}).get("inline_keyboard", [])
                return sent.message_id, [b["callback_data"] for row in rows for b in row]
        return 0, []


@dataclass
class Run:
    framework: str
    handler: str  # "intake" or "echo"
    users: int
    updates: int
    seconds: float
    latencies: list[float]
    cpu_seconds: float  # of the whole process (bot, fake and people) during the run

    def row(self) -> dict[str, Any]:
        ordered = sorted(self.latencies)
        p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
        return {
            "framework": self.framework,
            "handler": self.handler,
            "users": self.users,
            "updates": self.updates,
            "seconds": round(self.seconds, 2),
            "updates_per_second": round(self.updates / self.seconds, 1),
            "p50_ms": round(statistics.median(ordered) * 1000, 1),
            "p99_ms": round(p99 * 1000, 1),
            "cpu_ms_per_update": round(self.cpu_seconds / self.updates * 1000, 2),
        }


async def person(
    api: CountingFake, chat: int, latencies: list[float], echo: bool, think: float
) -> None:
    pauses = random.Random(chat)
    for kind, value in SCRIPT:
        if think:
            await asyncio.sleep(pauses.uniform(0, 2 * think))
        before = api.replies[chat]
        started = time.perf_counter()
        if kind == "text":
            api.inject_message(chat, value)
        elif echo:
            message_id = api.sent_messages(chat)[-1].message_id
            api.inject_callback(chat, message_id, f"x:{value}")
        else:
            message_id, buttons = api.keyboard(chat)
            [data] = [d for d in buttons if d.split(":", 1)[1] == value]
            api.inject_callback(chat, message_id, data)
        await asyncio.wait_for(api.next_reply(chat, before), REPLY_TIMEOUT)
        latencies.append(time.perf_counter() - started)


async def crowd(
    api: CountingFake, users: int, first_chat: int, echo: bool, think: float = 0.0
) -> tuple[float, list[float]]:
    latencies: list[float] = []
    started = time.perf_counter()
    await asyncio.gather(
        *(person(api, first_chat + n, latencies, echo, think) for n in range(users))
    )
    return time.perf_counter() - started, latencies


# --- the two kinds of bot ---------------------------------------------------------------


@asynccontextmanager
async def intake_bot(
    api: CountingFake, framework: str, database_url: str, limits: SendLimits
) -> AsyncIterator[None]:
    settings = Settings(
        _env_file=None,
        database_url=database_url,
        telegram_bot_token=TEST_TOKEN,
        telegram_api_base_url=api.base_url,
        telegram_framework=framework,
        secret_key="bench-secret",
    )
    database = Database(database_url)
    runner = TelegramRunner(settings, database, limits=limits, poll_timeout=POLL_SECONDS)
    await runner.start()
    try:
        yield
    finally:
        await runner.stop()
        stored = await stored_intakes(database)
        await database.dispose()
    STORED[(framework, database_url)] = stored


# Intakes stored per (framework, database): a fast path that stored nothing is an error.
STORED: dict[tuple[str, str], int] = {}


async def stored_intakes(database: Database) -> int:
    async with database.unit_of_work(write=False) as uow:
        return len(await uow.pre_aanmeldingen.find())


@asynccontextmanager
async def echo_bot(api: CountingFake, framework: str) -> AsyncIterator[None]:
    if framework == "aiogram":
        bot = aiogram_bot(api.base_url)
        dispatcher = Dispatcher()

        @dispatcher.message()
        async def echo(message: ag.Message) -> None:
            await message.answer(f"echo: {message.text}")

        @dispatcher.callback_query()
        async def pressed(query: ag.CallbackQuery) -> None:
            await query.answer()
            await bot.send_message(query.from_user.id, f"echo: {query.data}")

        polling = asyncio.create_task(
            dispatcher.start_polling(
                bot,
                polling_timeout=POLL_SECONDS,
                handle_signals=False,
                tasks_concurrency_limit=64,
            )
        )
        await api.wait_for(lambda: api.calls_to("getUpdates"))
        try:
            yield
        finally:
            await dispatcher.stop_polling()
            with contextlib.suppress(asyncio.CancelledError):
                await polling
        return

    async def handle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.callback_query is not None:
            await update.callback_query.answer()
            chat = update.callback_query.from_user.id
            await context.bot.send_message(chat, f"echo: {update.callback_query.data}")
        elif update.message is not None:
            await update.message.reply_text(f"echo: {update.message.text}")

    application = (
        Application.builder()
        .token(TEST_TOKEN)
        .base_url(f"{api.base_url}/bot")
        .concurrent_updates(64)  # as the adapter
        .build()
    )
    application.add_handler(TypeHandler(Update, handle))
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(timeout=timedelta(seconds=POLL_SECONDS))
        try:
            yield
        finally:
            await application.updater.stop()
            await application.stop()


# --- the run -------------------------------------------------------------------------


async def measure(
    framework: str,
    handler: str,
    users: int,
    start_bot: Callable[[CountingFake], Any],
    think: float,
) -> Run:
    fake_limits = RateLimits(
        per_chat_per_second=1e6, per_chat_burst=1e6, global_per_second=1e6, global_burst=1e6
    )
    async with CountingFake(rate_limits=fake_limits) as api, start_bot(api):
        # Warm up: imports, caches, pools.
        await crowd(api, WARM_UP_PEOPLE, 900_000, handler == "echo")
        cpu = time.process_time()
        seconds, latencies = await crowd(api, users, 1, handler == "echo", think)
        cpu = time.process_time() - cpu
    return Run(framework, handler, users, len(latencies), seconds, latencies, cpu)


async def fresh_sqlite(directory: Path, name: str) -> str:
    url = f"sqlite+aiosqlite:///{directory / name}.db"
    await upgrade_async(url)
    return url


async def main(arguments: argparse.Namespace) -> None:
    logging.basicConfig(level=logging.WARNING)
    arguments.load_before = os.getloadavg()[0]  # other work on the machine skews figures
    limits = SendLimits() if arguments.telegram_limits else FAST
    runs: list[Run] = []
    failed: list[str] = []  # an intake that was not stored is an error, not a fast path
    directory = Path(tempfile.mkdtemp(prefix="telegram-bench-"))
    schemas: list[str] = []
    try:
        for framework in ("aiogram", "ptb"):
            if arguments.postgres:
                schema = unique_schema("telegram_bench")
                schemas.append(schema)
                await create_schema(schema)
                url = schema_url(POSTGRES_URL, schema)
                await upgrade_async(url)
            else:
                url = await fresh_sqlite(directory, framework)

            def intake(api: CountingFake, framework: str = framework, url: str = url) -> Any:
                return intake_bot(api, framework, url, limits)

            def echo(api: CountingFake, framework: str = framework) -> Awaitable[Any]:
                return echo_bot(api, framework)

            think = arguments.think
            runs.append(await measure(framework, "intake", arguments.users, intake, think))
            expected = arguments.users + WARM_UP_PEOPLE
            stored = STORED.get((framework, url), 0)
            arguments.stored = {**getattr(arguments, "stored", {}), framework: stored}
            if stored != expected:
                failed.append(f"{framework}: {stored} intakes stored of {expected}")
            runs.append(await measure(framework, "echo", arguments.users, echo, think))
    finally:
        shutil.rmtree(directory, ignore_errors=True)
        for schema in schemas:
            await drop_schema(schema)
    report(runs, arguments)
    if failed:
        raise SystemExit("not every intake was stored: " + "; ".join(failed))


def report(runs: list[Run], arguments: argparse.Namespace) -> None:
    rows = [run.row() for run in runs]
    database = "postgresql" if arguments.postgres else "sqlite (a file in the temp dir)"
    limits = "telegram (1/s per chat, 30/s overall)" if arguments.telegram_limits else "raised"
    print(
        f"{arguments.users} simulated people, {len(SCRIPT)} updates each, long polling, "
        f"database {database}, send limits {limits}, think time {arguments.think} s, "
        f"load average {arguments.load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
    )
    print(
        f"{'framework':10}{'handler':8}{'updates':>9}{'upd/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'cpu ms/upd':>12}"
    )
    for row in rows:
        print(
            f"{row['framework']:10}{row['handler']:8}{row['updates']:>9}"
            f"{row['updates_per_second']:>9.1f}{row['p50_ms']:>9.1f}{row['p99_ms']:>9.1f}"
            f"{row['cpu_ms_per_update']:>12.2f}"
        )
    ratios = {}
    for framework in ("aiogram", "ptb"):
        intake = next(r for r in rows if r["framework"] == framework and r["handler"] == "intake")
        echo = next(r for r in rows if r["framework"] == framework and r["handler"] == "echo")
        ratios[framework] = {
            "throughput_echo_over_intake": round(
                echo["updates_per_second"] / intake["updates_per_second"], 2
            ),
            "p50_intake_over_echo": round(intake["p50_ms"] / echo["p50_ms"], 2),
            "cpu_per_update_intake_over_echo": round(
                intake["cpu_ms_per_update"] / echo["cpu_ms_per_update"], 2
            ),
        }
        print(
            f"{framework}: CPU per update {ratios[framework]['cpu_per_update_intake_over_echo']}x "
            f"echo's (goal: at most 3x); echo handles "
            f"{ratios[framework]['throughput_echo_over_intake']}x the updates per second; intake "
            f"p50 is {ratios[framework]['p50_intake_over_echo']}x echo's"
        )
    stored = getattr(arguments, "stored", {})
    print(
        "intakes stored: "
        + ", ".join(f"{f} {n} of {arguments.users + WARM_UP_PEOPLE}" for f, n in stored.items())
    )
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    output = {
        "users": arguments.users,
        "updates_per_user": len(SCRIPT),
        "mode": "polling",
        "database": database,
        "send_limits": limits,
        "think_seconds": arguments.think,
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average_1min_before": round(arguments.load_before, 1),
            "load_average_1min_after": round(os.getloadavg()[0], 1),
        },
        "runs": rows,
        "ratios": ratios,
        "intakes_stored": getattr(arguments, "stored", {}),
    }
    # One file for both databases: a run replaces its own part and keeps the other.
    path = results / "telegram_adapters.json"
    try:
        kept = json.loads(path.read_text())
    except (OSError, ValueError):
        kept = {}
    kept = {k: v for k, v in kept.items() if k.startswith(("sqlite", "postgresql"))}
    part = "postgresql" if arguments.postgres else "sqlite"
    kept[part + (f"_think_{arguments.think:g}s" if arguments.think else "")] = output
    path.write_text(json.dumps(kept, indent=2) + "\n")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--telegram-limits", action="store_true")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean seconds a person takes before each answer (default 0: a stress test)",
    )
    asyncio.run(main(parser.parse_args()))
