"""The web chat in tests: the chat mounted on an app over a database, with a clock
that only moves when told to, and a browser without JavaScript (httpx) that reads
the page's forms and posts them like a browser would."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import httpx
from fastapi import FastAPI

from bot.settings import Settings
from bot.web import WebChatConfig, WebChatRoutes, mount_web_chat
from flows.engine.library import FlowLibrary
from storage.database import Database
from storage.engine import PoolOptions
from tests.factories.databases import FakeClock
from tests.web.html_page import Form, Page, parse_page
from webkit.rate_limits import Bucket

SECRET = "web-chat-test-secret"
SCENARIO_NOW = datetime(2025, 6, 2, 10, 30, tzinfo=UTC)
UNLIMITED = Bucket(100_000, 100_000)  # tests that replay a whole intake at full speed


def settings_for(url: str) -> Settings:
    return Settings(database_url=url, secret_key=SECRET, _env_file=None)  # type: ignore[call-arg]


@dataclass
class ChatApp:
    app: FastAPI
    routes: WebChatRoutes
    database: Database
    clock: FakeClock


def chat_app(
    url: str,
    clock: FakeClock,
    library: FlowLibrary | None = None,
    *,
    pool: PoolOptions | None = None,
    **config: Any,
) -> ChatApp:
    db = Database(url, clock=clock, pool=pool)
    app = FastAPI()
    routes = mount_web_chat(
        app,
        settings_for(url),
        database=db,
        config=replace(WebChatConfig(secret_key=SECRET), **config),
        library=library,
    )
    return ChatApp(app, routes, db, clock)


class PlainBrowser:
    """A browser with JavaScript off: GET pages, post forms, follow redirects."""

    def __init__(
        self,
        app: FastAPI | None,
        base_url: str = "https://chat.example",
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.client = client or httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=("192.0.2.10", 50000)),
            base_url=base_url,
            follow_redirects=True,
        )
        self.page: Page | None = None
        self.last: httpx.Response | None = None
        self.ticked: list[str] = []

    @classmethod
    def over(cls, client: httpx.AsyncClient) -> PlainBrowser:
        """The same browser over a client of its own (a real server over HTTP)."""
        return cls(None, client=client)

    async def close(self) -> None:
        await self.client.aclose()

    def _read(self, response: httpx.Response) -> Page:
        self.last = response
        self.page = parse_page(response.text)
        return self.page

    async def open(self, path: str = "/chat", **headers: str) -> Page:
        return self._read(await self.client.get(path, headers=headers))

    async def submit(
        self, form: Form, extra: list[tuple[str, str]] | None = None, **headers: str
    ) -> Page:
        fields = list(form.hidden.items()) + (extra or [])
        response = await self.client.post(
            form.action,
            content=urlencode(fields),
            headers={"content-type": "application/x-www-form-urlencoded", **headers},
        )
        return self._read(response)

    @property
    def current(self) -> Page:
        assert self.page is not None, "open the page first"
        return self.page

    async def press(self, option: str) -> Page:
        """Press the button of an option (a tick box of a multiple choice is ticked;
        its "Klaar" button sends the ticked ones)."""
        page = self.current
        form = page.option_form(option)
        if form is not None:
            self.ticked = []
            return await self.submit(form, [("option", option)])
        checks = page.form("answer-checks")
        if option == "_done":
            ticked, self.ticked = self.ticked, []
            return await self.submit(checks, [("options", o) for o in ticked])
        assert option in [value for value, _ in checks.checkboxes], f"no option {option}"
        self.ticked = [o for o in self.ticked if o != option] + (
            [] if option in self.ticked else [option]
        )
        return page

    async def tick(self, options: list[str]) -> Page:
        checks = self.current.form("answer-checks")
        return await self.submit(checks, [("options", o) for o in options])

    async def type(self, text: str) -> Page:
        """Type an answer. A question with buttons only has no text field; a browser
        then cannot type, but the chat accepts typed answers anyway (as in Telegram),
        so the post is made with the page's own form fields."""
        page = self.current
        forms = page.forms_with("answer-text")
        if forms:
            return await self.submit(forms[0], [("text", text)])
        base = page.forms_with("answer-buttons") or page.forms_with("answer-checks")
        hidden = {**base[0].hidden, "action": "text"}
        return await self.submit(Form("/chat", "answer-text", hidden), [("text", text)])

    async def command(self, name: str) -> Page:
        return await self.submit(self.current.form("commands"), [("command", name)])

    async def language(self, code: str) -> Page:
        return await self.submit(self.current.form("languages"), [("language", code)])

    async def step(self, step: Any) -> Page:
        """A golden scenario step, done through the page."""
        if isinstance(step, str):
            return await self.type(step)
        ((kind, value),) = step.items()
        if kind == "choice":
            return await self.press(str(value))
        if kind == "select":
            return await self.tick([str(v) for v in value])
        if kind == "command":
            return await self.command(str(value))
        if kind == "language":
            return await self.language(str(value))
        raise AssertionError(f"unknown step {step!r}")
