"""Where and from when each product is offered: `flows/data/offer.yaml`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from flows.data_files import load_yaml
from flows.products import PRODUCTS
from flows.regions import RegionData, region_data

__all__ = ["Offer", "OfferError", "Period", "offer"]


class OfferError(ValueError):
    """The offer file is not consistent with the region data."""


@dataclass(frozen=True)
class Period:
    """Offered from `start` up to and including `end`; None means open-ended."""

    start: date | None
    end: date | None

    def covers(self, on: date) -> bool:
        return (self.start is None or self.start <= on) and (self.end is None or on <= self.end)


def _period(value: Any, where: str) -> Period | None:
    if value is True or value == "yes":
        return Period(None, None)
    if value is False or value == "no":
        return None
    if isinstance(value, date):
        return Period(value, None)
    if isinstance(value, dict) and set(value) <= {"from", "until"} and value:
        start, end = value.get("from"), value.get("until")
        if all(v is None or isinstance(v, date) for v in (start, end)):
            return Period(start, end)
    raise OfferError(
        f"{where}: expected yes, no, a date or {{from: DATE, until: DATE}}, got {value!r}"
    )


class Offer:
    """Per municipality and product, the period it is offered (or None)."""

    def __init__(self, data: dict[str, Any], regions: RegionData) -> None:
        self._periods: dict[str, dict[str, Period | None]] = {}
        for index, entry in enumerate(data["offer"]):
            where = f"offer[{index}]"
            if "region" in entry:
                if entry["region"] not in regions.region_names:
                    raise OfferError(f"{where}: unknown region {entry['region']!r}")
                names = [m for m, r in regions.municipality_region.items() if r == entry["region"]]
            else:
                names = list(entry.get("municipalities", []))
            if not names:
                raise OfferError(f"{where}: name a region or a list of municipalities")
            for product in PRODUCTS:
                if product not in entry:
                    raise OfferError(f"{where}: missing product {product!r}")
            for name in names:
                if name not in regions.municipality_region:
                    raise OfferError(f"{where}: unknown municipality {name!r}")
                if name in self._periods:
                    raise OfferError(f"{where}: municipality {name!r} has more than one entry")
                self._periods[name] = {p: _period(entry[p], f"{where}.{p}") for p in PRODUCTS}
        missing = set(regions.municipality_region) - set(self._periods)
        if missing:
            raise OfferError(f"no offer for municipalities {sorted(missing)}")

    def period(self, product: str, municipality: str) -> Period | None:
        return self._periods.get(municipality, {}).get(product)

    def is_offered(self, product: str, municipality: str, on: date) -> bool:
        period = self.period(product, municipality)
        return period is not None and period.covers(on)


@cache
def offer() -> Offer:
    return Offer(load_yaml("offer.yaml"), region_data())
