"""Logs hold no personal data: complete intakes in every flow, through the
conversation service, the web chat and a Telegram adapter (aiogram, against the fake
Bot API), with the service's own logging configuration at DEBUG, write no answer,
name, phone number or chat id. And the formatter itself masks what slips through."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from bot.logging_setup import JsonFormatter, KeyValueFormatter, logging_config, mask_personal_data
from storage.database import Database
from storage.user_hash import hash_channel_user
from tests.factories.databases import Backend
from tests.factories.intakes import SECRET, at_scenario_time, replay, service
from tests.factories.web_chat import UNLIMITED, PlainBrowser, chat_app
from tests.scenario_files import Scenario, load_scenarios
from tests.telegram.harness import SECRET as TELEGRAM_SECRET
from tests.telegram.harness import telegram_bot
from tests.telegram.scripts import replay as telegram_replay

SCENARIOS = [s for s in load_scenarios() if s.submits]
ONE_PER_FLOW = {s.flow: s for s in SCENARIOS if "justitieel" in s.name}
CHAT = 555123987


@contextmanager
def captured_logs() -> Iterator[io.StringIO]:
    """Every log line the service would write with LOG_LEVEL=DEBUG (its levels per
    logger, its JSON formatter), collected."""
    config = logging_config("json", "DEBUG")
    loggers = {name: logging.getLogger(name) for name in config["loggers"]}
    root = logging.getLogger()
    saved = {name: lg.level for name, lg in loggers.items()} | {"": root.level}
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.setLevel(logging.DEBUG)
    root.addHandler(handler)
    root.setLevel(config["root"]["level"])
    for name, logger in loggers.items():
        logger.setLevel(config["loggers"][name]["level"])
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(saved[""])
        for name, logger in loggers.items():
            logger.setLevel(saved[name])


def personal_data(scenario: Scenario, chat: int | str, channel: str) -> set[str]:
    """What the person typed (answers, names, numbers), the chat id and its hash."""
    typed = {s for s in scenario.steps if isinstance(s, str) and len(s.strip()) >= 3}
    typed |= {"+31612345678", "+31431234567", "sanne@reclassering.example"}
    user_hash = hash_channel_user(SECRET, channel, chat)
    return typed | {str(chat), user_hash, user_hash[:16]}


def leaks(stream: io.StringIO, sought: set[str]) -> list[str]:
    text = stream.getvalue()
    for line in text.splitlines():  # every line is one JSON object
        json.loads(line)
    return sorted(s for s in sought if s in text)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
async def test_intakes_through_the_service_log_no_personal_data(
    scenario: Scenario, backend: Backend, database: Database
) -> None:
    at_scenario_time(backend, scenario)
    with captured_logs() as stream:
        turn = await replay(service(database), str(CHAT), scenario, channel="telegram")
    assert turn.reference is not None
    assert leaks(stream, personal_data(scenario, CHAT, "telegram")) == []


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
@pytest.mark.parametrize("flow", sorted(ONE_PER_FLOW))
async def test_intakes_in_the_web_chat_log_no_personal_data(
    flow: str, backend: Backend, database: Database
) -> None:
    scenario = ONE_PER_FLOW[flow]
    web = chat_app(backend.url, backend.clock, posts_per_session=UNLIMITED)
    at_scenario_time(backend, scenario)
    browser = PlainBrowser(web.app)
    try:
        with captured_logs() as stream:
            await browser.open()
            await browser.press(scenario.flow)
            for step in scenario.steps:
                await browser.step(step)
            await browser.open("/chat/mijngegevens")
    finally:
        await browser.close()
        await web.database.dispose()
    async with database.unit_of_work(write=False) as uow:
        [record] = await uow.pre_aanmeldingen.find()
    sought = {s for s in scenario.steps if isinstance(s, str) and len(s.strip()) >= 3}
    sought |= {v for v in (record.client_name, record.contact_address) if v}
    assert leaks(stream, sought) == []


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_intakes_through_telegram_log_no_personal_data(backend: Backend) -> None:
    found: list[str] = []
    with captured_logs() as stream:
        async with telegram_bot(backend, "aiogram", "polling") as bot:
            for index, scenario in enumerate(sorted(ONE_PER_FLOW.values(), key=lambda s: s.flow)):
                chat = CHAT + index
                await telegram_replay(bot, chat, scenario)
                await bot.send(chat, "/mijngegevens")
                assert "LH-" in " ".join(bot.texts(chat))
                user_hash = hash_channel_user(TELEGRAM_SECRET, "telegram", chat)
                found += leaks(
                    stream,
                    {s for s in scenario.steps if isinstance(s, str) and len(s) >= 3}
                    | {str(chat), user_hash, user_hash[:16]},
                )
    assert found == []
    assert "Telegram started" in stream.getvalue()  # the capture did see the service


def _record(message: str, *args: Any, error: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(error), error, error.__traceback__) if error is not None else None
    return logging.LogRecord("bot.test", logging.ERROR, __file__, 1, message, args, exc_info)


def test_the_formatter_never_writes_an_exceptions_message() -> None:
    try:
        raise ValueError("INSERT ... parameters: ('Jan de Vries', '0612345678')")
    except ValueError as caught:
        error = caught
    for formatter in (JsonFormatter(), KeyValueFormatter()):
        line = formatter.format(_record("update %s not applied", 17, error=error))
        assert "Jan de Vries" not in line and "0612345678" not in line
        assert "ValueError" in line and "test_logs.py" in line


@pytest.mark.parametrize(
    ("message", "masked"),
    [
        ("mail jan@example.org now", "mail <email> now"),
        ("bel +31612345678", "bel <number>"),
        ("bel 06-12345678 of 045 123 4567", "bel <number> of <number>"),
        ("on 2025-06-02, 3 rows, update 42", "on 2025-06-02, 3 rows, update 42"),
    ],
)
def test_personal_data_that_slips_into_a_message_is_masked(message: str, masked: str) -> None:
    assert mask_personal_data(message) == masked
