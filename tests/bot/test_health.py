"""The health probes of the real app (`create_app`, as `intake serve` runs it): /healthz
says the process answers, /readyz that the database and the encryption key work, both
with GET and HEAD, a short JSON body and nothing else; `HEAD /` answers as `GET /`."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from bot.app import create_app
from storage import disk_faults
from storage.database import Database
from storage.disk_faults import DatabaseWriteFailed
from tests.factories.databases import copy_of
from tests.factories.full_disk import sqlite_full
from tests.factories.tables import keyring
from tests.factories.web_chat import settings_for
from tests.serving import free_port

READY = {"status": "ready", "checks": {"database": "ok", "encryption_key": "ok"}}


@asynccontextmanager
async def client_for(url: str) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the whole app for the database at `url`, with or without
    Telegram as `make run` has it (no token)."""
    app: FastAPI = create_app(settings_for(url).model_copy(update={"telegram_bot_token": None}))
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            yield client
    finally:
        await app.state.database.dispose()


@pytest.fixture
def data(tmp_path: Path, sqlite_template: Path) -> Path:
    """A data directory with a migrated SQLite database."""
    home = tmp_path / "var"
    home.mkdir()
    copy_of(sqlite_template, home / "intake.db")
    return home


def _url(home: Path) -> str:
    return f"sqlite+aiosqlite:///{home / 'intake.db'}"


async def test_both_probes_answer_get_and_head(data: Path) -> None:
    async with client_for(_url(data)) as client:
        live = await client.get("/healthz")
        assert (live.status_code, live.json()) == (200, {"status": "ok"})
        ready = await client.get("/readyz")
        assert (ready.status_code, ready.json()) == (200, READY)
        assert ready.headers["cache-control"] == "no-store"
        for path in ("/healthz", "/readyz"):
            head = await client.head(path)
            assert (head.status_code, head.content) == (200, b""), path
        root, root_head = await client.get("/"), await client.head("/")
        assert root.status_code == root_head.status_code == 303
        assert root.headers["location"] == root_head.headers["location"] == "/chat"
        assert root_head.content == b""


async def test_readyz_is_503_when_the_data_directory_is_gone(data: Path) -> None:
    async with client_for(_url(data)) as client:
        assert (await client.get("/readyz")).status_code == 200  # a pooled connection
        shutil.rmtree(data)
        ready = await client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json() == {
            "status": "not ready",
            "checks": {"database": "failing", "encryption_key": "ok"},
        }
        assert str(data) not in ready.text
        assert (await client.head("/readyz")).status_code == 503
        assert (await client.get("/healthz")).status_code == 200  # alive all the same


async def test_readyz_is_503_when_postgresql_does_not_answer() -> None:
    async with client_for(f"postgresql+asyncpg://intake:pw@127.0.0.1:{free_port()}/x") as client:
        ready = await client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"] == {"database": "failing", "encryption_key": "ok"}
        assert "pw" not in ready.text and "127.0.0.1" not in ready.text


async def test_readyz_is_503_without_an_encryption_key(data: Path) -> None:
    async with client_for(_url(data)) as client:
        with keyring(None):
            ready = await client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"] == {"database": "ok", "encryption_key": "failing"}
        assert (await client.get("/readyz")).status_code == 200  # the key is back


async def test_readyz_is_503_for_a_while_after_a_write_failed(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk: `SELECT 1` still answers, but the service cannot store an answer."""
    database = Database(_url(data))
    app = create_app(settings_for(_url(data)), database=database)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            assert (await client.get("/readyz")).status_code == 200
            async with sqlite_full(database):
                with pytest.raises(DatabaseWriteFailed):
                    async with database.unit_of_work() as uow:
                        await uow.outbox.enqueue("web", "f" * 64, "x", {"text": "x" * 100_000})
                ready = await client.get("/readyz")
                assert ready.status_code == 503
                assert ready.json() == {
                    "status": "not ready",
                    "checks": {"database": "failing", "encryption_key": "ok"},
                }
                assert str(data) not in ready.text
                assert (await client.get("/healthz")).status_code == 200  # alive all the same
            monkeypatch.setattr(disk_faults, "FAULT_HOLD_SECONDS", 0.0)  # the hold is over
            assert (await client.get("/readyz")).status_code == 200
    finally:
        await database.dispose()


async def test_the_app_without_settings_still_answers_healthz() -> None:
    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        assert (await client.head("/healthz")).status_code == 200
