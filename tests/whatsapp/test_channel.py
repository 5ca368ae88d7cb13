"""The WhatsApp channel through the app: the first message, buttons and lists, typed
numbers, the channel's words (help, privacy, mijn gegevens, verwijder), media that
gets a kind message in the person's language, and the deliverer's answer to the
Cloud API's refusals."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import func, select

from bot.whatsapp import wording
from bot.whatsapp.delivery import CHANNEL
from flows.texts import Text
from locales import render
from storage.database import Database
from storage.tables import ConversationSessionRow, OutboxMessageRow
from tests.factories.databases import FakeClock
from tests.factories.whatsapp import (
    WhatsAppPerson,
    choose,
    open_token,
    settled,
    whatsapp_app,
)

WA_ID = "31687654321"


async def _conversations(database: Database) -> int:
    async with database.unit_of_work(write=False) as uow:
        statement = select(func.count()).select_from(ConversationSessionRow)
        return int(await uow.session.scalar(statement) or 0)


async def _errors(database: Database) -> list[str]:
    async with database.unit_of_work(write=False) as uow:
        rows = await uow.session.scalars(select(OutboxMessageRow))
        return [row.last_error for row in rows if row.last_error]


async def _to_arabic(person: WhatsAppPerson) -> None:
    await person.type("taal")
    await choose(person, "ar")


async def test_a_first_message_gets_the_welcome_and_a_question_with_buttons(
    tmp_path: Path, database: Database
) -> None:
    async with whatsapp_app(tmp_path, database) as world:
        person = world.person(WA_ID)
        await person.type("Hoi")
        received = person.received()
        assert received, "an answer"
        assert any(m.reply_ids for m in received), "the first question has choices"
        assert world.fake.violations == []
        # Every choice carries the open question's token: an old one changes nothing.
        token = await open_token(person)
        assert all(i.startswith(f"{token}:") for i in person.last().reply_ids)


async def test_media_gets_a_kind_message_in_the_persons_language_and_nothing_is_kept(
    tmp_path: Path, database: Database
) -> None:
    async with whatsapp_app(tmp_path, database) as world:
        person = world.person(WA_ID)
        await person.send_media("image")
        dutch = render(Text(wording.UNSUPPORTED), "nl")
        assert dutch in person.received()[0].text
        assert await _conversations(world.database) == 0, "a photo starts nothing"
        async with world.database.unit_of_work(write=False) as uow:
            rows = list(await uow.session.scalars(select(OutboxMessageRow)))
        assert all("1234567890" not in str(row.payload) for row in rows), "no media id kept"

        await person.type("Hoi")
        await _to_arabic(person)
        token = await open_token(person)
        for kind in ("audio", "location", "sticker"):
            before = len(person.received())
            await person.send_media(kind)
            arabic = render(Text(wording.UNSUPPORTED), "ar")
            assert arabic != dutch
            answer = "\n".join(m.text for m in person.received()[before:])
            assert arabic in answer
            assert await open_token(person) == token, "the conversation did not move"


async def test_typed_numbers_answer_a_question(tmp_path: Path, database: Database) -> None:
    async with whatsapp_app(tmp_path, database) as world:
        person = world.person(WA_ID)
        await person.type("Hoi")
        first = [i.split(":", 1)[1] for i in person.last().reply_ids]
        await person.type("1")  # the first option: the intake for oneself
        view = await world.app.state.whatsapp.intake.service.view(CHANNEL, WA_ID)
        assert view is not None and view.flow_id == first[0]


async def test_help_lists_the_channel_words(tmp_path: Path, database: Database) -> None:
    async with whatsapp_app(tmp_path, database) as world:
        person = world.person(WA_ID)
        await person.type("Hoi")
        before = len(person.received())
        await person.type("help")
        answer = "\n".join(m.text for m in person.received()[before:])
        assert render(Text(wording.HELP_WORDS), "nl") in answer


async def test_privacy_my_data_and_erase_as_words(tmp_path: Path, database: Database) -> None:
    async with whatsapp_app(tmp_path, database) as world:
        person = world.person(WA_ID)
        await person.type("Hoi")
        token = await open_token(person)

        before = len(person.received())
        await person.type("Privacy")
        answer = "\n".join(m.text for m in person.received()[before:])
        assert render(Text(wording.PRIVACY_WHATSAPP), "nl") in answer
        assert render(Text(wording.PRIVACY_WORDS), "nl") in answer
        assert await open_token(person) == token

        before = len(person.received())
        await person.type("mijn gegevens")
        assert len(person.received()) > before
        assert await open_token(person) == token

        await person.type("verwijder")
        assert {i.split(":")[0] for i in person.last().reply_ids} == {"verwijder"}
        assert await _conversations(world.database) == 1
        await person.press("yes")
        assert await _conversations(world.database) == 0, "erased"
        assert await open_token(person) is None


async def test_a_rate_limit_sends_the_message_again_later_and_131047_gives_up(
    tmp_path: Path, database: Database, clock: FakeClock
) -> None:
    async with whatsapp_app(tmp_path, database) as world:
        person = world.person(WA_ID)
        world.fake.fail_next(130429)  # too many messages from the number: later
        await person.post(
            {
                "from": WA_ID,
                "id": "wamid.RATE",
                "timestamp": "1",
                "type": "text",
                "text": {"body": "Hoi"},
            },
            wait=False,
        )
        await world.fake.until(lambda: world.fake.violations)
        async with asyncio.timeout(10):  # the refusal recorded: back in the outbox
            while True:
                if await _errors(world.database):
                    break
                await asyncio.sleep(0.02)
        assert await _errors(world.database) == ["whatsapp_130429"]
        assert person.received() == []
        clock.advance(seconds=30)  # the wait is over
        await settled(world.database)
        assert person.received(), "sent after the wait, nothing lost"

        world.fake.fail_next(131047)  # more than 24 hours since the person wrote
        async with world.database.unit_of_work() as uow:
            key = world.user_hash(WA_ID)
            message_id = await uow.outbox.enqueue(CHANNEL, key, WA_ID, {"text": "Nieuws"})
        world.app.state.whatsapp.deliverer.wake()
        await settled(world.database)
        async with world.database.unit_of_work(write=False) as uow:
            row = await uow.session.get(OutboxMessageRow, message_id)
        assert row is not None and row.given_up_at is not None
        assert row.last_error == "whatsapp_131047"
        assert row.recipient is None, "the number is not kept"
