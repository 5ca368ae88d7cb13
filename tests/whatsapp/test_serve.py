"""Acceptance: the real `intake serve`, with WHATSAPP_* pointing at the fake Graph API
(in a thread), driven through a full intake of each flow (the golden scenarios) in
Dutch and in Arabic by people who write to it through signed webhook posts, as Meta
would. Every pre-aanmelding is stored exactly once, in the person's language, with
the product the scenario expects; a replayed message changes nothing; every message
sent is one the Cloud API accepts (within its limits)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.whatsapp.delivery import CHANNEL
from intake.conversation import ConversationService
from storage.database import Database
from storage.pre_aanmeldingen import PreAanmeldingFilter
from tests.fakes.whatsapp_api import TEST_PHONE_NUMBER_ID, TEST_WA_TOKEN, FakeGraphApi
from tests.fakes.whatsapp_webhook import (
    TEST_APP_SECRET,
    TEST_VERIFY_TOKEN,
    button_reply,
    encode,
    envelope,
    list_reply,
    signed_headers,
    text_message,
)
from tests.scenario_files import COMMAND_TEXT, Scenario, load_scenarios
from tests.serving import first_answer, running_serve, serve_env

SECRET = "whatsapp-serve-secret"
NAMES = ("zelfmelding/housing_first_street", "hulpverlener/housing_first", "veldwerk/housing_first")
SCENARIOS = [s for s in load_scenarios() if s.name in NAMES]
WAIT = 30.0


class Person:
    """Someone who writes to the loket's WhatsApp number; the server runs elsewhere."""

    def __init__(self, url: str, fake: FakeGraphApi, database: Database, wa_id: str) -> None:
        self.url, self.fake, self.database, self.wa_id = url, fake, database, wa_id
        self.service = ConversationService(database, secret_key=SECRET)
        self.posted: list[dict[str, Any]] = []

    async def post(self, message: dict[str, Any]) -> None:
        body = encode(envelope(messages=[message]))
        async with httpx.AsyncClient(timeout=WAIT) as client:
            answer = await client.post(self.url, content=body, headers=signed_headers(body))
        assert answer.status_code == 200, answer.status_code
        self.posted.append(message)
        await self.settled()

    async def settled(self) -> None:
        """Every queued message sent and recorded (the answer came after the commit)."""
        async with asyncio.timeout(WAIT):
            while True:
                async with self.database.unit_of_work(write=False) as uow:
                    if await uow.outbox.pending_count() == 0:
                        return
                await asyncio.sleep(0.05)

    async def type(self, text: str) -> None:
        await self.post(text_message(self.wa_id, text))

    async def prompt_options(self) -> tuple[str | None, list[str]]:
        view = await self.service.view(CHANNEL, self.wa_id)
        assert view is not None and view.prompt is not None, "no open question"
        return view.prompt.token, [o.id for o in view.prompt.options]

    async def choose(self, option: str) -> None:
        """The option's button or list row when it has one, else its number, typed."""
        token, options = await self.prompt_options()
        wanted = f"{token}:{option}"
        last = next((m for m in reversed(self.fake.sent(self.wa_id)) if m.reply_ids), None)
        if last is not None and wanted in last.reply_ids:
            make = button_reply if last.interactive_type == "button" else list_reply
            await self.post(make(self.wa_id, wanted, last.reply_ids[wanted]))
        else:
            await self.type(str(options.index(option) + 1))

    async def select(self, chosen: list[str]) -> None:
        """A multiple choice, typed as numbers ("2, 4")."""
        _, options = await self.prompt_options()
        await self.type(", ".join(str(options.index(c) + 1) for c in chosen))

    async def step(self, move: Any) -> None:
        if isinstance(move, str):
            await self.type(move)
            return
        ((kind, value),) = move.items()
        if kind == "choice":
            await self.choose(str(value))
        elif kind == "select":
            await self.select(list(value))
        elif kind == "command":
            await self.type(COMMAND_TEXT[value].lstrip("/"))
        else:
            raise AssertionError(f"step {move!r} is not used here")

    async def intake(self, scenario: Scenario, locale: str) -> None:
        await self.type("Hallo")
        if locale != "nl":
            await self.choose("_language")
            await self.choose(locale)
        await self.choose(scenario.flow)
        for move in scenario.steps:
            await self.step(move)


@asynccontextmanager
async def serving(tmp_path: Path) -> AsyncIterator[tuple[str, FakeGraphApi, Database]]:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'intake.db'}"
    with FakeGraphApi.run_in_thread() as fake:
        env = serve_env(
            DATABASE_URL=database_url,
            SECRET_KEY=SECRET,
            INTAKE_HOME=str(tmp_path / "home"),
            WHATSAPP_TOKEN=TEST_WA_TOKEN,
            WHATSAPP_PHONE_NUMBER_ID=TEST_PHONE_NUMBER_ID,
            WHATSAPP_APP_SECRET=TEST_APP_SECRET,
            WHATSAPP_VERIFY_TOKEN=TEST_VERIFY_TOKEN,
            WHATSAPP_API_BASE_URL=fake.base_url,
        )
        env = {k: v for k, v in env.items() if not k.startswith("TELEGRAM_")}
        base = f"http://127.0.0.1:{env['PORT']}"
        with (
            (tmp_path / "serve.log").open("w") as log,
            running_serve(tmp_path, env, log) as process,
        ):
            answer = await asyncio.to_thread(first_answer, process, f"{base}/healthz")
            assert answer is not None and answer.status_code == 200, (
                tmp_path / "serve.log"
            ).read_text()
            database = Database(database_url)
            try:
                yield f"{base}/whatsapp/webhook", fake, database
            finally:
                await database.dispose()


@pytest.mark.parametrize("locale", ["nl", "ar"])
async def test_a_full_intake_of_every_flow_through_intake_serve(
    tmp_path: Path, locale: str
) -> None:
    assert "ENCRYPTION_KEY" in os.environ  # the server and this test read the same data
    async with serving(tmp_path) as (url, fake, database):
        people = []
        for number, scenario in enumerate(SCENARIOS):
            person = Person(url, fake, database, f"3161000000{number}")
            await person.intake(scenario, locale)
            people.append((person, scenario))
        # Meta sends the last message of each person again: it counts once.
        for person, _ in people:
            sent = len(fake.sent(person.wa_id))
            await person.post(person.posted[-1])
            assert len(fake.sent(person.wa_id)) == sent
        for person, scenario in people:
            key = person.service.key(CHANNEL, person.wa_id)
            async with database.unit_of_work(write=False) as uow:
                found = await uow.pre_aanmeldingen.find(
                    PreAanmeldingFilter(channel_user_hash=key.user_hash)
                )
            assert len(found) == 1, (scenario.name, locale)
            [record] = found
            assert record.channel == CHANNEL
            assert record.language == locale
            assert record.recommended_product == scenario.product, scenario.name
            assert record.reference in fake.sent(person.wa_id)[-1].text
            texts = [m.text for m in fake.sent(person.wa_id)]
            if locale == "ar":  # the person's language, not Dutch with Arabic buttons
                assert any("\u0600" <= c <= "\u06ff" for c in texts[-1]), texts[-1]
        kinds = {m.interactive_type or m.type for m in fake.sent()}
        assert kinds == {"button", "list", "text"}, kinds
        assert fake.violations == []
