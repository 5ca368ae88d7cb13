"""Property tests: the advice is consistent with the offer, the precedence and an
independent reading of the routing policy in shared/domain.md."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from flows import screening_profile as spec
from flows.offer import offer
from flows.products import PRODUCTS
from flows.regions import region_data
from flows.routing import recommend
from flows.screening_profile import ScreeningProfile

places = st.sampled_from(
    [*region_data().municipalities, "Hoensbroek", "geleen", "Margraten", "Venlo", "Amsterdam"]
)
dates = st.dates(min_value=date(2022, 1, 1), max_value=date(2028, 12, 31))


def maybe(strategy: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.none() | strategy


profiles = st.builds(
    ScreeningProfile,
    municipality=maybe(places),
    age=maybe(st.integers(0, 100)),
    sleeping_place=maybe(st.sampled_from(spec.SLEEPING_PLACES)),
    institution=maybe(st.sampled_from(spec.INSTITUTIONS)),
    ready_to_move_out=maybe(st.booleans()),
    eviction_threat=maybe(st.booleans()),
    ambulant_support_unsuitable_housing=maybe(st.booleans()),
    nuisance=maybe(st.sampled_from(spec.NUISANCE)),
    rent_arrears=maybe(st.booleans()),
    detention_release_date=maybe(dates),
    justice_contact=maybe(st.sampled_from(spec.JUSTICE_CONTACT)),
    homeless_months=maybe(st.integers(0, 240)),
    homeless_repeated=maybe(st.booleans()),
    problems=maybe(st.lists(st.sampled_from(spec.PROBLEMS), unique=True).map(tuple)),
    support_need=maybe(st.sampled_from(spec.SUPPORT_NEEDS)),
    accepts_support=maybe(st.booleans()),
    household=maybe(st.sampled_from(spec.HOUSEHOLDS)),
    children=maybe(st.integers(0, 6)),
    registered_address=maybe(st.booleans()),
    health_insured=maybe(st.booleans()),
    care_organisation=maybe(st.booleans()),
)


def months_before(on: date, months: int) -> date:
    total = on.year * 12 + on.month - 1 - months
    year, month = divmod(total, 12)
    for day in range(on.day, 0, -1):
        try:
            return date(year, month + 1, day)
        except ValueError:
            continue
    raise AssertionError


def oracle_fits(p: ScreeningProfile, on: date) -> list[str]:
    """The routing policy, written again from the domain brief without the rules file."""
    if (p.age is not None and p.age < 18) or p.accepts_support is False:
        return []
    # Dakloos (roofless, ETHOS 1-3) now, or thuisloos (houseless) now after long or
    # repeated homelessness (domain.md, routing policy 2).
    roofless = {"public_space", "emergency_shelter", "homeless_accommodation"}
    houseless = {"non_conventional", "family_friends"}
    long_or_often = p.homeless_repeated is True or (p.homeless_months or 0) >= 12
    release = p.detention_release_date
    justice = (
        p.institution == "detention"
        or (release is not None and release >= months_before(on, 12))
        or p.justice_contact == "repeated"
    )
    fits = {
        "housing_justitieel": justice and p.support_need == "intensive",
        "housing_first": (
            p.sleeping_place in roofless or (p.sleeping_place in houseless and long_or_often)
        )
        and len(p.problems or ()) >= 2
        and p.support_need == "intensive",
        "housing_plus": p.nuisance in ("current_tenancy", "til_registration"),
        "housing": (
            (p.sleeping_place is not None and p.sleeping_place != "own_home")
            or p.eviction_threat is True
            or p.ambulant_support_unsuitable_housing is True
        )
        and p.support_need in ("light", "intensive")
        and p.ready_to_move_out is not False,
    }
    return [product for product in PRODUCTS if fits[product]]


@settings(max_examples=400, deadline=None)
@given(profile=profiles, on=dates)
def test_advice_properties(profile: ScreeningProfile, on: date) -> None:
    advice = recommend(profile, on)
    # The recommended product is the first eligible one.
    assert advice.product == (advice.eligible[0] if advice.eligible else None)
    # Every eligible product is offered in that municipality on that date.
    for product in advice.eligible:
        assert advice.municipality is not None
        assert offer().is_offered(product, advice.municipality, on)
    # Eligible products come in order of precedence.
    assert list(advice.eligible) == sorted(advice.eligible, key=PRODUCTS.index)
    # No product means at least one reason; a product always has reasons too.
    assert advice.reasons
    # The eligible products are exactly those the policy says fit and are offered.
    place = region_data().resolve(profile.municipality) if profile.municipality else None
    expected = [
        product
        for product in oracle_fits(profile, on)
        if place is not None
        and place.region
        and offer().is_offered(product, place.municipality, on)
    ]
    assert list(advice.eligible) == expected


def oracle_referrals(p: ScreeningProfile, on: date) -> set[str]:
    """The referrals of the spec, written again without the rules file."""
    place = region_data().resolve(p.municipality) if p.municipality else None
    out = set()
    if p.sleeping_place == "public_space":
        out.add("shelter")
    if place is not None and (
        not place.in_zuid_limburg
        or not any(offer().is_offered(x, place.municipality, on) for x in PRODUCTS)
    ):
        out.add("own_municipality")
    if p.age is not None and p.age < 18:
        out.add("youth")
    if (
        p.age is not None
        and 16 <= p.age <= 27
        and place is not None
        and place.municipality in ("Sittard-Geleen", "Beek", "Stein")
    ):
        out.add("jongerenpunt")
    if p.rent_arrears is True or "debts" in (p.problems or ()):
        out.add("debt_help")
    release = p.detention_release_date
    if p.institution == "detention" or (release is not None and release >= months_before(on, 12)):
        out.add("aftercare_detention")
    if p.registered_address is False:
        out.add("briefadres")
    if p.health_insured is False:
        out.add("health_insurance")
    if p.care_organisation is False:
        out.add("care_organisation")
    return out


@settings(max_examples=400, deadline=None)
@given(profile=profiles, on=dates)
def test_referrals_follow_the_spec(profile: ScreeningProfile, on: date) -> None:
    assert set(recommend(profile, on).referrals) == oracle_referrals(profile, on)
