"""The staff dashboard in tests: staff accounts of every role, two pre-aanmeldingen
in two regions (the `World`), the dashboard mounted at /loket as `intake serve` does,
and an HTTP client on it that logs in and posts forms with their CSRF token."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
from fastapi import FastAPI

from loket.app import create_loket_app
from loket.config import LoketConfig
from loket.passwords import hash_password
from loket.totp import code_at, new_secret
from storage.database import Database
from tests.factories.databases import FakeClock
from tests.factories.pre_aanmeldingen import MAASTRICHT, PARKSTAD, submission

PASSWORD = "correct horse battery staple"
BASE = "/loket"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

STAFF = {
    "beheer": ("beheerder", ()),
    "coord": ("coordinator", ()),
    "park": ("medewerker", ("parkstad",)),
    "maas": ("medewerker", ("maastricht",)),
}


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


CHAT_URL = "https://loket.example/chat"  # the web chat's address in the loket's messages


def build_app(
    database: Database, *, secure: bool = True, idle: timedelta = timedelta(minutes=30)
) -> FastAPI:
    """The dashboard at /loket; `idle`: the idle logout (short for the warning's test)."""
    config = LoketConfig(
        secret_key="test-secret-key-for-the-dashboard", secure_cookies=secure, idle_timeout=idle
    )
    app = FastAPI()
    app.mount(BASE, create_loket_app(config, database, chat_url=CHAT_URL))
    return app


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


async def fresh_dashboard(world: World) -> Dashboard:
    """A client of its own (its own cookies); close it with `async with d.client`."""
    transport = httpx.ASGITransport(app=build_app(world.database))
    return Dashboard(httpx.AsyncClient(transport=transport, base_url="https://testserver"), world)
