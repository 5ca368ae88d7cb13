"""What the tables hold: every column of every table as stored (raw, as a thief with
the database file would see it) and as the application reads it (decrypted), row
counts, another keyring for a while, and the sensitive values of a pre-aanmelding
that must never be found in clear."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from sqlalchemy import inspect, select, text

from flows.texts import Text
from locales import render
from storage.column_types import SensitiveValueCodec
from storage.database import Database
from storage.encryption import Keyring
from storage.pre_aanmeldingen import PreAanmelding
from storage.tables import metadata


def _cell(value: Any) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("latin-1")  # plaintext in a blob would still show
    return str(value)


async def raw_dump(db: Database) -> str:
    """Every column of every table as stored, without the application's types."""
    parts: list[str] = []
    async with db.engine.connect() as connection:
        present = set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
        for table in metadata.sorted_tables:
            if table.name not in present:
                continue
            rows = await connection.execute(text(f'SELECT * FROM "{table.name}"'))
            for row in rows:
                parts.append(table.name + ": " + " | ".join(_cell(v) for v in row))
    return "\n".join(parts)


async def decrypted_dump(db: Database) -> str:
    """Every column of every table as the application reads it (decrypted)."""
    parts: list[str] = []
    async with db.engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in await connection.execute(select(table)):
                parts.append(table.name + ": " + " | ".join(_cell(v) for v in row))
    return "\n".join(parts)


async def row_counts(db: Database) -> dict[str, int]:
    counts = {}
    async with db.engine.connect() as connection:
        for table in metadata.sorted_tables:
            result = await connection.execute(text(f'SELECT count(*) FROM "{table.name}"'))
            counts[table.name] = int(result.scalar_one())
    return counts


@contextmanager
def keyring(value: Keyring | None) -> Iterator[None]:
    """Another keyring for a while (the process's test key afterwards)."""
    before = SensitiveValueCodec.keyring() if SensitiveValueCodec.configured() else None
    SensitiveValueCodec.configure(value)
    try:
        yield
    finally:
        SensitiveValueCodec.configure(before)


# Always special category in these intakes: never in clear, anywhere.
ALWAYS = ("detention", "addiction", "gevangenis", "justice_contact", "problems")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _reason_strings(reason: Text) -> Iterator[str]:
    yield reason.msgid[:40]
    yield render(reason, "nl")[:40]
    for param in reason.params.values():
        if isinstance(param, Text):
            yield from _reason_strings(param)
        elif isinstance(param, str):
            yield param


def needles(record: PreAanmelding) -> set[str]:
    """What must not be found in clear: the record's sensitive values, except values
    that legitimately sit in clear columns (municipality, region, organisation...)."""
    found = set(ALWAYS)
    found |= set(_strings(record.profile.to_json()))
    found |= set(_strings(dict(record.answers)))
    for value in (
        record.client_name,
        record.contact_address,
        record.submitter.name,
        record.submitter.contact,
        record.decision_reason,
    ):
        if value:
            found.add(value)
    for reason in record.reasons:
        found |= set(_reason_strings(reason))
    found |= set(record.referrals)
    clear = {
        record.municipality,
        record.region,
        record.submitter.organisation,
        record.reference,
        record.channel,
        record.language,
        record.recommended_product,
        record.status.value,
        record.submitter.kind,
    }
    return {n for n in found if len(n) >= 5 and n not in clear and not n.isdigit()}
