from __future__ import annotations

import json
from datetime import date

from flows.routing import recommend
from flows.screening_profile import ScreeningProfile
from flows.texts import Text
from storage.reasons import texts_from_json, texts_to_json


def test_reasons_survive_a_json_round_trip_with_nested_texts_dates_and_plurals() -> None:
    texts = (
        Text("Geen product."),
        Text(
            "{product} is er in {municipality} vanaf {date}.",
            {"product": Text("Housing First"), "municipality": "Vaals", "date": date(2025, 1, 1)},
        ),
        Text("{n} maand", {"n": 3}, plural="{n} maanden", count="n"),
    )
    stored = json.loads(json.dumps(texts_to_json(texts)))
    assert texts_from_json(stored) == texts


def test_reasons_of_a_real_recommendation_round_trip() -> None:
    profile = ScreeningProfile(
        municipality="Vaals",
        age=40,
        support_need="intensive",
        sleeping_place="public_space",
        problems=("addiction", "debts"),
        accepts_support=True,
    )
    advice = recommend(profile, date(2024, 6, 1))
    assert advice.reasons
    assert texts_from_json(json.loads(json.dumps(texts_to_json(advice.reasons)))) == advice.reasons
