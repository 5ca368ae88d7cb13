"""Intakes through the conversation service, replayed from the start screen: the
golden scenarios, and one per flow with health and justice facts, names and phone
numbers for the tests that look at what an intake leaves behind (privacy, erasure,
access copies, logs)."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from flows.engine.inputs import ChoiceInput
from intake.conversation import ConversationService, StartInput, Turn
from intake.privacy import PrivacyService
from locales import render
from storage.database import Database
from storage.pre_aanmeldingen import PreAanmelding
from tests.factories.databases import Backend
from tests.scenario_files import Scenario, load_scenarios, step_input

SECRET = "privacy-test-secret"
CHAT = 987654321  # the Telegram chat of `intake`
SCENARIOS = {s.name: s for s in load_scenarios()}
# One intake per flow, each with health and justice facts, names and phone numbers.
FULL_INTAKES = (
    SCENARIOS["zelfmelding/justitieel_detention"],
    SCENARIOS["hulpverlener/justitieel"],
    SCENARIOS["veldwerk/justitieel_released"],
)


def service(db: Database) -> ConversationService:
    return ConversationService(db, secret_key=SECRET)


def privacy(database: Database) -> PrivacyService:
    return PrivacyService(database, secret_key=SECRET)


async def replay(
    svc: ConversationService,
    user: str,
    scenario: Scenario,
    *,
    channel: str = "web",
    steps: int | None = None,
    outbox: Any = None,
) -> Turn:
    """The scenario's intake from the start (its first `steps` answers only)."""
    first = await svc.handle(channel, user, StartInput(), outbox=outbox)
    assert first.prompt is not None
    turn = await svc.handle(
        channel, user, ChoiceInput(first.prompt.token, scenario.flow), outbox=outbox
    )
    prompt = turn.prompt
    for step in scenario.steps[:steps]:
        turn = await svc.handle(channel, user, step_input(step, prompt), outbox=outbox)
        prompt = turn.prompt or prompt
    return turn


def at_scenario_time(where: Backend, scenario: Scenario) -> None:
    where.clock.now = scenario.now.replace(tzinfo=UTC)


def outbox_writer(turn: Any) -> list[dict[str, Any]]:
    return [{"text": " ".join(render(t, turn.locale) for t in m.texts)} for m in turn.messages]


async def intake(
    database: Database, backend: Backend, scenario: Scenario, chat: int
) -> PreAanmelding:
    """The scenario's intake, submitted in Telegram `chat` (its messages in the
    outbox), and viewed once by staff: the stored pre-aanmelding."""
    at_scenario_time(backend, scenario)
    turn = await replay(
        service(database), str(chat), scenario, channel="telegram", outbox=outbox_writer
    )
    assert turn.reference is not None
    async with database.unit_of_work() as uow:
        record = await uow.pre_aanmeldingen.get(turn.reference)
        await uow.audit.record("pre_aanmelding_viewed", "pre_aanmelding", turn.reference)
    assert record is not None
    return record


async def staff(database: Database) -> int:
    """A coordinator's id (made the first time)."""
    async with database.unit_of_work() as uow:
        user = await uow.staff.by_username("coor") or await uow.staff.create(
            "coor", password_hash="x", role="coordinator", regions=[]
        )
    return user.id
