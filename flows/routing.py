"""The recommendation: which product fits, where it is offered, and why.

Policy (shared/domain.md): products are tried in order of precedence; a product fits
when the common criteria and its own criteria hold; it is eligible when it also is
offered in the person's municipality on the screening date. The advice is the first
eligible product. The bot advises; the loket decides; a person can always register.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flows.conditions import evaluate, facts_of
from flows.offer import Offer, offer
from flows.products import PRODUCT_NAMES, PRODUCTS
from flows.regions import Place, RegionData, region_data
from flows.rules import Criterion, Rules, data_version, rules
from flows.screening_profile import ScreeningProfile
from flows.texts import Text

__all__ = ["Recommendation", "recommend"]


@dataclass(frozen=True)
class Recommendation:
    product: str | None
    eligible: tuple[str, ...]
    region: str | None
    municipality: str | None
    reasons: tuple[Text, ...]
    referrals: tuple[str, ...]
    # Fingerprint of the rules and offer files that made this advice.
    rules_version: str


def _product(product: str) -> Text:
    return Text(PRODUCT_NAMES[product])


def _unmet(criterion: Criterion, facts: dict[str, Any], audience: str) -> str | None:
    if criterion.unknown and any(facts.get(name) is None for name in facts_of(criterion.when)):
        return criterion.unknown.form(audience)
    return criterion.unmet.form(audience) if criterion.unmet else None


class _Router:
    def __init__(self, rules: Rules, offer: Offer, regions: RegionData, audience: str) -> None:
        self.rules, self.offer, self.regions = rules, offer, regions
        self.messages = rules.messages
        self.audience = audience

    def message(self, key: str, **params: Any) -> Text:
        return Text(self.messages[key].form(self.audience), params)

    def explain(
        self, criteria: tuple[Criterion, ...], facts: dict[str, Any], on: date
    ) -> list[Text]:
        return [
            e.render(facts, self.audience)
            for c in criteria
            for e in c.explain
            if e.applies(facts, on)
        ]

    def mentions(self, above: list[str], facts: dict[str, Any], on: date) -> list[Text]:
        """Why a product that nearly fits is not the advice: it fails only on a criterion
        marked `mention` (e.g. Housing First for someone not long or often homeless)."""
        out: list[Text] = []
        for product in above:
            failed = [c for c in self.rules.products[product] if not c.holds(facts, on)]
            if len(failed) == 1 and failed[0].mention:
                text = _unmet(failed[0], facts, self.audience)
                if text:
                    out.append(Text(text))
        return out

    def not_offered(self, product: str, place: Place, on: date) -> Text:
        period = self.offer.period(product, place.municipality)
        if period is not None and period.start is not None and period.start > on:
            return self.message(
                "offered_from",
                product=_product(product),
                municipality=place.municipality,
                date=period.start,
            )
        return self.message(
            "not_offered", product=_product(product), municipality=place.municipality
        )

    def recommend(self, profile: ScreeningProfile, on: date, crisis: bool) -> Recommendation:
        facts = profile.facts()
        place = self.regions.resolve(profile.municipality) if profile.municipality else None
        if place is not None:
            facts["municipality_name"] = place.municipality
            facts["in_zuid_limburg"] = place.in_zuid_limburg
            if place.region:
                facts["region"] = place.region
            if place.in_zuid_limburg:
                facts["loket_offers_nothing"] = not any(
                    self.offer.is_offered(p, place.municipality, on) for p in PRODUCTS
                )
        if crisis:
            facts["crisis"] = True

        reasons: list[Text] = []
        if profile.municipality is None:
            reasons.append(self.message("place_unknown"))
        elif place is None:
            reasons.append(self.message("place_not_found", municipality=profile.municipality))
        elif not place.in_zuid_limburg:
            reasons.append(self.message("outside", municipality=place.municipality))

        failed_common = [c for c in self.rules.common if not c.holds(facts, on)]
        reasons.extend(Text(c.unmet.form(self.audience)) for c in failed_common if c.unmet)
        fitting = [
            p
            for p in PRODUCTS
            if not failed_common and all(c.holds(facts, on) for c in self.rules.products[p])
        ]
        served = place is not None and place.in_zuid_limburg
        eligible = [
            p
            for p in fitting
            if served and place and self.offer.is_offered(p, place.municipality, on)
        ]
        product = eligible[0] if eligible else None

        if product is not None and place is not None:
            for passed_over in fitting[: fitting.index(product)]:
                reasons.append(self.not_offered(passed_over, place, on))
            reasons.append(self.message("advice", product=_product(product)))
            reasons.extend(self.explain(self.rules.products[product], facts, on))
            notes = self.rules.notes.get(product, ())
            reasons.extend(n.render(facts, self.audience) for n in notes if n.applies(facts, on))
            above = PRODUCTS[: PRODUCTS.index(product)]
            reasons.extend(self.mentions([p for p in above if p not in fitting], facts, on))
        else:
            if fitting and served and place is not None:
                reasons.extend(self.not_offered(p, place, on) for p in fitting)
                reasons.append(self.message("none_offered", municipality=place.municipality))
            elif fitting and place is None:
                reasons.append(self.message("fits_but_place_unknown", product=_product(fitting[0])))
            elif not fitting and not failed_common:
                reasons.append(self.message("none_fits"))
                for p in PRODUCTS:
                    first_failed = next(c for c in self.rules.products[p] if not c.holds(facts, on))
                    text = _unmet(first_failed, facts, self.audience)
                    if text:
                        reasons.append(Text(text))
            reasons.append(self.message("register_anyway"))

        referrals = tuple(r.id for r in self.rules.referrals if evaluate(r.when, facts, on))
        return Recommendation(
            product=product,
            eligible=tuple(eligible),
            region=place.region if place else None,
            municipality=place.municipality if place else None,
            reasons=tuple(reasons),
            referrals=referrals,
            rules_version=data_version(),
        )


def recommend(
    profile: ScreeningProfile, on: date, *, crisis: bool = False, audience: str = "person"
) -> Recommendation:
    """The advice for a profile on a screening date, with reasons and referrals.

    `audience` "person" speaks to the person ("je"); "about" speaks about them ("de
    persoon"), for a professional who registers someone and for staff.
    """
    return _Router(rules(), offer(), region_data(), audience).recommend(profile, on, crisis)
