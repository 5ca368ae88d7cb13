"""The offer table of shared/domain.md, cell by cell, on both sides of each date."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from flows.offer import Offer, OfferError, offer
from flows.regions import region_data
from flows.routing import recommend
from flows.screening_profile import ScreeningProfile

Y, N = "yes", "no"
D24, D25 = date(2024, 1, 1), date(2025, 1, 1)
# Written out from the domain brief, independently of flows/data/offer.yaml.
# Columns: housing, housing_plus, housing_first, housing_justitieel.
PARKSTAD = (Y, Y, Y, D24)
WM = (Y, D24, D24, D24)
DOMAIN_TABLE: dict[str, tuple[object, object, object, object]] = {
    **dict.fromkeys(
        ["Heerlen", "Kerkrade", "Landgraaf", "Brunssum", "Beekdaelen", "Simpelveld", "Voerendaal"],
        PARKSTAD,
    ),
    **dict.fromkeys(["Sittard-Geleen", "Beek", "Stein"], WM),
    "Maastricht": (Y, N, D25, D25),
    **dict.fromkeys(["Vaals", "Gulpen-Wittem", "Meerssen"], (D24, D24, D25, D25)),
    "Valkenburg aan de Geul": (D24, N, D25, D25),
    "Eijsden-Margraten": (N, N, D25, D25),
}
COLUMNS = ("housing", "housing_plus", "housing_first", "housing_justitieel")

# A profile that fits each product (others may fit too).
FITS = {
    "housing": ScreeningProfile(age=30, sleeping_place="family_friends", support_need="light"),
    "housing_plus": ScreeningProfile(age=30, sleeping_place="own_home", nuisance="current_tenancy"),
    "housing_first": ScreeningProfile(
        age=30,
        sleeping_place="public_space",
        problems=("addiction", "psychiatric"),
        support_need="intensive",
    ),
    "housing_justitieel": ScreeningProfile(
        age=30, institution="detention", sleeping_place="institution", support_need="intensive"
    ),
}

CELLS = [
    (municipality, product, value)
    for municipality, row in DOMAIN_TABLE.items()
    for product, value in zip(COLUMNS, row, strict=True)
]


def test_the_table_names_all_sixteen_municipalities() -> None:
    assert sorted(DOMAIN_TABLE) == sorted(region_data().municipalities)
    assert len(DOMAIN_TABLE) == 16


@pytest.mark.parametrize(("municipality", "product", "value"), CELLS)
def test_offer_cell_on_both_sides_of_its_date(
    municipality: str, product: str, value: object
) -> None:
    if value == Y:
        expectations = [(date(2019, 6, 1), True), (date(2027, 6, 1), True)]
    elif value == N:
        expectations = [(date(2019, 6, 1), False), (date(2027, 6, 1), False)]
    else:
        assert isinstance(value, date)
        expectations = [(value - timedelta(days=1), False), (value, True)]
    for on, offered in expectations:
        assert offer().is_offered(product, municipality, on) is offered, (municipality, product, on)
        advice = recommend(replace(FITS[product], municipality=municipality), on)
        assert (product in advice.eligible) is offered, (municipality, product, on)


def test_a_passed_over_product_is_named_with_its_start_date() -> None:
    profile = replace(FITS["housing_first"], municipality="Maastricht")
    advice = recommend(profile, date(2024, 12, 31))
    assert advice.product == "housing"
    passed = [r for r in advice.reasons if r.msgid.startswith("{product} past ook")]
    assert passed and passed[0].params["date"] == D25


def test_offer_file_errors_are_clear() -> None:
    regions = region_data()
    with pytest.raises(OfferError, match="no offer for municipalities"):
        Offer({"offer": [{"region": "parkstad", **dict.fromkeys(COLUMNS, True)}]}, regions)
    with pytest.raises(OfferError, match="unknown municipality 'Venlo'"):
        Offer({"offer": [{"municipalities": ["Venlo"], **dict.fromkeys(COLUMNS, True)}]}, regions)
    with pytest.raises(
        OfferError, match=r"offer\[0\].housing_justitieel: expected yes, no, a date"
    ):
        Offer({"offer": [{"region": "parkstad", **dict.fromkeys(COLUMNS, "soon")}]}, regions)
    with pytest.raises(OfferError, match="missing product 'housing_justitieel'"):
        Offer({"offer": [{"region": "parkstad", "housing": True}]}, regions)
