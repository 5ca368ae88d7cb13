"""A full intake per framework on PostgreSQL (the production database): the same
service, outbox and deliverer, with advisory locks and SKIP LOCKED instead of
SQLite's single writer."""

from __future__ import annotations

import asyncio

import pytest

from tests.factories.databases import Backend
from tests.scenario_files import load_scenarios
from tests.telegram.harness import telegram_bot
from tests.telegram.scripts import replay, submitted

SCENARIOS = [
    s for s in load_scenarios() if s.name in ("hulpverlener/housing_first", "veldwerk/housing")
]


@pytest.mark.postgres
@pytest.mark.parametrize(("framework", "mode"), [("aiogram", "webhook"), ("ptb", "polling")])
async def test_a_full_intake_on_postgresql(postgres: Backend, framework: str, mode: str) -> None:
    async with telegram_bot(postgres, framework, mode) as bot:
        await asyncio.gather(*(replay(bot, 2000 + n, s) for n, s in enumerate(SCENARIOS)))
        for number, scenario in enumerate(SCENARIOS):
            [record] = await submitted(bot, 2000 + number)
            assert record.recommended_product == scenario.product
            assert record.reference in bot.last_text(2000 + number)
        assert bot.api.unanswered_callbacks() == []
        assert bot.api.rate_violations == []
