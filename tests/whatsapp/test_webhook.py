"""The webhook at /whatsapp/webhook: the verification handshake, the signature before
anything is read, the body cap, bodies that are not JSON or of an unknown shape,
another phone number id, a replayed message id, statuses (also for an unknown
message); on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from bot.whatsapp.signature import SIGNATURE_HEADER
from bot.whatsapp.webhook import MAX_BODY
from storage.database import Database
from storage.outbox_receipts import outbox_receipts
from storage.tables import ConversationSessionRow, OutboxMessageRow, ProcessedUpdateRow
from tests.factories.whatsapp import WhatsAppApp, whatsapp_app
from tests.fakes.whatsapp_webhook import (
    TEST_VERIFY_TOKEN,
    encode,
    envelope,
    new_message_id,
    post_webhook,
    signed_headers,
    status_update,
    text_message,
)

WA_ID = "31612345678"


async def _count(database: Database, table: type) -> int:
    async with database.unit_of_work(write=False) as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(table)) or 0)


async def _nothing_stored(world: WhatsAppApp) -> None:
    for table in (ConversationSessionRow, OutboxMessageRow, ProcessedUpdateRow):
        assert await _count(world.database, table) == 0, table.__name__


async def test_the_verification_handshake(tmp_path: Path, database: Database) -> None:
    async with whatsapp_app(tmp_path, database) as world:
        ok = await world.client.get(
            "/whatsapp/webhook",
            params={
                "hub.mode": "subscribe",
                "hub.verify_token": TEST_VERIFY_TOKEN,
                "hub.challenge": "1158201444",
            },
        )
        assert ok.status_code == 200
        assert ok.text == "1158201444"
        for params in (
            {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
            {
                "hub.mode": "unsubscribe",
                "hub.verify_token": TEST_VERIFY_TOKEN,
                "hub.challenge": "1",
            },
            {},
        ):
            refused = await world.client.get("/whatsapp/webhook", params=params)
            assert refused.status_code == 403
            assert "1" not in refused.text


async def test_a_forged_or_missing_signature_is_refused_and_nothing_stored(
    tmp_path: Path, database: Database
) -> None:
    async with whatsapp_app(tmp_path, database) as world:
        body = encode(envelope(messages=[text_message(WA_ID, "hallo")]))
        missing = await world.client.post("/whatsapp/webhook", content=body)
        assert missing.status_code == 401
        forged = await world.client.post(
            "/whatsapp/webhook", content=body, headers=signed_headers(body, "not-the-secret")
        )
        assert forged.status_code == 403
        # The signature of another body, and one without the sha256= prefix.
        other = signed_headers(encode({"object": "whatsapp_business_account"}))
        moved = await world.client.post("/whatsapp/webhook", content=body, headers=other)
        assert moved.status_code == 403
        bare = {SIGNATURE_HEADER: signed_headers(body)[SIGNATURE_HEADER].removeprefix("sha256=")}
        assert (
            await world.client.post("/whatsapp/webhook", content=body, headers=bare)
        ).status_code == 403
        await _nothing_stored(world)
        assert world.fake.sent() == []


async def test_a_body_too_large_or_not_json(tmp_path: Path, database: Database) -> None:
    async with whatsapp_app(tmp_path, database) as world:
        huge = b'{"object": "' + b"x" * (MAX_BODY + 1) + b'"}'
        too_large = await world.client.post(
            "/whatsapp/webhook", content=huge, headers=signed_headers(huge)
        )
        assert too_large.status_code == 413
        not_json = b"this is not json"
        answer = await world.client.post(
            "/whatsapp/webhook", content=not_json, headers=signed_headers(not_json)
        )
        assert answer.status_code == 400
        for shape in (
            {"hello": "world"},
            [1, 2],
            {"object": "page", "entry": []},
            {
                "object": "whatsapp_business_account",
                "entry": [{"changes": [{"field": "messages", "value": {"messages": "x"}}]}],
            },
        ):
            ignored = await post_webhook(world.client, shape)
            assert ignored.status_code == 200
        await _nothing_stored(world)


async def test_an_unknown_phone_number_id_is_ignored(tmp_path: Path, database: Database) -> None:
    async with whatsapp_app(tmp_path, database) as world:
        data = envelope(messages=[text_message(WA_ID, "hallo")], phone_number_id="999999")
        answer = await post_webhook(world.client, data)
        assert answer.status_code == 200
        await _nothing_stored(world)
        assert world.fake.sent() == []


async def test_a_replayed_message_id_counts_once(tmp_path: Path, database: Database) -> None:
    async with whatsapp_app(tmp_path, database) as world:
        person = world.person(WA_ID)
        message_id = new_message_id()
        await person.type("hallo", message_id=message_id)
        first = len(person.received())
        assert first >= 1
        for _ in range(3):  # Meta sends it again (no 200 seen in time, a restart)
            assert (
                await post_webhook(
                    world.client, envelope(messages=[text_message(WA_ID, "hallo", message_id)])
                )
            ).status_code == 200
        await person.settle()
        assert len(person.received()) == first
        assert await _count(world.database, ProcessedUpdateRow) == 1
        assert await _count(world.database, ConversationSessionRow) == 1


async def test_statuses_are_recorded_on_the_outbox_and_unknown_ones_ignored(
    tmp_path: Path, database: Database
) -> None:
    async with whatsapp_app(tmp_path, database) as world:
        person = world.person(WA_ID)
        await person.type("hallo")
        sent = person.last()
        async with world.database.unit_of_work(write=False) as uow:
            row = (
                await uow.session.scalars(
                    select(OutboxMessageRow).where(OutboxMessageRow.provider_message_id == sent.id)
                )
            ).one()
        for status in ("delivered", "sent", "read"):  # out of order: the furthest stays
            answer = await post_webhook(
                world.client, envelope(statuses=[status_update(sent.id, status)])
            )
            assert answer.status_code == 200
        async with world.database.unit_of_work(write=False) as uow:
            assert await outbox_receipts(uow).status_of(row.id) == "read"
        failed = status_update(sent.id, "failed", code=131047)
        assert (await post_webhook(world.client, envelope(statuses=[failed]))).status_code == 200
        async with world.database.unit_of_work(write=False) as uow:
            assert await outbox_receipts(uow).status_of(row.id) == "failed"
            again = await uow.session.get(OutboxMessageRow, row.id)
            assert again is not None and again.last_error == "whatsapp_131047"
        before = await _count(world.database, OutboxMessageRow)
        unknown = envelope(statuses=[status_update("wamid.NOT-OURS", "delivered")])
        assert (await post_webhook(world.client, unknown)).status_code == 200
        assert await _count(world.database, OutboxMessageRow) == before


async def test_webhook_bodies_are_logged_without_personal_data(
    tmp_path: Path, database: Database, caplog: object
) -> None:
    import logging

    assert hasattr(caplog, "set_level")
    caplog.set_level(logging.DEBUG)  # type: ignore[attr-defined]
    async with whatsapp_app(tmp_path, database) as world:
        person = world.person(WA_ID)
        await person.type("Mijn naam is Jansen")
        await post_webhook(
            world.client, envelope(messages=[text_message(WA_ID, "x")], phone_number_id="1")
        )
        await post_webhook(world.client, {"object": "whatsapp_business_account", "entry": "?"})
    logged = "\n".join(r.getMessage() for r in caplog.records)  # type: ignore[attr-defined]
    assert WA_ID not in logged
    assert "Jansen" not in logged
    assert json.dumps(WA_ID) not in logged
