"""Fixtures for the dashboard tests: a migrated database (SQLite per test; PostgreSQL
for tests marked `postgres`), staff accounts of every role, pre-aanmeldingen in two
regions, and an HTTP client on the dashboard mounted at /loket as `intake serve` does.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from flows.routing import recommend
from flows.screening_profile import ScreeningProfile
from loket.app import create_loket_app
from loket.config import LoketConfig
from loket.passwords import hash_password
from loket.totp import code_at, new_secret
from storage.database import Database
from storage.migrate import upgrade_async
from storage.pre_aanmeldingen import Consent, NewPreAanmelding, Submitter
from tests.storage.conftest import (  # noqa: F401 - fixtures
    FakeClock,
    empty_tables,
    postgres_schema,
    run_blocking,
    sqlite_template,
)

START = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)
PASSWORD = "correct horse battery staple"
BASE = "/loket"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

PARKSTAD = ScreeningProfile(
    municipality="Heerlen",
    age=34,
    sleeping_place="family_friends",
    homeless_months=14,  # houseless after long homelessness: Housing First
    problems=("addiction", "psychiatric"),
    support_need="intensive",
    accepts_support=True,
)
MAASTRICHT = ScreeningProfile(
    municipality="Maastricht",
    age=45,
    sleeping_place="public_space",
    support_need="light",
    accepts_support=True,
)


@dataclass
class Account:
    id: int
    username: str
    role: str
    regions: tuple[str, ...]
    secret: str


@dataclass
class World:
    database: Database
    clock: FakeClock
    accounts: dict[str, Account] = field(default_factory=dict)
    references: dict[str, str] = field(default_factory=dict)


def submission(
    profile: ScreeningProfile,
    *,
    answers: dict[str, Any] | None = None,
    client_name: str = "Jan de Vries",
    at: datetime = START,
    channel_user_hash: str | None = "a" * 64,
) -> NewPreAanmelding:
    return NewPreAanmelding(
        channel="telegram",
        language="nl",
        submitter=Submitter("self"),
        consent=Consent(text_version="2025-01", at=at, given_by="client"),
        profile=profile,
        recommendation=recommend(profile, date(2025, 3, 3)),
        contact_preference="chat",
        channel_user_hash=channel_user_hash,
        # The Telegram chat the conversation kept, so the loket can write back.
        contact_address=CHAT_ID if channel_user_hash else None,
        client_name=client_name,
        client_birth_date=date(1990, 5, 17),
        answers=answers or {"story": "Ik slaap bij mijn zus op de bank."},
    )


CHAT_ID = "424242"

STAFF = {
    "beheer": ("beheerder", ()),
    "coord": ("coordinator", ()),
    "park": ("medewerker", ("parkstad",)),
    "maas": ("medewerker", ("maastricht",)),
}


async def populate(database: Database, clock: FakeClock) -> World:
    world = World(database, clock)
    password_hash = hash_password(PASSWORD)
    async with database.unit_of_work() as uow:
        for username, (role, regions) in STAFF.items():
            secret = new_secret()
            user = await uow.staff.create(
                username,
                password_hash=password_hash,
                role=role,
                regions=regions,
                totp_secret=secret,
            )
            world.accounts[username] = Account(user.id, username, role, regions, secret)
        park = await uow.pre_aanmeldingen.create(submission(PARKSTAD, channel_user_hash="b" * 64))
        clock.advance(minutes=5)
        maas = await uow.pre_aanmeldingen.create(
            submission(MAASTRICHT, client_name="Piet Jansen", channel_user_hash="c" * 64)
        )
        clock.advance(minutes=5)
    world.references = {"parkstad": park.reference, "maastricht": maas.reference}
    return world


def build_app(database: Database, *, secure: bool = True) -> FastAPI:
    config = LoketConfig(secret_key="test-secret-key-for-the-dashboard", secure_cookies=secure)
    app = FastAPI()
    app.mount(BASE, create_loket_app(config, database))
    return app


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def world(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[World]:
    clock = FakeClock(START)
    if request.param == "sqlite":
        path = tmp_path / "intake.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite+aiosqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_schema")
        await empty_tables(url)
    database = Database(url, clock=clock)
    yield await populate(database, clock)
    await database.dispose()


@pytest.fixture
async def sqlite_world(tmp_path: Path, sqlite_template: Path) -> AsyncIterator[World]:  # noqa: F811
    path = tmp_path / "intake.db"
    shutil.copy(sqlite_template, path)
    database = Database(f"sqlite+aiosqlite:///{path}", clock=(clock := FakeClock(START)))
    yield await populate(database, clock)
    await database.dispose()


class Dashboard:
    """An HTTP client on the dashboard, with helpers to log in and post forms."""

    def __init__(self, client: httpx.AsyncClient, world: World) -> None:
        self.client, self.world = client, world

    async def csrf(self, path: str = "/login") -> str:
        page = await self.client.get(BASE + path, follow_redirects=True)
        match = CSRF.search(page.text)
        assert match, f"no CSRF token on {path} ({page.status_code})"
        return match.group(1)

    async def login(
        self, username: str, *, code: str | None = None, password: str = PASSWORD
    ) -> httpx.Response:
        token = await self.csrf("/login")
        account = self.world.accounts[username]
        return await self.client.post(
            BASE + "/login",
            data={
                "csrf_token": token,
                "username": username,
                "password": password,
                "code": code if code is not None else code_at(account.secret, self.world.clock.now),
            },
        )

    async def post(
        self, path: str, data: dict[str, str], *, page: str | None = None
    ) -> httpx.Response:
        token = await self.csrf(page or path.rsplit("/", 1)[0])
        return await self.client.post(BASE + path, data={"csrf_token": token, **data})


@pytest.fixture
async def dashboard(world: World) -> AsyncIterator[Dashboard]:
    transport = httpx.ASGITransport(app=build_app(world.database))
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        yield Dashboard(client, world)


async def fresh_dashboard(world: World) -> Dashboard:
    transport = httpx.ASGITransport(app=build_app(world.database))
    return Dashboard(httpx.AsyncClient(transport=transport, base_url="https://testserver"), world)


__all__ = ["BASE", "PASSWORD", "Dashboard", "World", "code_at", "run_blocking", "upgrade_async"]
