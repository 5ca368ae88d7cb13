"""What a registration gives the loket (shared/domain.md): a veldwerker's own details,
typed once per chat; a professional's phone and e-mail; the convenant status derived
from the organisation and the region; and channel-fit options."""

from __future__ import annotations

from typing import Any

from flows.engine.inputs import ChoiceInput, TextInput
from intake.conversation import ConversationService, StartInput, Turn
from storage.database import Database
from storage.erasure import Person, erase_person
from storage.remembered import remembered

SECRET = "details-test-secret"

VELDWERK = {
    "consent": "yes",
    "place": "Sittard",
    "living": "public_space",
    "age": "40",
    "problems": ["addiction", "psychiatric"],
    "support": "intensive",
    "justice": "none",
    "nuisance": "none",
    "phone": "no_phone",
    "veldwerker_name": "Sanne Janssen",
    "veldwerker_organisation": "Moveoo",
    "veldwerker_phone": "06-12345678",
}


async def run_flow(
    svc: ConversationService, channel: str, user: str, flow: str, answers: dict[str, Any]
) -> tuple[Turn, list[str]]:
    """Answer each question by its node id; submit at the summary. Returns the last
    turn and the nodes that were asked."""
    turn = await svc.handle(channel, user, StartInput())
    assert turn.prompt is not None
    turn = await svc.handle(channel, user, ChoiceInput(turn.prompt.token, flow))
    asked: list[str] = []
    while turn.prompt is not None:
        prompt = turn.prompt
        if prompt.kind == "summary":
            turn = await svc.handle(channel, user, ChoiceInput(prompt.token, "_submit"))
            continue
        asked.append(prompt.node)
        answer = answers[prompt.node]
        if isinstance(answer, list):
            for option in answer:
                turn = await svc.handle(channel, user, ChoiceInput(turn.prompt.token, option))  # type: ignore[union-attr]
            turn = await svc.handle(channel, user, ChoiceInput(turn.prompt.token, "_done"))  # type: ignore[union-attr]
        elif answer in {o.id for o in prompt.options}:
            turn = await svc.handle(channel, user, ChoiceInput(prompt.token, answer))
        else:
            turn = await svc.handle(channel, user, TextInput(answer))
        assert (
            turn.prompt is None
            or turn.prompt.node != prompt.node
            or prompt.kind == "multiple_choice"
        ), turn
    return turn, asked


async def test_a_veldwerker_types_their_own_details_once_per_chat(database: Database) -> None:
    svc = ConversationService(database, secret_key=SECRET)
    first, asked = await run_flow(svc, "telegram", 7, "veldwerk", VELDWERK)  # type: ignore[arg-type]
    assert {"veldwerker_name", "veldwerker_organisation", "veldwerker_phone"} <= set(asked)
    second, asked_again = await run_flow(
        svc,
        "telegram",
        7,
        "veldwerk",
        {**VELDWERK, "place": "Geleen"},  # type: ignore[arg-type]
    )
    assert not {"veldwerker_name", "veldwerker_organisation", "veldwerker_phone"} & set(asked_again)
    assert first.reference and second.reference
    async with database.unit_of_work(write=False) as uow:
        record = await uow.pre_aanmeldingen.get(second.reference)
    assert record is not None
    # "het loket neemt contact op via mij" reaches the veldwerker: the staff view has it.
    assert record.submitter.kind == "veldwerker"
    assert (record.submitter.name, record.submitter.organisation) == ("Sanne Janssen", "Moveoo")
    assert record.submitter.contact == "+31612345678"
    assert record.submitter.convenant_partner is True  # Moveoo, Westelijke Mijnstreek
    assert record.contact_preference == "via_submitter"
    # Another chat types them itself.
    _, other = await run_flow(svc, "telegram", 8, "veldwerk", VELDWERK)  # type: ignore[arg-type]
    assert "veldwerker_name" in other


async def test_remembered_details_are_encrypted_and_erased(database: Database) -> None:
    svc = ConversationService(database, secret_key=SECRET)
    await run_flow(svc, "telegram", 9, "veldwerk", VELDWERK)  # type: ignore[arg-type]
    key = svc.key("telegram", 9)
    async with database.unit_of_work(write=False) as uow:
        kept = await remembered(uow).load(key, "veldwerk")
        raw = (await uow.session.execute(_raw_details())).scalar_one()
    assert kept["veldwerker_name"] == "Sanne Janssen"
    assert b"Sanne" not in bytes(raw)
    async with database.unit_of_work() as uow:
        await erase_person(uow, Person("telegram", key.user_hash))
    async with database.unit_of_work(write=False) as uow:
        assert await remembered(uow).load(key, "veldwerk") == {}


def _raw_details() -> Any:
    from sqlalchemy import text

    return text("SELECT details FROM remembered_details")


HULPVERLENER = {
    "organisation": "Radar Uitvoering",
    "role": "begeleider",
    "client_consent": "yes",
    "client_name": "J. de Vries",
    "client_birth_date": "14-03-1985",
    "living": "family_friends",
    "municipality": "Hoensbroek",
    "ties_municipality": "same",
    "household": "alone",
    "homeless_months": "14",
    "homeless_repeated": "no",
    "problems": ["addiction", "debts"],
    "support_need": "intensive",
    "accepts_support": "yes",
    "registered_address": "yes",
    "health_insured": "yes",
    "nuisance": "none",
    "rent_arrears": "no",
    "justice_contact": "none",
    "professional_name": "Sanne Janssen",
    "professional_phone": "045-1234567",
    "professional_email": "sanne@radar.example",
}


async def _professional(database: Database, user: int, **changes: str) -> Any:
    svc = ConversationService(database, secret_key=SECRET)
    turn, asked = await run_flow(svc, "telegram", user, "hulpverlener", {**HULPVERLENER, **changes})  # type: ignore[arg-type]
    async with database.unit_of_work(write=False) as uow:
        record = await uow.pre_aanmeldingen.get(turn.reference)
    return record, asked


async def test_a_professionals_phone_and_email_both_reach_the_staff(database: Database) -> None:
    record, asked = await _professional(database, 20)
    assert "convenant_partner" not in asked  # derived, no longer asked
    assert record.submitter.contact == "+31451234567"
    assert record.submitter.email == "sanne@radar.example"
    assert record.submitter.convenant_partner is True  # Radar in Parkstad


async def test_a_professional_without_a_phone_gives_an_email(database: Database) -> None:
    record, asked = await _professional(
        database, 21, professional_phone="email_instead", professional_email_only="s@x.example"
    )
    assert "professional_email_only" in asked and "professional_email" not in asked
    assert (record.submitter.contact, record.submitter.email) == ("s@x.example", None)


async def test_convenant_is_derived_and_unknown_is_never_no(database: Database) -> None:
    maastricht, _ = await _professional(database, 22, municipality="Maastricht")
    assert maastricht.submitter.convenant_partner is False  # no convenant partners there
    other, _ = await _professional(database, 23, organisation="Stichting Onbekend")
    assert other.submitter.convenant_partner is False  # Parkstad's list decides
    vaals, _ = await _professional(database, 24, municipality="Vaals")
    assert vaals.submitter.convenant_partner is None  # Heuvelland: not known


async def test_the_chat_contact_option_only_where_the_loket_can_write_back(
    database: Database,
) -> None:
    svc = ConversationService(database, secret_key=SECRET)

    async def contact_options(channel: str, user: str) -> set[str]:
        answers = {
            "consent": "yes",
            "name": "Sam",
            "living": "own_home",
            "ambulant_support": "no",
            "municipality": "Heerlen",
            "ties_municipality": "same",
            "age": "30",
            "household": "alone",
            "problems": ["debts"],
            "support_need": "none",
            "care_organisation": "no",
            "registered_address": "yes",
            "health_insured": "yes",
            "nuisance": "none",
            "rent_arrears": "no",
            "justice_contact": "none",
        }
        turn = await svc.handle(channel, user, StartInput())
        assert turn.prompt is not None
        turn = await svc.handle(channel, user, ChoiceInput(turn.prompt.token, "zelfmelding"))
        while turn.prompt is not None and turn.prompt.node != "contact_preference":
            prompt = turn.prompt
            answer = answers[prompt.node]
            if isinstance(answer, list):
                for option in answer:
                    turn = await svc.handle(channel, user, ChoiceInput(prompt.token, option))
                turn = await svc.handle(channel, user, ChoiceInput(prompt.token, "_done"))
            elif answer in {o.id for o in prompt.options}:
                turn = await svc.handle(channel, user, ChoiceInput(prompt.token, answer))
            else:
                turn = await svc.handle(channel, user, TextInput(answer))
        assert turn.prompt is not None
        options = {o.id for o in turn.prompt.options}
        if "chat" not in options:
            # Typing the hidden option does not choose it either.
            typed = await svc.handle(channel, user, TextInput("chat"))
            assert typed.prompt is not None and typed.prompt.node == "contact_preference"
        return options

    assert "chat" in await contact_options("telegram", "30")
    assert "chat" in await contact_options("web", "31")  # the inbox (bot/web/inbox.py)
    assert "chat" not in await contact_options("console", "32")
