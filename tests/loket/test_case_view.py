"""The case page reads as plain Dutch (or English): every answer with its question's
label and the chosen option's text, the profile with its labels, dates as dates,
skipped answers in words, signs of danger as category and time, every contact
detail. No raw id of the screening profile or of a flow (field names, fact names,
option ids) is shown; those stay in the exports. Records from each flow: the golden
intakes through the conversation service, and one per option of every question."""

from __future__ import annotations

from dataclasses import fields

from babel.dates import format_date

from flows.engine.flow_format import QuestionType
from flows.screening_profile import FIELD_NAMES, ScreeningProfile
from locales import translator
from loket import labels
from loket.i18n import dashboard_translations
from storage.database import Database
from tests.factories.case_pages import (
    NOW,
    PERSON_EMAIL,
    PERSON_PHONE,
    PROFILE_CODES,
    RELEASE,
    SUBMITTER_EMAIL,
    SUBMITTER_PHONE,
    answered_facts,
    dutch_words,
    full_submission,
    intake_flows,
    raw_ids,
    shown_ids,
    turns,
    visible_text,
)
from tests.factories.dashboard import BASE, fresh_dashboard, populate
from tests.factories.databases import Backend
from tests.factories.intakes import FULL_INTAKES, intake


def test_every_profile_field_and_code_has_a_dutch_label() -> None:
    assert set(labels.PROFILE_FIELDS) == set(FIELD_NAMES)
    for name, codes in PROFILE_CODES.items():
        assert set(labels.PROFILE_VALUES[name]) == set(codes), name
    assert set(labels.PROFILE_VALUES) == set(PROFILE_CODES)


def test_the_check_finds_a_raw_id() -> None:
    ids = raw_ids() - dutch_words()
    assert {"sleeping_place", "public_space", "justice_contact", "living_situation"} <= ids
    assert shown_ids("Slaapplek sleeping_place: public_space", ids) == {
        "sleeping_place",
        "public_space",
    }
    assert shown_ids("Op straat of buiten", ids) == set()


async def test_case_pages_show_labels_and_no_raw_ids(database: Database, backend: Backend) -> None:
    golden = [await intake(database, backend, s, 7000 + i) for i, s in enumerate(FULL_INTAKES)]
    world = await populate(database, backend.clock)
    made: list[tuple[str, object]] = [(r.reference, None) for r in golden]
    async with database.unit_of_work() as uow:
        for flow in intake_flows():
            for turn in range(turns(flow)):
                record = await uow.pre_aanmeldingen.create(full_submission(flow, turn, NOW))
                made.append((record.reference, (flow, turn)))
    forbidden = raw_ids() - dutch_words()
    dashboard = await fresh_dashboard(world)
    async with dashboard.client:
        assert (await dashboard.login("coord")).status_code == 303
        for reference, source in made:
            page = await dashboard.client.get(f"{BASE}/p/{reference}")
            assert page.status_code == 200, page.text[:2000]
            text = visible_text(page.text)
            assert shown_ids(text, forbidden) == set(), (reference, source)
            if source is None:
                continue
            flow, turn = source  # type: ignore[misc]
            # Each kept answer: its question's label and the chosen option's text.
            for question in answered_facts(flow):
                label = {"role": "Functie aanmelder", "care_organisation_name": "Zorgorganisatie"}
                assert label.get(question.fact, question.label) in text, question.fact
                value = full_submission(flow, turn, NOW).answers[question.fact]
                if question.type == QuestionType.SINGLE_CHOICE and question.options:
                    chosen = question.option(value)
                    assert chosen is not None and chosen.text in text, (question.fact, value)
            # The profile: labels, value texts, a date as a date, lists joined.
            profile = full_submission(flow, turn, NOW).profile
            for item in fields(ScreeningProfile):
                if getattr(profile, item.name) is not None or item.name in (
                    "age",
                    "homeless_repeated",
                ):
                    assert labels.PROFILE_FIELDS[item.name] in text, item.name
            assert labels.PROFILE_VALUES["sleeping_place"][str(profile.sleeping_place)] in text
            assert labels.PROFILE_VALUES["household"][str(profile.household)] in text
            assert "Verslaving, Psychische problemen" in text
            assert format_date(RELEASE, "long", locale="nl") in text  # 1 februari 2025
            assert "17 mei 1990" in text
            # Skipped answers in words; signs of danger as category and time.
            assert f"{labels.PROFILE_FIELDS['age']} weet ik niet" in text
            assert f"{labels.PROFILE_FIELDS['homeless_repeated']} zegt liever niet" in text
            assert labels.CRISIS_CATEGORIES["command"] in text
            assert "3 mrt 2025, 10:30:00" in text
            # Every contact detail given.
            if flow.registration.submitter == "self":
                assert (PERSON_EMAIL if turn % 2 == 0 else PERSON_PHONE) in text
                assert "Contactvoorkeur " + ("E-mail" if turn % 2 == 0 else "Telefoon") in text
            else:
                assert f"Telefoon aanmelder {SUBMITTER_PHONE}" in text
                assert f"E-mail aanmelder {SUBMITTER_EMAIL}" in text
                assert "Naam aanmelder Sanne Janssen" in text
                assert "Organisatie aanmelder Radar" in text

        # The golden zelfmelding: the care organisation the person named.
        page = await dashboard.client.get(f"{BASE}/p/{golden[0].reference}")
        text = visible_text(page.text)
        assert "Zorgorganisatie Reclassering Nederland" in text
        assert "(Telegram, Nederlands)" in text
        assert "Al hulp van een zorgorganisatie ja" in text
        # The golden hulpverlener: the professional's role and e-mail address.
        page = await dashboard.client.get(f"{BASE}/p/{golden[1].reference}")
        text = visible_text(page.text)
        assert "Functie aanmelder Reclassering" in text
        assert "E-mail aanmelder sanne@reclassering.example" in text

        # In English: the flow's labels and options and the profile, translated.
        await dashboard.client.get(f"{BASE}/language/en?next={BASE}/queue")
        page = await dashboard.client.get(f"{BASE}/p/{golden[2].reference}")
        text = visible_text(page.text)
        english = dashboard_translations("en")
        flows_en = translator("en")
        assert english.gettext(labels.PROFILE_FIELDS["sleeping_place"]) in text
        assert english.gettext(labels.PROFILE_VALUES["sleeping_place"]["public_space"]) in text
        veldwerk = next(f for f in intake_flows() if f.id == "veldwerk")
        node = veldwerk.fact_question("support_answer")
        assert node is not None and node.question is not None
        assert flows_en.gettext(node.question.label) in text
        assert flows_en.gettext(node.question.option("intensive").text) in text  # type: ignore[union-attr]
        assert "February 1, 2025" in text
        assert "Slaapplek" not in text


async def test_a_persons_words_stay_words(database: Database, backend: Backend) -> None:
    world = await populate(database, backend.clock)
    flow = next(f for f in intake_flows() if f.id == "zelfmelding")
    new = full_submission(flow, 1, NOW)
    answers = {**new.answers, "care_organisation_name": "<b>Radar</b><script>x()</script>"}
    async with database.unit_of_work() as uow:
        record = await uow.pre_aanmeldingen.create(
            type(new)(**{**new.__dict__, "answers": answers})
        )
    dashboard = await fresh_dashboard(world)
    async with dashboard.client:
        await dashboard.login("coord")
        page = await dashboard.client.get(f"{BASE}/p/{record.reference}")
    assert "&lt;b&gt;Radar&lt;/b&gt;&lt;script&gt;x()&lt;/script&gt;" in page.text
    assert "<b>Radar" not in page.text
