"""The composition root (bot/app.py): the whole service on one database engine, handed
to the web chat, Telegram, the purge and the dashboard, and disposed of at the end."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

import storage.database
from bot.app import create_app
from bot.settings import Settings

# WhatsApp configured (docs/whatsapp.md); nobody answers at the API's address.
WHATSAPP = {
    "whatsapp_token": "t",
    "whatsapp_phone_number_id": "1",
    "whatsapp_app_secret": "s",
    "whatsapp_verify_token": "v",
    "whatsapp_api_base_url": "http://127.0.0.1:9/v21.0",
}


class Engines:
    """Every engine made, and every database disposed of (by its engine)."""

    def __init__(self, make: Any, dispose: Any) -> None:
        self.make, self.dispose = make, dispose
        self.made: list[AsyncEngine] = []
        self.disposed: list[AsyncEngine] = []

    def __call__(self, url: str, *args: Any, **kwargs: Any) -> AsyncEngine:
        engine = self.make(url, *args, **kwargs)
        self.made.append(engine)
        return engine

    def disposing(self) -> Any:
        engines = self

        async def dispose(database: storage.database.Database) -> None:
            engines.disposed.append(database.engine)
            await engines.dispose(database)

        return dispose


@pytest.mark.parametrize(("telegram", "whatsapp"), [(False, False), (True, False), (True, True)])
async def test_the_service_runs_on_one_engine_and_disposes_of_it(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    telegram: bool,
    whatsapp: bool,
    sqlite_template: Path,
) -> None:
    shutil.copy(sqlite_template, tmp_path / "intake.db")
    engines = Engines(storage.database.create_engine, storage.database.Database.dispose)
    monkeypatch.setattr(storage.database, "create_engine", engines)
    monkeypatch.setattr(storage.database.Database, "dispose", engines.disposing())
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'intake.db'}",
        secret_key="composition-test-secret",
        telegram_bot_token="123:TEST" if telegram else None,
        telegram_api_base_url="http://127.0.0.1:9",  # nobody there: start is retried
        **(WHATSAPP if whatsapp else {}),
    )
    app = create_app(settings, purge_daily=True)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            for path in ("/healthz", "/readyz", "/chat", "/loket/login"):
                response = await client.get(path)
                assert response.status_code in (200, 302, 303), (path, response.status_code)
            webhook = await client.get(
                "/whatsapp/webhook",
                params={"hub.mode": "subscribe", "hub.verify_token": "v", "hub.challenge": "7"},
            )
            assert webhook.status_code == (200 if whatsapp else 404)
        assert len(engines.made) == 1, (
            "one engine for web chat, the chat channels, purge, dashboard"
        )
    assert engines.disposed == engines.made
