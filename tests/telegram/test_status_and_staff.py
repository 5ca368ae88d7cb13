"""After the intake: the staff chat hears of it (nothing personal), the person asks
/status, staff change the status and the person is told through the outbox."""

from __future__ import annotations

import pytest

from bot.telegram.delivery import CHANNEL
from storage.conversations import ConversationKey
from storage.lifecycle import Status
from tests.factories.databases import Backend
from tests.scenario_files import load_scenarios
from tests.telegram.harness import SECRET, STAFF_CHAT, telegram_bot
from tests.telegram.scripts import replay, submitted

CHAT = 4711
PHONE_SCENARIO = next(s for s in load_scenarios() if s.name == "hulpverlener/housing_plus")


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_staff_chat_status_and_a_status_change(backend: Backend) -> None:
    async with telegram_bot(
        backend, "aiogram", "webhook", telegram_staff_chat_id=str(STAFF_CHAT)
    ) as bot:
        await bot.send(CHAT, "/status")
        assert "Ik vind geen verstuurde aanmelding" in bot.last_text(CHAT)

        await replay(bot, CHAT, PHONE_SCENARIO)
        [record] = await submitted(bot, CHAT)
        await bot.api.wait_for(lambda: bot.api.sent_messages(STAFF_CHAT))
        [notice] = bot.api.sent_texts(STAFF_CHAT)
        assert notice == (
            f"Nieuwe pre-aanmelding {record.reference}, regio Westelijke Mijnstreek, "
            "product Housing Plus"
        )
        # Nothing personal: no name, phone, e-mail or answer of the intake.
        assert record.client_name and record.client_name not in notice
        # (The random reference code may hold a short typed number such as "2".)
        rest = notice.replace(record.reference, "")
        assert not any(str(step) in rest for step in PHONE_SCENARIO.steps if step)

        await bot.send(CHAT, "/status")
        assert record.reference in bot.last_text(CHAT)
        assert "We hebben je aanmelding ontvangen" in bot.last_text(CHAT)

        # Staff take it up in the dashboard, which queues a message for the person.
        key = ConversationKey.for_user(SECRET, CHANNEL, CHAT)
        async with bot.database.unit_of_work() as uow:
            await uow.pre_aanmeldingen.transition(
                record.reference, Status.IN_BEHANDELING, staff_user_id=None, reason="opgepakt"
            )
            await uow.outbox.enqueue(
                CHANNEL, key.user_hash, str(CHAT), {"text": "Je aanmelding is in behandeling."}
            )
        await bot.api.wait_for(
            lambda: bot.last_text(CHAT) == "Je aanmelding is in behandeling.", timeout=5
        )
        await bot.send(CHAT, "/status")
        assert "Een medewerker van het loket is met je aanmelding bezig." in bot.last_text(CHAT)
