"""The crisis queue page (`/crisis`): each sign's category, time and question label
(staff language), never the words typed; the region scope (no region: staff of every
region only); the contact to follow up and the "opgevolgd" action, audited; the
weekly count of those nobody can reach; everything escaped."""

from __future__ import annotations

from flows.engine.inputs import ChoiceInput, TextInput
from flows.engine.library import flow_library
from intake.conversation import StartInput
from loket.crisis_view import question_label
from storage.audit import AuditFilter
from storage.conversations import ConversationKey
from storage.crisis_signs import CrisisSigns, crisis_signs
from tests.factories.dashboard import BASE, Dashboard, World
from tests.factories.intakes import SCENARIOS, service
from tests.scenario_files import step_input

EVICTION = SCENARIOS["zelfmelding/housing_eviction_threat"]  # Kerkrade: Parkstad
TYPED = "ik wil niet meer leven <b>Ria</b>"
HOSTILE = "<img src=x onerror=alert(1)>"


async def abandoned_with_phone(world: World, user: str) -> None:
    """A web chat intake: a sign at the municipality question, then every answer up
    to the phone number; never submitted."""
    svc = service(world.database)
    turn = await svc.handle("web", user, StartInput())
    assert turn.prompt is not None
    turn = await svc.handle("web", user, ChoiceInput(turn.prompt.token, "zelfmelding"))
    steps = list(EVICTION.steps)
    for index, step in enumerate(steps[:-1]):
        if index == 3:
            world.clock.advance(minutes=1)
            assert (await svc.handle("web", user, TextInput(TYPED))).crisis
        turn = await svc.handle("web", user, step_input(step, turn.prompt))


async def record(world: World, key: ConversationKey, what: CrisisSigns) -> None:
    async with world.database.unit_of_work() as uow:
        await crisis_signs(uow).record(key, world.clock(), what)


async def seed(world: World) -> None:
    await abandoned_with_phone(world, "ria")
    sign = {"category": "violence", "at": world.clock().isoformat(), "node": "municipality"}
    maastricht = CrisisSigns(
        "zelfmelding", [sign], contact_kind="email", contact=HOSTILE, region="maastricht"
    )
    await record(world, ConversationKey("web", "m" * 64), maastricht)
    nowhere = CrisisSigns("zelfmelding", [sign], contact_kind="phone", contact="+31600000009")
    await record(world, ConversationKey("web", "n" * 64), nowhere)
    unreachable = CrisisSigns("zelfmelding", [sign], region="parkstad")
    await record(world, ConversationKey("web", "u" * 64), unreachable)
    await record(world, ConversationKey("web", "v" * 64), unreachable)


async def test_the_page_shows_when_and_where_never_the_words(dashboard: Dashboard) -> None:
    world = dashboard.world
    await seed(world)
    await dashboard.login("park")
    page = await dashboard.client.get(BASE + "/crisis")
    assert page.status_code == 200
    text = page.text
    for expected in (
        "Gedachten aan zelfdoding",  # the category, in Dutch
        "Bij de vraag: Plaats",  # the question's label from the flow
        "+31612345678",  # the phone typed, to follow up
        "Niet verstuurd",
        "Parkstad",
    ):
        assert expected in text, expected
    assert "niet meer leven" not in text and "Ria" not in text  # never the words
    assert "Maastricht" not in text.split('id="unreachable"')[0]  # another region
    assert "+31600000009" not in text  # no region: staff of every region only
    unreachable = text.split('id="unreachable"')[1]
    assert "<td>2</td>" in unreachable.replace(" ", "")  # the two nobody can reach
    async with world.database.unit_of_work(write=False) as uow:
        [viewed] = await uow.audit.find(AuditFilter(action="crisis_queue_viewed"))
    assert viewed.staff_user_id == world.accounts["park"].id
    assert len(viewed.details["rows"]) == 1


async def test_staff_of_every_region_see_all_and_everything_is_escaped(
    dashboard: Dashboard,
) -> None:
    await seed(dashboard.world)
    await dashboard.login("coord")
    text = (await dashboard.client.get(BASE + "/crisis")).text
    assert "+31600000009" in text and "+31612345678" in text
    assert HOSTILE not in text and "&lt;img src=x onerror=alert(1)&gt;" in text
    assert "Geweld" in text and "Onbekend" in text


async def test_the_question_label_follows_the_staff_language(dashboard: Dashboard) -> None:
    await seed(dashboard.world)
    await dashboard.login("park")
    await dashboard.client.get(BASE + "/language/en?next=/loket/crisis")
    text = (await dashboard.client.get(BASE + "/crisis")).text
    assert "Place" in text and "Bij de vraag: Plaats" not in text


async def test_marking_a_row_handled_is_audited_and_bound_to_the_region(
    dashboard: Dashboard,
) -> None:
    world = dashboard.world
    await seed(world)
    async with world.database.unit_of_work(write=False) as uow:
        rows = {r.region: r for r in await crisis_signs(uow).to_follow_up(None)}
    ria, maas = rows["parkstad"], rows["maastricht"]
    await dashboard.login("park")
    refused = await dashboard.post(f"/crisis/{maas.id}/handled", {}, page="/crisis")
    assert refused.status_code == 404
    done = await dashboard.post(f"/crisis/{ria.id}/handled", {}, page="/crisis")
    assert done.status_code == 303
    page = await dashboard.client.get(BASE + "/crisis?done=handled")
    assert "Gemarkeerd als opgevolgd." in page.text
    assert f"/crisis/{ria.id}/handled" not in page.text  # no button any more
    async with world.database.unit_of_work(write=False) as uow:
        [event] = await uow.audit.find(AuditFilter(action="crisis_follow_up_done"))
        handled = await crisis_signs(uow).get(ria.id, None)
    assert event.subject_id == str(ria.id) and event.staff_user_id == world.accounts["park"].id
    assert handled is not None and handled.handled_by == world.accounts["park"].id
    forged = await dashboard.client.post(BASE + f"/crisis/{ria.id}/handled", data={})
    assert forged.status_code == 403


async def test_only_case_staff_open_the_page(dashboard: Dashboard) -> None:
    await dashboard.login("beheer")
    assert (await dashboard.client.get(BASE + "/crisis")).status_code == 403


def test_a_sign_names_its_question_or_says_why_it_cannot() -> None:
    library = flow_library()
    assert question_label(library, "zelfmelding", "municipality", "nl") == ("Plaats", True)
    assert question_label(library, "zelfmelding", "municipality", "en") == ("Place", True)
    assert question_label(library, "zelfmelding", None, "nl") == ("Voor de eerste vraag", False)
    assert question_label(library, None, None, "nl") == ("Niet bekend", False)  # an old mark
    gone = question_label(library, "zelfmelding", "no_such_node", "nl")
    assert gone == ("Een vraag die niet meer bestaat", False)
