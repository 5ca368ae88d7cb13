"""/privacy, /mijngegevens and /verwijder in Telegram, through both adapters against
the fake Bot API: the current notice, the copy of what is stored about the chat,
erasure only after the yes button, and a plain answer for a chat without data."""

from __future__ import annotations

import pytest

from bot.telegram.delivery import CHANNEL
from flows.privacy_notices import current_notice
from flows.texts import Text
from intake import privacy_wording as w
from locales import render
from storage.user_hash import hash_channel_user
from tests.factories.databases import Backend
from tests.factories.intakes import FULL_INTAKES
from tests.factories.tables import decrypted_dump, row_counts
from tests.telegram.harness import SECRET, telegram_bot
from tests.telegram.scripts import replay, submitted

CHAT = 24680
SCENARIO = FULL_INTAKES[0]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
@pytest.mark.parametrize("framework", ["aiogram", "ptb"])
async def test_my_data_and_erasure_in_telegram(backend: Backend, framework: str) -> None:
    async with telegram_bot(backend, framework, "polling") as bot:
        commands = [c["command"] for c in bot.api.commands()]
        assert {"privacy", "mijngegevens", "verwijder"} <= set(commands)

        await bot.send(CHAT, "/privacy")
        assert render(current_notice("zelfmelding").title) in bot.last_text(CHAT)

        await replay(bot, CHAT, SCENARIO)
        [record] = await submitted(bot, CHAT)
        await bot.send(CHAT, "/mijngegevens")
        copy = "\n".join(bot.texts(CHAT)[-3:])
        assert record.reference in copy and "+31612345678" in copy
        assert "14 maart 2026" in copy and render(Text(w.COPY_HOW_TO_ERASE)) in copy

        await bot.send(CHAT, "/verwijder")
        assert bot.last_text(CHAT).startswith(render(Text(w.ERASE_ASK)))
        await bot.press(CHAT, "no")
        assert render(Text(w.ERASE_CANCELLED)) in bot.last_text(CHAT)
        assert len(await submitted(bot, CHAT)) == 1

        await bot.send(CHAT, "/verwijder")
        await bot.press(CHAT, "yes")
        assert bot.last_text(CHAT) == render(Text(w.ERASE_DONE))
        assert await submitted(bot, CHAT) == []
        await bot.api.wait_for(lambda: True, 1)
        stored = await decrypted_dump(bot.database)
        user_hash = hash_channel_user(SECRET, CHANNEL, CHAT)
        for identifier in (record.reference, "+31612345678", user_hash, user_hash[:16]):
            assert identifier not in stored
        assert (await row_counts(bot.database))["pre_aanmeldingen"] == 0

        stranger = CHAT + 1
        await bot.send(stranger, "/mijngegevens")
        assert bot.last_text(stranger) == render(Text(w.COPY_NOTHING))
        await bot.send(stranger, "/verwijder")
        await bot.press(stranger, "yes")
        assert bot.last_text(stranger) == render(Text(w.ERASE_NOTHING))
