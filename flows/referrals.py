"""The texts of referrals: where a person can go and how (`flows/data/referrals.yaml`)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from flows.data_files import load_yaml
from flows.texts import Text

__all__ = ["ReferralText", "referral_texts"]


@dataclass(frozen=True)
class ReferralText:
    id: str
    title: Text
    text: Text


@cache
def referral_texts() -> dict[str, ReferralText]:
    data = load_yaml("referrals.yaml")
    return {
        ref_id: ReferralText(ref_id, Text(entry["title"]), Text(entry["text"]))
        for ref_id, entry in data.items()
    }
