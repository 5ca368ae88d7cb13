"""Every golden scenario of every flow, done through the chat page's own forms by a
browser without JavaScript: the same pre-aanmelding as through the service."""

from __future__ import annotations

import pytest

from storage.database import Database
from tests.factories.web_chat import ChatApp, PlainBrowser
from tests.scenario_files import Scenario, load_scenarios

SCENARIOS = load_scenarios()


async def stored(database: Database) -> list[object]:
    async with database.unit_of_work(write=False) as uow:
        return list(await uow.pre_aanmeldingen.find())


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
async def test_every_scenario_through_the_page(
    scenario: Scenario, web: ChatApp, browser: PlainBrowser
) -> None:
    web.clock.now = scenario.now.replace(tzinfo=web.clock.now.tzinfo)
    await browser.open()
    page = await browser.press(scenario.flow)
    for step in scenario.steps:
        page = await browser.step(step)
        assert browser.last is not None and browser.last.status_code == 200, page.notice
    records = await stored(web.database)
    if not scenario.submits:
        assert records == []
        return
    [record] = records
    assert record.recommended_product == scenario.product  # type: ignore[attr-defined]
    reference = record.reference  # type: ignore[attr-defined]
    assert any(reference in bubble.text for bubble in page.bubbles)
    # The way to the loket's messages later: this page, or the codes on another device.
    assert any("/chat/berichten" in bubble.text for bubble in page.bubbles)
    # The end: the answers are erased from the page's transcript; a new start is offered.
    assert page.said_by_me() == []
    assert page.forms_with("new-chat") and page.code is None
