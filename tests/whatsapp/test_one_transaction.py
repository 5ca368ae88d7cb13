"""The channel core runs one WhatsApp message in one unit of work: a typed answer, a
pressed button, a channel word, a photo and a repeat each open exactly one
transaction (the lock, the message id, the engine, the store and the outbox)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from bot.whatsapp.delivery import CHANNEL
from bot.whatsapp.intake import WhatsAppIntake
from bot.whatsapp.updates import Incoming
from intake.conversation import ConversationService
from storage.database import Database

WA_ID = "31611112222"


@contextmanager
def transactions(database: Database) -> Iterator[list[int]]:
    count = [0]

    def begun(connection: Any) -> None:
        count[0] += 1

    engine = database.engine.sync_engine
    event.listen(engine, "begin", begun)
    try:
        yield count
    finally:
        event.remove(engine, "begin", begun)


async def test_every_whatsapp_message_is_one_transaction(database: Database) -> None:
    service = ConversationService(database, secret_key="one-transaction")
    intake = WhatsAppIntake(service)
    number = iter(range(1, 100))

    def text(body: str) -> Incoming:
        return Incoming(f"wamid.T{next(number)}", WA_ID, "text", text=body)

    for incoming in (text("Hoi"), text("privacy"), text("mijn gegevens"), text("help")):
        with transactions(database) as count:
            queued = await intake.handle(incoming)
        assert count == [1], incoming.text
        assert queued > 0
    view = await service.view(CHANNEL, WA_ID)
    assert view is not None and view.prompt is not None
    pressed = Incoming("wamid.P1", WA_ID, "choice", reply_id=f"{view.prompt.token}:zelfmelding")
    photo = Incoming("wamid.M1", WA_ID, "unsupported")
    for incoming in (pressed, photo):
        with transactions(database) as count:
            assert await intake.handle(incoming) > 0
        assert count == [1], incoming.kind
    with transactions(database) as count:
        assert await intake.handle(pressed) == 0, "a repeat queues nothing"
    assert count == [1]
