"""`/metrics` on `intake serve`'s app: who may read it (this machine, or the bearer of
METRICS_TOKEN), that the counters move (web steps, Telegram updates, faults by app
and kind, database retries, the outbox backlog), and that no label carries personal
data (no chat id, no typed text, no reference code, no path)."""

from __future__ import annotations

import re
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from fastapi import FastAPI

from bot.app import create_app
from bot.settings import Settings
from bot.telegram.intake import Incoming
from storage.database import Database
from storage.engine import PoolOptions
from storage.unit_of_work import UnitOfWork
from tests.factories.databases import FakeClock
from tests.factories.faults import holding_the_pool
from tests.web.html_page import parse_page

SERIES = re.compile(r"^(?P<name>[a-z_]+)(\{(?P<labels>[^}]*)\})? (?P<value>\S+)$")
FORM = {"content-type": "application/x-www-form-urlencoded"}
TYPED = "Mijn naam is Fatima, 0612345678"


def settings_for(tmp_path: Path, template: Path, **values: Any) -> Settings:
    shutil.copy(template, tmp_path / "intake.db")
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'intake.db'}",
        secret_key="metrics-test-secret",
        telegram_api_base_url="http://127.0.0.1:9",  # nobody there
        **values,
    )


@asynccontextmanager
async def serving(app: FastAPI, client: str = "127.0.0.1") -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=(client, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as c:
            yield c


def read(exposition: str) -> dict[tuple[str, str], float]:
    """{(name, labels): value} of every sample."""
    found: dict[tuple[str, str], float] = {}
    for line in exposition.splitlines():
        match = SERIES.match(line)
        if match and not line.startswith("#"):
            found[(match["name"], match["labels"] or "")] = float(match["value"])
    return found


async def scrape(client: httpx.AsyncClient) -> dict[tuple[str, str], float]:
    answer = await client.get("/metrics")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    return read(answer.text)


async def answer_first_question(client: httpx.AsyncClient) -> None:
    page = parse_page((await client.get("/chat")).text)
    form = page.option_form("zelfmelding")
    assert form is not None
    body = urlencode([*form.hidden.items(), ("option", "zelfmelding")])
    assert (await client.post("/chat", content=body, headers=FORM)).status_code == 303


async def test_only_this_machine_or_the_token_may_read_it(
    tmp_path: Path, sqlite_template: Path
) -> None:
    app = create_app(settings_for(tmp_path, sqlite_template))
    async with serving(app) as local:
        assert (await local.get("/metrics")).status_code == 200
        proxied = await local.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
        assert proxied.status_code == 403  # a proxy on this machine passes others on
    async with serving(app, client="192.0.2.10") as remote:
        assert (await remote.get("/metrics")).status_code == 403
    (tmp_path / "token").mkdir()
    guarded = create_app(settings_for(tmp_path / "token", sqlite_template, metrics_token="s3cr3t"))
    async with serving(guarded, client="192.0.2.10") as remote:
        assert (await remote.get("/metrics")).status_code == 403
        wrong = {"Authorization": "Bearer nope"}
        assert (await remote.get("/metrics", headers=wrong)).status_code == 403
        right = {"Authorization": "Bearer s3cr3t"}
        assert (await remote.get("/metrics", headers=right)).status_code == 200
    async with serving(guarded) as local:  # with a token, this machine needs it too
        assert (await local.get("/metrics")).status_code == 403


async def test_the_counters_move_and_no_label_carries_personal_data(
    tmp_path: Path, sqlite_template: Path
) -> None:
    settings = settings_for(
        tmp_path,
        sqlite_template,
        telegram_bot_token="123:TEST",
        database_pool_size=1,
        database_pool_max_overflow=0,
        database_pool_timeout=0.3,
    )
    app = create_app(settings)
    database: Database = app.state.database
    async with serving(app) as client:
        before = await scrape(client)
        assert before[("intake_web_steps_total", 'outcome="applied"')] == 0
        await answer_first_question(client)
        page = parse_page((await client.get("/chat")).text)
        typed = {**page.forms_with("answer-buttons")[0].hidden, "action": "text"}
        body = urlencode([*typed.items(), ("text", TYPED)])
        await client.post("/chat", content=body, headers=FORM)
        async with holding_the_pool(database):  # the pool of one, held: overload
            assert (await client.get("/chat")).status_code == 503
        runner = app.state.telegram
        await runner.intake.handle(Incoming(update_id=7001, chat_id=555001, text=TYPED))
        runs = 0

        async def lost_once(uow: UnitOfWork) -> None:
            nonlocal runs
            runs += 1
            if runs == 1:
                raise ConnectionResetError("gone")

        await database.run(lost_once)
        after = await scrape(client)
        exposition = (await client.get("/metrics")).text
    assert after[("intake_web_steps_total", 'outcome="applied"')] == 2
    assert after[("intake_errors_total", 'app="chat",kind="database_busy"')] == 1
    assert after[("intake_telegram_updates_total", 'outcome="applied"')] == 1
    assert after[("intake_database_retries_total", 'reason="connection"')] == 1
    assert after[("intake_outbox_pending_messages", "")] >= 1  # Telegram's answer waits
    for personal in ("Fatima", "0612345678", "555001", "7001", "LH-", "/chat"):
        assert personal not in exposition, personal
    allowed = re.compile(r'^(outcome|app|kind|reason)="[a-z_]+"$')
    for _, labels in after:
        for pair in filter(None, labels.split(",")):
            assert allowed.match(pair), pair


async def test_the_age_of_the_oldest_pending_message(tmp_path: Path, sqlite_template: Path) -> None:
    settings = settings_for(tmp_path, sqlite_template)
    clock = FakeClock()
    database = Database(settings.database_url, clock=clock)
    app = create_app(settings, database=database)
    try:
        async with serving(app) as client:
            async with database.unit_of_work() as uow:
                await uow.outbox.enqueue("telegram", "a" * 64, "chat-a", {"text": "Hoi"})
            clock.advance(minutes=2)
            async with database.unit_of_work() as uow:
                await uow.outbox.enqueue("telegram", "b" * 64, "chat-b", {"text": "Hoi"})
            clock.advance(seconds=30)
            seen = await scrape(client)
    finally:
        await database.dispose()
    assert seen[("intake_outbox_pending_messages", "")] == 2
    assert seen[("intake_outbox_oldest_pending_age_seconds", "")] == pytest.approx(
        timedelta(minutes=2, seconds=30).total_seconds()
    )


def test_the_pool_settings_default_to_the_storage_defaults() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    default = PoolOptions()
    assert (
        settings.database_pool_size,
        settings.database_pool_max_overflow,
        settings.database_pool_timeout,
    ) == (default.size, default.max_overflow, default.timeout)
