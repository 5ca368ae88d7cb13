"""Exports of pre-aanmeldingen for the loket's reports (`intake export`).

One record per pre-aanmelding: when, how it came in (channel, submitter kind and
organisation, convenant partner), the bot's advice (region, product, eligible
products, referrals, rules version), the loket's handling (status, decision) and the
screening profile as the public spec (`shared/spec/screening-profile.md`, version 1).
Direct identifiers stay out: no client name, birth date, contact details, channel
user hash, free-text answers or staff notes.

CSV flattens lists with `;` and the profile into `profile_<field>` columns; a cell
that a spreadsheet would run as a formula gets a leading `'`.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from typing import Any, TextIO

from flows.screening_profile import FIELD_NAMES, PROFILE_VERSION
from storage.pre_aanmeldingen import PreAanmelding, PreAanmeldingFilter, PreAanmeldingStore

__all__ = [
    "EXPORT_COLUMNS",
    "export_pre_aanmeldingen",
    "export_record",
    "write_csv",
    "write_json",
]

_RECORD_FIELDS = (
    "reference",
    "created_at",
    "status",
    "channel",
    "language",
    "submitter_kind",
    "submitter_organisation",
    "submitter_convenant_partner",
    "region",
    "municipality",
    "recommended_product",
    "eligible_products",
    "referrals",
    "rules_version",
    "decided_product",
    "decided_referral",
    "crisis_follow_up",
    "consent_text_version",
    "consent_at",
    "profile_version",
)
EXPORT_COLUMNS = _RECORD_FIELDS + tuple(f"profile_{name}" for name in FIELD_NAMES)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def export_record(item: PreAanmelding) -> dict[str, Any]:
    """One pre-aanmelding as an export record (JSON-ready)."""
    return {
        "reference": item.reference,
        "created_at": item.created_at.isoformat(),
        "status": item.status.value,
        "channel": item.channel,
        "language": item.language,
        "submitter_kind": item.submitter.kind,
        "submitter_organisation": item.submitter.organisation,
        "submitter_convenant_partner": item.submitter.convenant_partner,
        "region": item.region,
        "municipality": item.municipality,
        "recommended_product": item.recommended_product,
        "eligible_products": list(item.eligible_products),
        "referrals": list(item.referrals),
        "rules_version": item.rules_version,
        "decided_product": item.decided_product,
        "decided_referral": item.decided_referral,
        "crisis_follow_up": item.crisis_follow_up,
        "consent_text_version": item.consent.text_version,
        "consent_at": item.consent.at.isoformat(),
        "profile_version": PROFILE_VERSION,
        "profile": item.profile.to_json(),
    }


async def export_pre_aanmeldingen(
    store: PreAanmeldingStore, where: PreAanmeldingFilter
) -> list[dict[str, Any]]:
    return [export_record(item) for item in await store.find(where)]


def write_json(records: Iterable[Mapping[str, Any]], stream: TextIO) -> None:
    """A JSON list of records, one per line inside the list, UTF-8 as is."""
    items = list(records)
    stream.write("[")
    for index, record in enumerate(items):
        stream.write("\n" if index == 0 else ",\n")
        stream.write(json.dumps(record, ensure_ascii=False, sort_keys=False))
    stream.write("\n]\n" if items else "]\n")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = ";".join(str(v) for v in value) if isinstance(value, list | tuple) else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_csv(records: Iterable[Mapping[str, Any]], stream: TextIO) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for record in records:
        profile = record.get("profile", {})
        row = [_cell(record.get(name)) for name in _RECORD_FIELDS]
        row.extend(_cell(profile.get(name)) for name in FIELD_NAMES)
        writer.writerow(row)
