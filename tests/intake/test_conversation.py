"""The conversation service over real databases: every golden scenario of every flow
replayed through it on SQLite and PostgreSQL, plus what only the service does."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from flows.engine.inputs import ChoiceInput, Command, CommandInput, TextInput
from flows.engine.prompts import LANGUAGE as LANGUAGE_OPTION
from flows.routing import recommend
from intake.conversation import ConversationService, StartInput, Turn
from storage.database import Database
from tests.factories.databases import Backend
from tests.scenario_files import Scenario, load_scenarios, step_input

SCENARIOS = load_scenarios()
SECRET = "service-test-secret"


def service(database: Database) -> ConversationService:
    return ConversationService(database, secret_key=SECRET)


async def choose_flow(svc: ConversationService, user: str, flow: str, channel: str = "web") -> Turn:
    first = await svc.handle(channel, user, StartInput())
    assert first.prompt is not None and first.prompt.entry
    return await svc.handle(channel, user, ChoiceInput(first.prompt.token, flow))


async def replay(
    svc: ConversationService, user: str, scenario: Scenario, channel: str = "web"
) -> Turn:
    turn = await choose_flow(svc, user, scenario.flow, channel)
    prompt = turn.prompt
    for step in scenario.steps:
        turn = await svc.handle(channel, user, step_input(step, prompt))
        prompt = turn.prompt or prompt
    return turn


# The scenarios are written for a channel that can do everything (the engine's default
# traits): Telegram. The web chat hides "contact me in this chat" (the loket cannot
# write to it later), which zelfmelding/housing_leaving_ggz chooses.
SCENARIO_CHANNEL = "telegram"


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
async def test_every_scenario_through_the_service(
    scenario: Scenario, backend: Backend, database: Database
) -> None:
    backend.clock.now = scenario.now.replace(tzinfo=UTC)
    svc = service(database)
    turn = await replay(svc, "user-1", scenario, SCENARIO_CHANNEL)
    async with database.unit_of_work(write=False) as uow:
        stored = await uow.pre_aanmeldingen.find()
        conversation = await uow.conversations.load(svc.key(SCENARIO_CHANNEL, "user-1"))
    if not scenario.submits:
        assert stored == []
        return
    assert turn.reference is not None
    [record] = stored
    assert record.reference == turn.reference
    assert record.recommended_product == scenario.product
    # The stored advice is what `intake route` gives on the stored profile.
    again = recommend(record.profile, scenario.now.date())
    assert (record.recommended_product, record.eligible_products) == (again.product, again.eligible)
    assert record.consent.text_version != "unknown"
    # "Contact me in this chat": the chat's address is kept, so the loket can write.
    if record.contact_preference == "chat":
        assert record.contact_address == "user-1"
    # The conversation is over: its draft is gone; the record keeps what is needed.
    assert conversation is None


async def test_a_repeated_update_has_one_effect(database: Database) -> None:
    svc = service(database)
    first = await svc.handle("telegram", 42, StartInput(), update_id=1)
    assert first.prompt is not None
    choice = ChoiceInput(first.prompt.token, "zelfmelding")
    started = await svc.handle("telegram", 42, choice, update_id=2)
    again = await svc.handle("telegram", 42, choice, update_id=2)
    assert started.flow_id == "zelfmelding" and not started.duplicate
    assert again.duplicate and again.messages == ()
    view = await svc.view("telegram", 42)
    assert view is not None and view.prompt is not None
    assert view.prompt.token == started.prompt.token if started.prompt else False


async def test_answers_survive_a_new_service_instance(backend: Backend, database: Database) -> None:
    """A restart: a new process (new Database, new service) continues the same question."""
    svc = service(database)
    turn = await choose_flow(svc, "u", "zelfmelding")
    assert turn.prompt is not None
    turn = await svc.handle("web", "u", ChoiceInput(turn.prompt.token, "yes"))
    asked = turn.prompt
    assert asked is not None
    other = backend.database()
    try:
        view = await service(other).view("web", "u")
        assert view is not None and view.prompt == asked
        resumed = await service(other).handle("web", "u", StartInput())
        assert resumed.prompt == asked
    finally:
        await other.dispose()


async def test_stop_discards_the_draft(database: Database) -> None:
    svc = service(database)
    turn = await choose_flow(svc, "u", "veldwerk")
    turn = await svc.handle("web", "u", CommandInput(Command.STOP))
    assert turn.prompt is not None and turn.prompt.kind == "confirm_stop"
    await svc.handle("web", "u", ChoiceInput(turn.prompt.token, "yes"))
    assert await svc.view("web", "u") is None


async def test_crisis_in_the_first_message_shows_the_numbers(database: Database) -> None:
    svc = service(database)
    turn = await svc.handle("web", "u", TextInput("ik wil niet meer leven"))
    assert turn.crisis
    assert any("112" in text.msgid for m in turn.messages for text in m.texts)
    assert turn.prompt is not None and turn.prompt.entry
    async with database.unit_of_work(write=False) as uow:
        events = await uow.audit.events()
    assert [e.action for e in events] == ["crisis_detected"]
    assert "leven" not in str(events[0].details)


async def test_language_chooser_before_the_flow(database: Database) -> None:
    svc = service(database)
    first = await svc.handle("telegram", 7, StartInput(), locale_hint="pl-PL")
    assert first.locale == "pl"
    assert first.prompt is not None
    chooser = await svc.handle("telegram", 7, ChoiceInput(first.prompt.token, LANGUAGE_OPTION))
    assert chooser.prompt is not None and chooser.prompt.node == "_language"
    names = [o.text.msgid for o in chooser.prompt.options]
    assert "العربية" in names and "Українська" in names
    chosen = await svc.handle("telegram", 7, ChoiceInput(chooser.prompt.token, "ar"))
    assert chosen.locale == "ar"
    assert chosen.prompt is not None
    started = await svc.handle("telegram", 7, ChoiceInput(chosen.prompt.token, "zelfmelding"))
    assert started.locale == "ar" and started.flow_id == "zelfmelding"


async def test_a_forged_button_changes_nothing(database: Database) -> None:
    svc = service(database)
    turn = await choose_flow(svc, "u", "zelfmelding")
    before = await svc.view("web", "u")
    forged = await svc.handle("web", "u", ChoiceInput("zz9", "yes"))
    after = await svc.view("web", "u")
    assert before is not None and after is not None
    assert after.prompt == before.prompt == forged.prompt
    assert turn.prompt is not None


async def test_a_crisis_before_the_flow_stays_marked_when_the_flow_starts(
    database: Database,
) -> None:
    """Regression: the next input on the start screen dropped the crisis mark."""
    svc = service(database)
    await svc.handle("web", "u", TextInput("ik wil dood"))
    chooser = await svc.handle("web", "u", TextInput("geen idee"))
    assert chooser.prompt is not None and chooser.prompt.entry
    started = await svc.handle("web", "u", ChoiceInput(chooser.prompt.token, "veldwerk"))
    assert started.flow_id == "veldwerk"
    async with database.unit_of_work(write=False) as uow:
        stored = await uow.conversations.load(svc.key("web", "u"))
    assert stored is not None and stored.state["session"]["crisis"] is True


async def test_a_start_screen_kept_from_before_the_entry_flow_goes_on(database: Database) -> None:
    """A conversation stored on the old start screen (stage "choose") after an
    upgrade: the entry flow takes over in its language, with its crisis marks."""
    svc = service(database)
    key = svc.key("web", "u")
    async with database.unit_of_work() as uow:
        await uow.conversations.save(
            key,
            flow_id="_start",
            flow_version="0",
            state={
                "stage": "choose",
                "choosing": "flow",
                "crisis": True,
                "crisis_marks": [{"category": "suicide", "at": "2026-12-01T10:00:00+00:00"}],
            },
            language="en",
            expires_at=database.clock() + timedelta(days=1),
            expected_version=None,
        )
    view = await svc.view("web", "u")
    assert view is not None and view.prompt is not None and view.prompt.entry
    started = await svc.handle("web", "u", ChoiceInput(view.prompt.token, "zelfmelding"))
    assert started.flow_id == "zelfmelding" and started.locale == "en"
    async with database.unit_of_work(write=False) as uow:
        stored = await uow.conversations.load(key)
    assert stored is not None
    session = stored.state["session"]
    assert session["crisis"] is True
    assert [m["category"] for m in session["crisis_marks"]] == ["suicide"]
