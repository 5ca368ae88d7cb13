"""A seeded set of conversations for the drop-off figures ("where people stop"),
driven through the real conversation service, privacy service and retention purge.

Six people, told here so a test can count by hand what the counters must hold:

| who | channel | language | what happens | week |
|---|---|---|---|---|
| ann | web | nl | veldwerk, submitted (13 prompts, summary included) | 1 |
| bob | telegram | nl | zelfmelding: consent, name, stops at living | 1 |
| cem | web | en | picks English on the start screen; zelfmelding: says no to consent | 1 |
| dan | telegram | pl | zelfmelding: consent, then silent at name; purged 31 days later | 1, 2 |
| eva | web | nl | says "hallo" on the start screen and goes; back 31 days later | 2 |
| fien | telegram | nl | consent, name, restarts at living; consent, erased at name | 1 |

Everyone but eva passes the start screen's one question (`start`/`who`) in week 1;
eva's first conversation runs out there and is counted when she comes back (week 2),
after which her new conversation is still open (not counted).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from flows.engine.inputs import ChoiceInput, Command, CommandInput, TextInput
from flows.engine.prompts import LANGUAGE as LANGUAGE_OPTION
from intake.conversation import ConversationService, StartInput, Turn
from intake.privacy import PrivacyService
from storage.database import Database
from storage.retention import RetentionPolicy, purge
from tests.factories.databases import FakeClock
from tests.scenario_files import load_scenarios, step_input

__all__ = ["SEED_MOMENT", "WEEK_1", "WEEK_2", "seed_conversations"]

SECRET = "drop-off-test-secret"
SEED_MOMENT = datetime(2025, 6, 2, 10, 30, tzinfo=UTC)  # a Monday
WEEK_1 = date(2025, 6, 2)
WEEK_2 = date(2025, 6, 30)  # 31 days on: 3 July 2025, in the week of 30 June


async def _press(
    svc: ConversationService, channel: str, user: str, turn: Turn, option: str
) -> Turn:
    assert turn.prompt is not None, f"{user}: no open question for {option!r}"
    return await svc.handle(channel, user, ChoiceInput(turn.prompt.token, option))


async def _begin(
    svc: ConversationService, channel: str, user: str, flow: str, locale: str = "nl"
) -> Turn:
    first = await svc.handle(channel, user, StartInput(), locale_hint=locale)
    return await _press(svc, channel, user, first, flow)


async def seed_conversations(database: Database, clock: FakeClock) -> None:
    """The six people of the module docstring, on `database`; the clock ends 31
    days after `SEED_MOMENT`."""
    clock.now = SEED_MOMENT
    svc = ConversationService(database, secret_key=SECRET)

    # ann: a veldwerker submits in the web chat.
    scenario = next(s for s in load_scenarios() if s.name == "veldwerk/housing")
    turn = await _begin(svc, "web", "ann", "veldwerk")
    prompt = turn.prompt
    for step in scenario.steps:
        turn = await svc.handle("web", "ann", step_input(step, prompt))
        prompt = turn.prompt or prompt
    assert turn.reference is not None

    # bob: stops at the third question.
    turn = await _begin(svc, "telegram", "bob", "zelfmelding")
    turn = await _press(svc, "telegram", "bob", turn, "yes")
    turn = await svc.handle("telegram", "bob", TextInput("Bob"))
    assert turn.prompt is not None and turn.prompt.node == "living"
    turn = await svc.handle("telegram", "bob", CommandInput(Command.STOP))
    turn = await _press(svc, "telegram", "bob", turn, "yes")
    assert await svc.view("telegram", "bob") is None

    # cem: English from the start screen's language chooser, then no consent.
    first = await svc.handle("web", "cem", StartInput(), locale_hint="nl")
    chooser = await _press(svc, "web", "cem", first, LANGUAGE_OPTION)
    chosen = await _press(svc, "web", "cem", chooser, "en")
    turn = await _press(svc, "web", "cem", chosen, "zelfmelding")
    assert turn.locale == "en"
    turn = await _press(svc, "web", "cem", turn, "no")
    assert await svc.view("web", "cem") is None

    # dan: Polish, goes silent at the second question.
    turn = await _begin(svc, "telegram", "dan", "zelfmelding", locale="pl")
    turn = await _press(svc, "telegram", "dan", turn, "yes")
    assert turn.locale == "pl" and turn.prompt is not None and turn.prompt.node == "name"

    # eva: a greeting on the start screen, nothing more.
    turn = await svc.handle("web", "eva", TextInput("hallo"))
    assert turn.prompt is not None and turn.prompt.node == "who"

    # fien: restarts at the third question, then asks to be erased at the second.
    turn = await _begin(svc, "telegram", "fien", "zelfmelding")
    turn = await _press(svc, "telegram", "fien", turn, "yes")
    turn = await svc.handle("telegram", "fien", TextInput("Fien"))
    turn = await svc.handle("telegram", "fien", CommandInput(Command.RESTART))
    turn = await _press(svc, "telegram", "fien", turn, "yes")
    assert turn.prompt is not None and turn.prompt.node == "consent"
    turn = await _press(svc, "telegram", "fien", turn, "yes")
    assert turn.prompt is not None and turn.prompt.node == "name"
    outcome = await PrivacyService(database, secret_key=SECRET).erase_for_chat("telegram", "fien")
    assert outcome.erased["conversation_sessions"] == 1

    # 31 days on: eva comes back (her conversation ran out), then the daily purge.
    clock.advance(days=31)
    turn = await svc.handle("web", "eva", StartInput())
    assert turn.prompt is not None and turn.prompt.node == "who"
    async with database.unit_of_work() as uow:
        counts = await purge(uow, RetentionPolicy())
    assert counts["conversation_sessions"] == 1  # dan's; eva's new one is fresh
