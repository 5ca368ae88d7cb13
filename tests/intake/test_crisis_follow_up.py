"""Crisis follow-up through the conversation service: a sign of danger at a known
question reaches the crisis queue with its category, time and question (never the
words) also when the person leaves without submitting; a typed phone makes it one to
follow up, no contact makes it a count per region and week that survives the purge;
ordinary steps write nothing; a stop takes the contact along, as the person is told;
the person's access copy shows what is kept."""

from __future__ import annotations

from sqlalchemy import text

from flows.engine.inputs import ChoiceInput, Input, TextInput
from intake.access_copy_text import copy_text
from intake.conversation import ConversationService, StartInput, Turn
from locales import render
from storage.crisis_signs import CrisisFollowUp, crisis_signs, iso_week
from storage.database import Database
from storage.retention import RetentionPolicy, purge
from tests.factories.databases import FakeClock
from tests.factories.intakes import SCENARIOS, privacy, service
from tests.scenario_files import step_input

EVICTION = SCENARIOS["zelfmelding/housing_eviction_threat"]
AT_MUNICIPALITY = 3  # consent, name and living situation answered: "Waar ben je nu?"
BEFORE_SUBMIT = len(EVICTION.steps) - 1  # the phone typed, the summary open
DANGER = "ik wil niet meer leven"
BERT_LAST_SEEN = text(
    "SELECT last_seen FROM crisis_signs WHERE region = 'parkstad' AND contact_kind = 'none'"
)


class Person:
    """One person in the web chat (or Telegram), a minute per input."""

    def __init__(
        self, svc: ConversationService, clock: FakeClock, user: str, channel: str = "web"
    ) -> None:
        self.svc, self.clock, self.user, self.channel = svc, clock, user, channel
        self.turn: Turn | None = None

    async def send(self, inp: Input | StartInput) -> Turn:
        self.clock.advance(minutes=1)
        self.turn = await self.svc.handle(self.channel, self.user, inp)
        return self.turn

    async def choose_flow(self) -> None:
        first = await self.send(StartInput())
        assert first.prompt is not None
        await self.send(ChoiceInput(first.prompt.token, EVICTION.flow))

    async def answer(self, start: int, stop: int) -> None:
        for step in EVICTION.steps[start:stop]:
            assert self.turn is not None
            await self.send(step_input(step, self.turn.prompt))


async def queue(database: Database) -> list[CrisisFollowUp]:
    async with database.unit_of_work(write=False) as uow:
        return await crisis_signs(uow).to_follow_up(None)


async def test_abandoned_conversations_reach_the_queue_or_the_weekly_count(
    database: Database, clock: FakeClock
) -> None:
    svc = service(database)
    # Anna: a sign at the municipality question, then every answer up to her phone.
    anna = Person(svc, clock, "anna")
    await anna.choose_flow()
    await anna.answer(0, AT_MUNICIPALITY)
    assert anna.turn is not None and anna.turn.prompt is not None
    asked = anna.turn.prompt
    warned = await anna.send(TextInput(DANGER))
    said = " ".join(render(t) for m in warned.messages for t in m.texts)
    # What she is told stays true: no emergency service, no promise of a call.
    assert warned.crisis and "geen noodhulp" in said and "113" in said
    assert "medewerker" not in said and "contact met je" not in said
    sign_at = clock()
    await anna.answer(AT_MUNICIPALITY, BEFORE_SUBMIT)
    phone_typed_at = clock()
    # Bert: a sign at the same question, then the municipality, then he leaves.
    bert = Person(svc, clock, "bert")
    await bert.choose_flow()
    await bert.answer(0, AT_MUNICIPALITY)
    await bert.send(TextInput(DANGER))
    await bert.answer(AT_MUNICIPALITY, AT_MUNICIPALITY + 1)  # "Kerkrade": Parkstad
    region_known_at = clock()
    await bert.answer(AT_MUNICIPALITY + 1, AT_MUNICIPALITY + 4)  # ordinary steps
    # Cas, on Telegram a week later: a sign before any question of a flow.
    clock.advance(days=7)
    cas = Person(svc, clock, "4242", channel="telegram")
    await cas.send(StartInput())
    await cas.send(TextInput("hij slaat me"))
    # Dirk, in the web chat the same day: the same, nothing else.
    dirk = Person(svc, clock, "dirk")
    await dirk.send(StartInput())
    await dirk.send(TextInput("hij slaat me"))

    rows = {row.channel + ":" + row.contact_kind: row for row in await queue(database)}
    assert set(rows) == {"web:phone", "telegram:chat"}
    follow_anna = rows["web:phone"]
    assert follow_anna.contact == "+31612345678"
    assert follow_anna.region == "parkstad" and follow_anna.reference is None
    [sign] = follow_anna.signs
    assert sign == {
        "category": "suicide",
        "at": sign_at.isoformat(),
        "node": asked.node,
        "flow": "zelfmelding",
    }
    assert asked.node == "municipality"
    assert follow_anna.last_seen == phone_typed_at  # the last change: the phone typed
    assert DANGER not in str(follow_anna)
    [cas_sign] = rows["telegram:chat"].signs
    assert cas_sign["category"] == "violence" and cas_sign["flow"] == "start"
    # Bert and Dirk cannot be reached: counted, by hand: Parkstad in the first week,
    # region unknown in the next.
    async with database.unit_of_work(write=False) as uow:
        weekly = await crisis_signs(uow).weekly_counts(None)
        bert_seen = (await uow.session.execute(BERT_LAST_SEEN)).scalar_one()
    first_week, next_week = iso_week(sign_at), iso_week(clock())
    assert first_week != next_week
    counted = {(c.region, c.week, c.conversations) for c in weekly}
    assert counted == {("parkstad", first_week, 1), (None, next_week, 1)}
    # Ordinary steps after the region was known wrote nothing.
    assert str(bert_seen)[:19] == str(region_known_at.replace(tzinfo=None))[:19]

    # A month on, every conversation has run out: the purge erases the rows and the
    # phone, and the counts stay.
    clock.advance(days=31)
    async with database.unit_of_work() as uow:
        counts = await purge(uow, RetentionPolicy())
    assert counts["conversation_sessions"] == 4 and counts["crisis_signs"] == 4
    assert await queue(database) == []
    async with database.unit_of_work(write=False) as uow:
        kept = await crisis_signs(uow).weekly_counts(None)
    after = {(c.region, c.week, c.conversations) for c in kept}
    assert after == counted


async def test_a_submission_links_the_row_and_a_stop_takes_the_contact_along(
    database: Database, clock: FakeClock
) -> None:
    svc = service(database)
    eva = Person(svc, clock, "eva")
    await eva.choose_flow()
    await eva.answer(0, AT_MUNICIPALITY)
    await eva.send(TextInput(DANGER))
    await eva.answer(AT_MUNICIPALITY, len(EVICTION.steps))
    assert eva.turn is not None and eva.turn.reference is not None
    [row] = await queue(database)
    assert row.reference == eva.turn.reference and row.contact_kind == "phone"

    fred = Person(svc, clock, "fred")
    await fred.choose_flow()
    await fred.answer(0, AT_MUNICIPALITY)
    await fred.send(TextInput(DANGER))
    await fred.answer(AT_MUNICIPALITY, BEFORE_SUBMIT)
    assert {r.contact_kind for r in await queue(database)} == {"phone"}
    assert len(await queue(database)) == 2
    stopped = await fred.send(TextInput("stop"))
    assert stopped.prompt is not None  # "are you sure?"
    await fred.send(ChoiceInput(stopped.prompt.token, "yes"))
    [left] = await queue(database)  # Fred's row has no contact any more: counted
    assert left.reference == eva.turn.reference
    async with database.unit_of_work(write=False) as uow:
        weekly = await crisis_signs(uow).weekly_counts(None)
    assert [(c.region, c.conversations) for c in weekly] == [("parkstad", 1)]


async def test_an_ordinary_conversation_writes_no_crisis_row(
    database: Database, clock: FakeClock
) -> None:
    svc = service(database)
    gina = Person(svc, clock, "gina")
    await gina.choose_flow()
    await gina.answer(0, BEFORE_SUBMIT)
    async with database.unit_of_work(write=False) as uow:
        stored = await uow.conversations.load(svc.key("web", "gina"))
    assert stored is not None and "crisis_seen" not in stored.state
    assert await queue(database) == []


async def test_the_access_copy_shows_the_signs_kept_after_the_conversation_ended(
    database: Database, clock: FakeClock
) -> None:
    svc = service(database)
    hans = Person(svc, clock, "hans")
    await hans.choose_flow()
    await hans.answer(0, AT_MUNICIPALITY)
    await hans.send(TextInput(DANGER))
    await hans.answer(AT_MUNICIPALITY, BEFORE_SUBMIT)
    clock.advance(days=31)  # the conversation runs out; its crisis row is not purged yet
    async with database.unit_of_work() as uow:
        await uow.session.execute(text("DELETE FROM conversation_sessions"))
    copy = copy_text(await privacy(database).copy_for_chat("web", "hans"), "nl")
    assert "SIGNALEN VAN NOOD IN JE GESPREK" in copy
    assert "gedachten aan zelfdoding, bij de vraag: Plaats" in copy
    assert "+31612345678" in copy and DANGER not in copy
    english = copy_text(await privacy(database).copy_for_chat("web", "hans"), "en")
    assert "thoughts of suicide, at the question: Place" in english


async def test_a_conversation_moved_to_the_web_chat_takes_its_row_along(
    database: Database, clock: FakeClock
) -> None:
    svc = service(database)
    ivo = Person(svc, clock, "5151", channel="telegram")
    await ivo.choose_flow()
    await ivo.answer(0, AT_MUNICIPALITY)
    await ivo.send(TextInput(DANGER))
    [before] = await queue(database)
    assert (before.channel, before.contact_kind) == ("telegram", "chat")
    async with database.unit_of_work() as uow:
        moved = await svc.take_over(uow, svc.key("telegram", "5151"), "web", "ivo-web")
    assert moved is not None
    web = Person(svc, clock, "ivo-web")
    web.turn = await svc.view("web", "ivo-web")
    await web.answer(AT_MUNICIPALITY, AT_MUNICIPALITY + 1)
    async with database.unit_of_work(write=False) as uow:
        rows = await crisis_signs(uow).for_chat("web", svc.key("web", "ivo-web").user_hash)
        left = await crisis_signs(uow).for_chat("telegram", svc.key("telegram", "5151").user_hash)
    [row] = rows
    assert left == []
    # The web chat is not a channel the loket writes to: nobody can reach Ivo now.
    assert (row.contact_kind, row.region, row.signs) == ("none", "parkstad", before.signs)
