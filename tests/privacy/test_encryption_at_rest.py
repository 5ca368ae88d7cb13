"""Encryption at rest: after a complete intake in every flow (and halfway through one),
the raw SQLite and PostgreSQL tables hold no special-category value, free text, name,
phone number or reason in clear; without the key nothing can be read; a value cannot
be changed, moved to another column or read under another key."""

from __future__ import annotations

from typing import Any

import pytest

from locales import render
from storage.column_types import EncryptionNotConfigured, SensitiveValueCodec
from storage.database import Database
from storage.encryption import EncryptionKey, EncryptionKeyError, Keyring, UndecryptableValue
from storage.pre_aanmeldingen import PreAanmelding
from tests.factories.databases import Backend
from tests.factories.intakes import FULL_INTAKES, at_scenario_time, replay, service
from tests.factories.tables import keyring, needles, raw_dump
from tests.scenario_files import Scenario


async def _intake(database: Database, backend: Backend, scenario: Scenario) -> PreAanmelding:
    at_scenario_time(backend, scenario)
    svc = service(database)

    def outbox(turn: Any) -> list[dict[str, Any]]:  # a push channel's payloads, with answers
        return [{"text": " ".join(render(t, turn.locale) for t in m.texts)} for m in turn.messages]

    turn = await replay(svc, "person-1", scenario, channel="telegram", outbox=outbox)
    assert turn.reference is not None
    async with database.unit_of_work(write=False) as uow:
        record = await uow.pre_aanmeldingen.get(turn.reference)
    assert record is not None
    return record


@pytest.mark.parametrize("scenario", FULL_INTAKES, ids=[s.flow for s in FULL_INTAKES])
async def test_no_special_category_value_in_clear_after_a_full_intake(
    scenario: Scenario, backend: Backend, database: Database
) -> None:
    record = await _intake(database, backend, scenario)
    raw = await raw_dump(database)
    assert record.reference in raw  # the dump does see clear columns
    sought = needles(record)
    assert len(sought) >= 8, sought  # the intake did store sensitive values
    leaked = sorted(n for n in sought if n in raw)
    assert leaked == [], f"in clear in the database: {leaked}"


async def test_a_draft_halfway_is_encrypted_too(backend: Backend, database: Database) -> None:
    scenario = FULL_INTAKES[0]
    at_scenario_time(backend, scenario)
    await replay(service(database), "person-2", scenario, steps=9)
    raw = await raw_dump(database)
    assert "conversation_sessions" in raw
    typed = [s for s in scenario.steps[:9] if isinstance(s, str) and len(s) >= 5]
    assert typed and [s for s in typed if s in raw] == []
    assert "14 maart 2026" not in raw and "2026-03-14" not in raw


async def test_without_the_key_nothing_sensitive_can_be_read(
    backend: Backend, database: Database
) -> None:
    record = await _intake(database, backend, FULL_INTAKES[1])
    with keyring(None), pytest.raises(EncryptionNotConfigured, match="ENCRYPTION_KEY"):
        async with database.unit_of_work(write=False) as uow:
            await uow.pre_aanmeldingen.get(record.reference)
    other = Keyring(EncryptionKey(b"\x07" * 32))
    with keyring(other), pytest.raises(UndecryptableValue, match="not configured") as caught:
        async with database.unit_of_work(write=False) as uow:
            await uow.pre_aanmeldingen.get(record.reference)
    assert str(record.client_name) not in str(caught.value)


def test_the_envelope_names_its_key_and_refuses_tampering_and_moving() -> None:
    ring = SensitiveValueCodec.keyring()
    blob = ring.encrypt(b"verslaving", "pre_aanmeldingen.answers")
    assert blob.startswith(b"LH\x01") and b"verslaving" not in blob
    assert blob[3:11].hex() == ring.current.key_id
    assert ring.decrypt(blob, "pre_aanmeldingen.answers") == b"verslaving"
    assert ring.encrypt(b"verslaving", "x") != ring.encrypt(b"verslaving", "x")  # fresh nonce
    with pytest.raises(UndecryptableValue, match=r"staff_notes\.text"):
        ring.decrypt(blob, "staff_notes.text")  # pasted into another column
    tampered = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(UndecryptableValue, match="does not decrypt"):
        ring.decrypt(tampered, "pre_aanmeldingen.answers")
    with pytest.raises(UndecryptableValue, match="not encrypted"):
        ring.decrypt(b'{"story": "in clear"}', "pre_aanmeldingen.answers")


def test_an_old_key_still_reads_what_it_wrote() -> None:
    old, new = EncryptionKey(b"\x01" * 32), EncryptionKey(b"\x02" * 32)
    blob = Keyring(old).encrypt(b"detentie", "c")
    both = Keyring(new, [old])
    assert both.decrypt(blob, "c") == b"detentie"
    assert both.encrypt(b"detentie", "c")[3:11].hex() == new.key_id
    assert new.key_id != old.key_id and len(new.key_id) == 16


@pytest.mark.parametrize(
    "text", ["", "short", "x" * 44, "g" * 64, "AAAA"], ids=["empty", "short", "bad", "hex", "4b"]
)
def test_a_key_that_is_not_32_bytes_is_refused_without_echoing_it(text: str) -> None:
    with pytest.raises(EncryptionKeyError) as caught:
        EncryptionKey.from_text(text)
    assert "32 random bytes" in str(caught.value)
    if text:
        assert text not in str(caught.value)


def test_keys_in_base64_and_hex_are_the_same_key() -> None:
    material = bytes(range(32))
    import base64

    assert (
        EncryptionKey.from_text(base64.b64encode(material).decode()).key_id
        == EncryptionKey.from_text(base64.urlsafe_b64encode(material).decode().rstrip("=")).key_id
        == EncryptionKey.from_text(material.hex()).key_id
    )
    assert EncryptionKey(material).check_value != EncryptionKey(material).key_id
