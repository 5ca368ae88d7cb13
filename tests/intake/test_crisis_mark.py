"""A sign of danger reaches the stored pre-aanmelding for staff follow-up: its
category and time, never the words; and languages without a catalog get the numbers."""

from __future__ import annotations

from datetime import UTC

from flows.engine.inputs import LanguageInput, TextInput
from intake.conversation import ConversationService
from locales import render
from storage.database import Database
from tests.factories.databases import Backend
from tests.factories.intakes import replay, service
from tests.scenario_files import load_scenarios

SCENARIOS = load_scenarios()


async def test_the_crisis_mark_reaches_the_stored_case(
    backend: Backend, database: Database
) -> None:
    scenario = next(s for s in SCENARIOS if s.submits and s.flow == "zelfmelding")
    backend.clock.now = scenario.now.replace(tzinfo=UTC)
    svc: ConversationService = service(database)
    warned = await svc.handle("web", "u", TextInput("hij slaat me"))
    assert warned.crisis
    turn = await replay(svc, "u", scenario)
    assert turn.reference is not None
    async with database.unit_of_work(write=False) as uow:
        record = await uow.pre_aanmeldingen.get(turn.reference)
    assert record is not None and record.crisis_follow_up
    [sign] = record.answers["crisis_signs"]
    assert sign["category"] == "violence"
    assert sign["at"].startswith(scenario.now.date().isoformat())
    assert "slaat" not in str(record.answers)


async def test_a_language_without_catalog_gets_the_numbers_in_it(database: Database) -> None:
    svc = service(database)
    for inp in (TextInput("waxaan u baahanahay guri"), LanguageInput("ti")):
        turn = await svc.handle("web", f"u-{inp}", inp)
        said = " ".join(render(t) for m in turn.messages for t in m.texts)
        assert "112" in said and "0800-0113" in said
        assert turn.prompt is not None and not turn.crisis


async def test_the_crisis_word_in_another_language_works_before_the_flow(
    database: Database,
) -> None:
    turn = await service(database).handle("web", "u", TextInput("kryzys"))
    assert turn.crisis
