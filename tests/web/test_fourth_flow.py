"""Adding a flow is data only: a fourth flow file (tests/fixtures/flows) is offered on
the start screen and completed through the web chat, and its submission is stored
with the professional's details its `registration` names. No Python changes."""

from __future__ import annotations

from pathlib import Path

from flows.engine.library import FlowLibrary, definition_files
from tests.factories.databases import FakeClock
from tests.factories.web_chat import SCENARIO_NOW, PlainBrowser, chat_app

FOURTH = Path(__file__).resolve().parents[1] / "fixtures" / "flows" / "woonbegeleider.yaml"


async def test_a_fourth_flow_is_offered_and_completed_in_the_web_chat(db_url: str) -> None:
    library = FlowLibrary.from_files([*definition_files(), FOURTH])
    made = chat_app(db_url, FakeClock(SCENARIO_NOW), library=library)
    browser = PlainBrowser(made.app)
    try:
        page = await browser.open()
        assert page.option_form("woonbegeleider") is not None  # offered, with its text
        assert "Voor een cliënt met ambulante begeleiding" in page.html
        await browser.press("woonbegeleider")
        await browser.press("yes")
        for typed in ("J.D.", "Heerlen"):
            await browser.type(typed)
        await browser.press("yes")
        for typed in ("Sanne Janssen", "Radar", "045-1234567"):
            await browser.type(typed)
        page = await browser.press("_submit")
        async with made.database.unit_of_work(write=False) as uow:
            [record] = await uow.pre_aanmeldingen.find()
        assert any(record.reference in bubble.text for bubble in page.bubbles)
        assert record.submitter.kind == "professional"
        assert (record.submitter.name, record.submitter.organisation) == ("Sanne Janssen", "Radar")
        assert record.submitter.contact == "+31451234567"
        assert record.submitter.convenant_partner is True  # Radar, in Parkstad
        assert record.client_name == "J.D."
        assert record.consent.text_version == "clientinformatie-1"
        assert record.consent.given_by == "submitter_for_client"
        assert record.recommended_product is None or record.recommended_product == "housing"
        assert "worker_name" not in record.answers  # identifying facts have their columns
    finally:
        await browser.close()
        await made.database.dispose()
