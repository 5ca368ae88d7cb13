"""Routing policy of shared/domain.md: conditions, precedence, reasons and referrals."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from flows.regions import region_data
from flows.routing import recommend
from flows.screening_profile import ScreeningProfile
from locales import render

ON = date(2026, 6, 1)  # every product is offered in Parkstad on this date
BASE = ScreeningProfile(municipality="Heerlen", age=35)


def advise(**facts: object) -> tuple[str | None, tuple[str, ...]]:
    advice = recommend(replace(BASE, **facts), ON)  # type: ignore[arg-type]
    return advice.product, advice.eligible


def reasons(**facts: object) -> list[str]:
    return [render(r) for r in recommend(replace(BASE, **facts), ON).reasons]  # type: ignore[arg-type]


JUSTITIEEL = {
    "institution": "detention",
    "sleeping_place": "institution",
    "support_need": "intensive",
}
FIRST = {
    "sleeping_place": "public_space",
    "problems": ("addiction", "psychiatric"),
    "support_need": "intensive",
}
PLUS = {"sleeping_place": "own_home", "nuisance": "til_registration"}
HOUSING = {"sleeping_place": "family_friends", "support_need": "light"}


# --- Housing Justitieel ---------------------------------------------------------------


@pytest.mark.parametrize(
    "justice",
    [
        {"institution": "detention"},
        {"detention_release_date": date(2026, 9, 1)},  # in the future
        {"detention_release_date": date(2025, 6, 1)},  # exactly 12 months ago
        {"justice_contact": "repeated"},
    ],
)
def test_justitieel_holds_for_each_kind_of_justice_contact(justice: dict[str, object]) -> None:
    product, _ = advise(support_need="intensive", sleeping_place="family_friends", **justice)
    assert product == "housing_justitieel"


@pytest.mark.parametrize(
    "justice",
    [
        {"detention_release_date": date(2025, 5, 31)},  # more than 12 months ago
        {"justice_contact": "once"},
        {"justice_contact": "none"},
        {"institution": "ggz"},
        {},  # nothing known
    ],
)
def test_justitieel_needs_recent_or_repeated_justice_contact(justice: dict[str, object]) -> None:
    _, eligible = advise(support_need="intensive", sleeping_place="institution", **justice)
    assert "housing_justitieel" not in eligible


@pytest.mark.parametrize("support", ["light", "none", None])
def test_justitieel_needs_intensive_support(support: str | None) -> None:
    _, eligible = advise(**{**JUSTITIEEL, "support_need": support})
    assert "housing_justitieel" not in eligible


# --- Housing First -------------------------------------------------------------------


@pytest.mark.parametrize(
    "place",
    ["public_space", "emergency_shelter", "homeless_accommodation"],
)
def test_housing_first_for_every_roofless_ethos_category(place: str) -> None:
    # Dakloos now (ETHOS 1-3): how long does not matter.
    facts = {**FIRST, "sleeping_place": place, "homeless_months": 0, "homeless_repeated": False}
    assert advise(**facts)[0] == "housing_first"


@pytest.mark.parametrize("place", ["non_conventional", "family_friends"])
@pytest.mark.parametrize(
    ("history", "fits"),
    [
        ({"homeless_months": 12}, True),  # a year: long
        ({"homeless_months": 11, "homeless_repeated": False}, False),
        ({"homeless_repeated": True, "homeless_months": 1}, True),  # repeated
        ({"homeless_repeated": False, "homeless_months": 2}, False),
        ({}, False),  # not known: a condition on an unknown fact does not hold
    ],
)
def test_housing_first_for_houseless_only_after_long_or_repeated_homelessness(
    place: str, history: dict[str, object], fits: bool
) -> None:
    # Thuisloos now (camper, family or friends): Housing First after long or repeated
    # homelessness only (domain.md routing policy 2; seed 003 par. 3.4.4).
    eligible = advise(**{**FIRST, "sleeping_place": place, **history})[1]
    assert ("housing_first" in eligible) is fits


def test_young_person_at_family_for_two_months_is_not_housing_first_today() -> None:
    facts = {
        "age": 22,
        "sleeping_place": "family_friends",
        "homeless_months": 2,
        "homeless_repeated": False,
        "problems": ("somatic", "debts"),
        "support_need": "intensive",
    }
    product, eligible = advise(**facts)
    assert product == "housing" and "housing_first" not in eligible
    # The bot says so, and why.
    said = reasons(**facts)
    first = "Housing First is voor mensen die buiten of in de opvang slapen."
    assert any(t.startswith(first) for t in said), said
    assert any("Daarom is Housing First nu niet ons advies." in t for t in said)
    # Asked about someone else, the same sentence and no "je".
    about = recommend(replace(BASE, **facts), ON, audience="about")  # type: ignore[arg-type]
    assert all(" je " not in f" {render(r)} " for r in about.reasons), about.reasons


@pytest.mark.parametrize("place", ["institution", "own_home", None])
def test_housing_first_not_in_an_institution_or_own_home(place: str | None) -> None:
    assert "housing_first" not in advise(**{**FIRST, "sleeping_place": place})[1]


@pytest.mark.parametrize("problems", [(), ("addiction",), None])
def test_housing_first_needs_two_problems(problems: tuple[str, ...] | None) -> None:
    assert "housing_first" not in advise(**{**FIRST, "problems": problems})[1]


def test_housing_first_needs_intensive_support() -> None:
    assert "housing_first" not in advise(**{**FIRST, "support_need": "light"})[1]
    assert "housing_first" not in advise(**{**FIRST, "support_need": None})[1]


def test_long_and_repeated_homelessness_are_named_in_the_reasons() -> None:
    text = reasons(**FIRST, homeless_months=30, homeless_repeated=True)
    assert "Je bent al 30 maanden zonder eigen woning." in text
    assert "Je bent vaker dan één keer dakloos geweest." in text
    # Roofless now: Housing First also the first time, and after a short time.
    assert advise(**FIRST, homeless_months=0, homeless_repeated=False)[0] == "housing_first"


# --- Housing Plus --------------------------------------------------------------------


@pytest.mark.parametrize("nuisance", ["current_tenancy", "til_registration"])
def test_housing_plus_for_nuisance(nuisance: str) -> None:
    assert advise(sleeping_place="own_home", nuisance=nuisance)[0] == "housing_plus"


@pytest.mark.parametrize("nuisance", ["none", None])
def test_housing_plus_needs_nuisance(nuisance: str | None) -> None:
    assert "housing_plus" not in advise(sleeping_place="own_home", nuisance=nuisance)[1]


# --- Housing -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "need",
    [
        {"sleeping_place": "family_friends"},
        {"sleeping_place": "institution", "institution": "beschermd_wonen"},
        {"sleeping_place": "own_home", "eviction_threat": True},
        {"sleeping_place": "own_home", "ambulant_support_unsuitable_housing": True},
        {"eviction_threat": True},
    ],
)
def test_housing_for_each_kind_of_housing_need(need: dict[str, object]) -> None:
    assert advise(support_need="light", **need)[0] == "housing"


@pytest.mark.parametrize(
    "facts",
    [
        {"sleeping_place": "own_home", "support_need": "light"},  # no housing need
        {"sleeping_place": None, "support_need": "light"},  # need unknown
        {"sleeping_place": "family_friends", "support_need": "none"},
        {"sleeping_place": "family_friends", "support_need": None},
        {"sleeping_place": "institution", "support_need": "light", "ready_to_move_out": False},
    ],
)
def test_housing_conditions(facts: dict[str, object]) -> None:
    assert "housing" not in advise(**facts)[1]


def test_ready_to_move_out_unknown_does_not_block_housing() -> None:
    assert advise(sleeping_place="institution", support_need="light")[0] == "housing"


# --- Common conditions, precedence ---------------------------------------------------


def test_precedence_when_every_product_fits() -> None:
    everything = {**FIRST, "institution": "detention", "nuisance": "current_tenancy"}
    product, eligible = advise(**everything)
    assert product == "housing_justitieel"
    assert eligible == ("housing_justitieel", "housing_first", "housing_plus", "housing")


def test_precedence_first_over_plus_over_housing() -> None:
    assert advise(**FIRST, nuisance="current_tenancy")[1] == (
        "housing_first",
        "housing_plus",
        "housing",
    )
    assert advise(**HOUSING, nuisance="current_tenancy")[0] == "housing_plus"


@pytest.mark.parametrize("age", [0, 16, 17])
def test_under_18_gets_no_product_and_youth_referral(age: int) -> None:
    advice = recommend(replace(BASE, age=age, **FIRST), ON)  # type: ignore[arg-type]
    assert advice.product is None and advice.eligible == ()
    assert "youth" in advice.referrals
    assert any("jonger dan 18" in render(r) for r in advice.reasons)


def test_age_unknown_or_adult_is_fine() -> None:
    assert advise(**{**HOUSING, "age": None})[0] == "housing"
    assert advise(**{**HOUSING, "age": 18})[0] == "housing"


def test_refusing_support_excludes_every_product() -> None:
    product, eligible = advise(**FIRST, nuisance="current_tenancy", accepts_support=False)
    assert product is None and eligible == ()
    assert any("geen begeleiding wilt" in text for text in reasons(**FIRST, accepts_support=False))
    assert advise(**FIRST, accepts_support=True)[0] == "housing_first"


def test_no_product_explains_each_product_and_invites_registration() -> None:
    text = reasons(sleeping_place="own_home", support_need="none", nuisance="none")
    assert text[0] == "Geen van de vier woonprogramma's past nu bij wat je ons hebt verteld."
    assert text[-1].startswith("Je kunt je toch aanmelden.")
    assert len(text) == 6  # the general sentence, one per product, the invitation


def test_unknown_facts_are_named_as_unknown() -> None:
    text = reasons()
    assert "Voor Housing First moeten we weten waar je nu slaapt." in text


# --- Places --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "municipality", "region"),
    [
        ("Hoensbroek", "Heerlen", "parkstad"),
        ("GELEEN", "Sittard-Geleen", "westelijke_mijnstreek"),
        ("born", "Sittard-Geleen", "westelijke_mijnstreek"),
        ("Elsloo", "Stein", "westelijke_mijnstreek"),
        ("schaesberg", "Landgraaf", "parkstad"),
        ("Nuth", "Beekdaelen", "parkstad"),
        ("Schinveld", "Beekdaelen", "parkstad"),
        ("margraten", "Eijsden-Margraten", "heuvelland"),
        ("Gulpen", "Gulpen-Wittem", "heuvelland"),
        ("valkenburg", "Valkenburg aan de Geul", "heuvelland"),
        ("Cadier en Keer", "Eijsden-Margraten", "heuvelland"),
        ("cadier-en-keer", "Eijsden-Margraten", "heuvelland"),
        ("Munstergeleen", "Sittard-Geleen", "westelijke_mijnstreek"),
        ("sittard geleen", "Sittard-Geleen", "westelijke_mijnstreek"),
        ("  Maastricht ", "Maastricht", "maastricht"),
        ("IJzeren", "Valkenburg aan de Geul", "heuvelland"),
    ],
)
def test_towns_resolve_in_any_case(name: str, municipality: str, region: str) -> None:
    advice = recommend(ScreeningProfile(municipality=name.strip(), **HOUSING), ON)  # type: ignore[arg-type]
    assert (advice.municipality, advice.region) == (municipality, region)


def test_region_data_has_at_least_40_towns() -> None:
    data = region_data()
    assert len(data.municipalities) == 16
    towns = {p.name for p in data._index.values() if p.region and p.name not in data.municipalities}
    assert len(towns) >= 40


@pytest.mark.parametrize("name", ["Venlo", "roermond", "Amsterdam", "Aachen"])
def test_outside_zuid_limburg_refers_to_own_municipality(name: str) -> None:
    advice = recommend(ScreeningProfile(municipality=name, **FIRST), ON)  # type: ignore[arg-type]
    assert advice.product is None and advice.eligible == () and advice.region is None
    assert "own_municipality" in advice.referrals
    assert "hoort niet bij Zuid-Limburg" in render(advice.reasons[0])


@pytest.mark.parametrize(
    ("typo", "suggestion"),
    [
        ("Hoensbrook", "Hoensbroek"),
        ("Maastrich", "Maastricht"),
        ("Sitard", "Sittard"),
        ("Kerkrad", "Kerkrade"),
    ],
)
def test_unknown_place_suggests_close_names(typo: str, suggestion: str) -> None:
    assert region_data().resolve(typo) is None
    assert suggestion in region_data().suggest(typo)


def test_unknown_place_has_no_advice_but_says_why() -> None:
    advice = recommend(ScreeningProfile(municipality="Atlantis", **FIRST), ON)  # type: ignore[arg-type]
    assert advice.product is None and advice.municipality is None
    assert (
        render(advice.reasons[0])
        == "We kennen de plaats Atlantis niet. Daarom kunnen we nog geen woonprogramma kiezen."
    )
    assert region_data().suggest("Atlantis") == []


def test_place_not_given_names_what_fits() -> None:
    advice = recommend(ScreeningProfile(**FIRST), ON)  # type: ignore[arg-type]
    assert advice.product is None
    assert [render(r) for r in advice.reasons][:2] == [
        "We weten nog niet in welke gemeente je woont. "
        "Daarom kunnen we nog geen woonprogramma kiezen.",
        "Op grond van je antwoorden past Housing First bij je situatie.",
    ]


# --- Referrals -----------------------------------------------------------------------


def refs(profile: ScreeningProfile, crisis: bool = False, on: date = ON) -> tuple[str, ...]:
    return recommend(profile, on, crisis=crisis).referrals


def test_referrals() -> None:
    assert "shelter" in refs(ScreeningProfile(sleeping_place="public_space"))
    assert "shelter" not in refs(ScreeningProfile(sleeping_place="family_friends"))
    assert "jongerenpunt" in refs(ScreeningProfile(municipality="Geleen", age=19))
    assert "jongerenpunt" in refs(ScreeningProfile(municipality="Geleen", age=16))
    assert "jongerenpunt" in refs(ScreeningProfile(municipality="Geleen", age=27))
    assert "jongerenpunt" not in refs(ScreeningProfile(municipality="Geleen", age=15))
    assert "jongerenpunt" not in refs(ScreeningProfile(municipality="Geleen", age=28))
    assert "jongerenpunt" not in refs(ScreeningProfile(municipality="Heerlen", age=19))
    assert "youth" in refs(ScreeningProfile(age=17))
    assert "youth" not in refs(ScreeningProfile(age=18))
    assert "debt_help" in refs(ScreeningProfile(rent_arrears=True))
    assert "debt_help" in refs(ScreeningProfile(problems=("debts",)))
    assert "debt_help" not in refs(ScreeningProfile(rent_arrears=False, problems=("somatic",)))
    assert "crisis" in refs(ScreeningProfile(), crisis=True)
    assert refs(ScreeningProfile()) == ()


@pytest.mark.parametrize(
    ("facts", "referred"),
    [
        ({"institution": "detention"}, True),  # in detention now
        ({"detention_release_date": date(2026, 9, 1)}, True),  # released in the future
        ({"detention_release_date": date(2025, 6, 1)}, True),  # exactly 12 months ago
        ({"detention_release_date": date(2025, 5, 31)}, False),  # a day longer ago
        ({"detention_release_date": date(2020, 1, 1)}, False),  # years ago
        ({"institution": "ggz"}, False),
    ],
)
def test_aftercare_detention_only_for_detention_now_or_a_release_within_12_months(
    facts: dict[str, object], referred: bool
) -> None:
    profile = ScreeningProfile(**facts)  # type: ignore[arg-type]
    assert ("aftercare_detention" in refs(profile)) is referred


@pytest.mark.parametrize(
    ("field", "referral"),
    [
        ("registered_address", "briefadres"),
        ("health_insured", "health_insurance"),
        ("care_organisation", "care_organisation"),
    ],
)
def test_profile_1_1_referrals_only_when_the_answer_is_no(field: str, referral: str) -> None:
    assert referral in refs(ScreeningProfile(**{field: False}))  # type: ignore[arg-type]
    assert referral not in refs(ScreeningProfile(**{field: True}))  # type: ignore[arg-type]
    assert referral not in refs(ScreeningProfile())  # not known: no referral


@pytest.mark.parametrize(
    ("place", "on", "referred"),
    [
        ("Margraten", date(2024, 12, 31), True),  # Eijsden-Margraten: nothing offered in 2024
        ("Eijsden", date(2024, 6, 1), True),
        ("Margraten", date(2025, 1, 1), False),  # Housing First and Justitieel from 2025
        ("Heerlen", date(2024, 6, 1), False),
        ("Venlo", date(2026, 6, 1), True),  # outside Zuid-Limburg
        ("Amsterdam", date(2026, 6, 1), True),
    ],
)
def test_own_municipality_where_the_loket_offers_nothing_or_outside(
    place: str, on: date, referred: bool
) -> None:
    profile = ScreeningProfile(municipality=place, age=40)
    assert ("own_municipality" in refs(profile, on=on)) is referred


def test_own_municipality_points_to_the_municipality_where_the_person_is() -> None:
    from flows.referrals import referral_lines
    from flows.service_directory import sample_directory

    advice = recommend(ScreeningProfile(municipality="Margraten"), date(2024, 6, 1))
    lines = referral_lines(
        "own_municipality",
        region=advice.region,
        municipality=advice.municipality,
        directory=sample_directory(),
        on=date(2024, 6, 1),
    )
    assert "Ga naar de gemeente Eijsden-Margraten." in render(lines[0])


def test_a_profile_of_version_1_gets_the_same_answer_where_the_policy_did_not_change() -> None:
    # Version 1.1 only adds fields: a 1.0 profile without them routes as before, and
    # the new fields never change the product, only referrals.
    for facts in (JUSTITIEEL, FIRST, PLUS, HOUSING):
        old = recommend(replace(BASE, **facts), ON)  # type: ignore[arg-type]
        new = recommend(
            replace(
                BASE,
                **facts,  # type: ignore[arg-type]
                household="with_children",
                children=2,
                registered_address=False,
                health_insured=False,
                care_organisation=False,
            ),
            ON,
        )
        assert (new.product, new.eligible, new.reasons) == (old.product, old.eligible, old.reasons)
        assert {"briefadres", "health_insurance", "care_organisation"} <= set(new.referrals)


def test_rent_arrears_never_exclude() -> None:
    assert advise(**HOUSING, rent_arrears=True)[0] == "housing"


def test_reasons_render_dates_for_the_locale() -> None:
    text = reasons(
        **{**JUSTITIEEL, "institution": "other"}, detention_release_date=date(2026, 9, 1)
    )
    assert "Je komt op 1 september 2026 vrij." in text


def test_a_victim_of_domestic_violence_who_called_the_police_is_never_justitieel() -> None:
    """Justice contact is contact as a suspect or offender: every flow asks it in those
    words and offers "alleen als slachtoffer of getuige", which counts as none, so even
    with intensive support there is no Housing Justitieel. (The whole conversation:
    the scenario zelfmelding/victim_of_violence_not_justitieel.)"""
    from flows.engine import flow_library

    for flow_id in ("zelfmelding", "hulpverlener", "veldwerk"):
        node = flow_library().current(flow_id).fact_question("justice_answer")
        assert node is not None and node.question is not None
        victim = node.question.option("victim_or_witness")
        assert victim is not None and victim.sets == {"justice_contact": "none"}
        assert "opgepakt, veroordeeld of in de gevangenis" in node.question.text
        assert "slachtoffer of getuige" in node.question.text
    victim_facts = {**HOUSING, "justice_contact": "none", "support_need": "intensive"}
    assert "housing_justitieel" not in advise(**victim_facts)[1]
