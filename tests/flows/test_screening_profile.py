"""The screening profile follows shared/spec/screening-profile.md exactly."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from flows.screening_profile import FIELD_NAMES, ProfileError, ScreeningProfile, parse_profile

FULL = {
    "municipality": "Sittard-Geleen",
    "age": 44,
    "sleeping_place": "institution",
    "institution": "detention",
    "ready_to_move_out": True,
    "eviction_threat": False,
    "ambulant_support_unsuitable_housing": False,
    "nuisance": "none",
    "rent_arrears": True,
    "detention_release_date": "2026-02-28",
    "justice_contact": "repeated",
    "homeless_months": 7,
    "homeless_repeated": True,
    "problems": ["debts", "addiction"],
    "support_need": "intensive",
    "accepts_support": True,
    # Version 1.1
    "household": "with_partner_and_children",
    "children": 2,
    "registered_address": False,
    "health_insured": True,
    "care_organisation": False,
}


def test_field_names_are_the_spec_fields() -> None:
    assert set(FIELD_NAMES) == set(FULL)


def test_full_profile_round_trips_to_spec_json() -> None:
    profile = parse_profile(FULL)
    assert profile.detention_release_date == date(2026, 2, 28)
    assert profile.problems == ("addiction", "debts")
    assert parse_profile(profile.to_json()) == profile
    assert profile.to_json()["problems"] == ["addiction", "debts"]


def test_every_field_is_optional_and_null_means_unknown() -> None:
    assert parse_profile({}) == ScreeningProfile()
    assert parse_profile(dict.fromkeys(FULL)) == ScreeningProfile()


@pytest.mark.parametrize(
    ("data", "field", "says"),
    [
        ({"postcode": "6411"}, "postcode", "unknown field"),
        ({"age": "44"}, "age", "expected a whole number"),
        ({"age": True}, "age", "expected a whole number"),
        ({"age": 44.5}, "age", "expected a whole number"),
        ({"age": -1}, "age", "out of range"),
        (
            {"sleeping_place": "tent"},
            "sleeping_place",
            "unknown value 'tent'; expected one of public_space",
        ),
        ({"institution": 3}, "institution", "expected one of beschermd_wonen"),
        (
            {"nuisance": "loud"},
            "nuisance",
            "expected one of none, current_tenancy, til_registration",
        ),
        ({"justice_contact": "often"}, "justice_contact", "expected one of none, once, repeated"),
        ({"support_need": "some"}, "support_need", "expected one of none, light, intensive"),
        ({"accepts_support": "yes"}, "accepts_support", "expected true or false"),
        ({"rent_arrears": 1}, "rent_arrears", "expected true or false"),
        (
            {"detention_release_date": "2026-02-30"},
            "detention_release_date",
            "not a date that exists",
        ),
        ({"detention_release_date": "30-01-2026"}, "detention_release_date", "YYYY-MM-DD"),
        ({"detention_release_date": 20260101}, "detention_release_date", "YYYY-MM-DD"),
        ({"problems": "addiction"}, "problems", "expected a list"),
        ({"problems": ["gambling"]}, "problems", "unknown value 'gambling'"),
        ({"municipality": 6411}, "municipality", "expected a text"),
        ({"municipality": "  "}, "municipality", "empty"),
        # Version 1.1 fields
        (
            {"household": "family"},
            "household",
            "unknown value 'family'; expected one of alone, with_partner, with_children, "
            "with_partner_and_children",
        ),
        ({"household": 2}, "household", "expected one of alone"),
        ({"children": "2"}, "children", "expected a whole number from 0 to 30, got str"),
        ({"children": -1}, "children", "out of range"),
        ({"children": 1.5}, "children", "expected a whole number"),
        ({"registered_address": "no"}, "registered_address", "expected true or false, got str"),
        ({"health_insured": 0}, "health_insured", "expected true or false, got int"),
        ({"care_organisation": "ja"}, "care_organisation", "expected true or false"),
    ],
)
def test_bad_values_name_the_field_and_what_it_accepts(
    data: dict[str, Any], field: str, says: str
) -> None:
    with pytest.raises(ProfileError) as caught:
        parse_profile(data)
    [problem] = caught.value.problems
    assert problem.field == field
    assert says in problem.message


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ProfileError) as caught:
        parse_profile({"age": "x", "nuisance": "loud", "extra": 1})
    assert {p.field for p in caught.value.problems} == {"age", "nuisance", "extra"}


@pytest.mark.parametrize("data", [[], "profile", 3, None])
def test_not_an_object(data: Any) -> None:
    with pytest.raises(ProfileError, match="expected a JSON object"):
        parse_profile(data)


def test_version_is_1_1_and_a_version_1_profile_is_valid() -> None:
    from flows.screening_profile import PROFILE_VERSION

    assert PROFILE_VERSION == "1.1"
    version_1 = {k: v for k, v in FULL.items() if k not in _NEW_IN_1_1}
    assert parse_profile(version_1).household is None


_NEW_IN_1_1 = ("household", "children", "registered_address", "health_insured", "care_organisation")
