"""The WhatsApp channel in a test: the whole app of `intake serve` (its lifespan, the
webhook route, the outbox deliverer) in the test's event loop, against the fake Graph
API, and a person who writes to it through signed webhook posts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from bot.app import create_app
from bot.settings import Settings
from bot.whatsapp.delivery import CHANNEL
from storage.conversations import ConversationKey
from storage.database import Database
from tests.fakes.whatsapp_api import TEST_PHONE_NUMBER_ID, TEST_WA_TOKEN, FakeGraphApi, SentMessage
from tests.fakes.whatsapp_webhook import (
    TEST_APP_SECRET,
    TEST_VERIFY_TOKEN,
    button_reply,
    envelope,
    list_reply,
    media_message,
    post_webhook,
    text_message,
)

__all__ = [
    "SECRET",
    "WhatsAppApp",
    "WhatsAppPerson",
    "choose",
    "open_token",
    "option_number",
    "settled",
    "whatsapp_app",
    "whatsapp_settings",
]

SECRET = "whatsapp-test-secret"


def whatsapp_settings(tmp_path: Path, database_url: str, base_url: str) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        intake_home=tmp_path,
        database_url=database_url,
        secret_key=SECRET,
        whatsapp_token=TEST_WA_TOKEN,
        whatsapp_phone_number_id=TEST_PHONE_NUMBER_ID,
        whatsapp_app_secret=TEST_APP_SECRET,
        whatsapp_verify_token=TEST_VERIFY_TOKEN,
        whatsapp_api_base_url=base_url,
    )


@dataclass
class WhatsAppApp:
    app: FastAPI
    client: httpx.AsyncClient
    fake: FakeGraphApi
    database: Database

    def person(self, wa_id: str) -> WhatsAppPerson:
        return WhatsAppPerson(self, wa_id)

    def user_hash(self, wa_id: str) -> str:
        return ConversationKey.for_user(SECRET, CHANNEL, wa_id).user_hash


async def settled(database: Database, timeout: float = 10.0) -> None:  # noqa: ASYNC109
    """Until no outbox message is pending (sent and recorded)."""
    async with asyncio.timeout(timeout):
        while True:
            async with database.unit_of_work(write=False) as uow:
                if await uow.outbox.pending_count() == 0:
                    return
            await asyncio.sleep(0.02)


@asynccontextmanager
async def whatsapp_app(tmp_path: Path, database: Database) -> AsyncIterator[WhatsAppApp]:
    """The app with WhatsApp configured, on `database`, its lifespan running."""
    async with FakeGraphApi() as fake:
        settings = whatsapp_settings(
            tmp_path, database.engine.url.render_as_string(hide_password=False), fake.base_url
        )
        app = create_app(settings, database=database)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://127.0.0.1"
            ) as client:
                yield WhatsAppApp(app, client, fake, database)


class WhatsAppPerson:
    """Someone writing to the loket's number, through signed webhook posts."""

    def __init__(self, world: WhatsAppApp, wa_id: str) -> None:
        self.world, self.wa_id = world, wa_id

    def received(self) -> list[SentMessage]:
        return self.world.fake.sent(self.wa_id)

    def last(self) -> SentMessage:
        return self.received()[-1]

    async def post(self, message: dict[str, Any], *, wait: bool = True) -> httpx.Response:
        before = len(self.received())
        response = await post_webhook(self.world.client, envelope(messages=[message]))
        assert response.status_code == 200, response.status_code
        if wait:
            await self.settle()
            assert len(self.received()) > before, "no answer"
        return response

    async def settle(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Until the outbox holds nothing to send: every queued message went out."""
        await settled(self.world.database, timeout)

    async def type(self, text: str, *, message_id: str | None = None) -> httpx.Response:
        return await self.post(text_message(self.wa_id, text, message_id))

    async def press(self, option: str) -> httpx.Response:
        """Press the button or list row of `option` on the last interactive message."""
        for sent in reversed(self.received()):
            if sent.reply_ids:
                break
        else:
            raise AssertionError("no message with buttons")
        [reply_id] = [i for i in sent.reply_ids if i.split(":", 1)[1] == option]
        make = button_reply if sent.interactive_type == "button" else list_reply
        return await self.post(make(self.wa_id, reply_id, sent.reply_ids[reply_id]))

    async def send_media(self, kind: str) -> httpx.Response:
        return await self.post(media_message(self.wa_id, kind))


async def choose(person: WhatsAppPerson, option: str) -> None:
    """Answer the open question with `option`: its button or list row when the last
    message has one, else its number, typed (a numbered question)."""
    last = next((m for m in reversed(person.received()) if m.reply_ids), None)
    if last is not None and any(i.split(":", 1)[1] == option for i in last.reply_ids):
        view_token = await open_token(person)
        if view_token is None or any(i.startswith(f"{view_token}:") for i in last.reply_ids):
            await person.press(option)
            return
    await person.type(str(await option_number(person, option)))


async def open_token(person: WhatsAppPerson) -> str | None:
    view = await _service(person).view(CHANNEL, person.wa_id)
    return view.prompt.token if view is not None and view.prompt is not None else None


async def option_number(person: WhatsAppPerson, option: str) -> int:
    """The place (1 = first) of `option` in the open question."""
    view = await _service(person).view(CHANNEL, person.wa_id)
    assert view is not None and view.prompt is not None, "no open question"
    ids = [o.id for o in view.prompt.options]
    return ids.index(option) + 1


def _service(person: WhatsAppPerson) -> Any:
    return person.world.app.state.whatsapp.intake.service
