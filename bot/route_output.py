"""Input and output of `intake route`: the profile file, and the advice as JSON or text."""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING

from flows.regions import region_data
from flows.screening_profile import FieldProblem, ProfileError, ScreeningProfile, parse_profile
from flows.texts import N_, Text
from locales import render

if TYPE_CHECKING:  # the text answer's modules are imported by `human_output` alone
    from flows.routing import Recommendation
    from flows.service_directory import ServiceDirectory

__all__ = ["human_output", "json_output", "load_profile"]


def load_profile(raw: bytes) -> ScreeningProfile:
    """Decode and check a profile file; a ValueError names the field and what it accepts."""
    if not raw.strip():
        raise ValueError("profile: the file is empty; expected a JSON object")
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"profile: not valid JSON ({error}); expected a JSON object") from None
    problems: list[FieldProblem] = []
    place = data.get("municipality") if isinstance(data, dict) else None
    if isinstance(place, str) and place.strip() and region_data().resolve(place) is None:
        suggestions = region_data().suggest(place)
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        problems.append(
            FieldProblem(
                "municipality",
                f"{place!r} is not a known municipality or town; expected a municipality or "
                f"town name, e.g. Heerlen or Hoensbroek.{hint}",
            )
        )
    try:
        profile = parse_profile(data)
    except ProfileError as error:
        raise ProfileError(error.problems + problems) from None
    if problems:
        raise ProfileError(problems)
    return profile


def json_output(recommendation: Recommendation, locale: str) -> str:
    return json.dumps(
        {
            "product": recommendation.product,
            "eligible": list(recommendation.eligible),
            "region": recommendation.region,
            "municipality": recommendation.municipality,
            "reasons": [render(reason, locale) for reason in recommendation.reasons],
            "referrals": list(recommendation.referrals),
        },
        ensure_ascii=False,
    )


def human_output(
    recommendation: Recommendation, locale: str, directory: ServiceDirectory, on: date
) -> str:
    from flows.products import PRODUCT_LINES, PRODUCT_NAMES
    from flows.referrals import referrals_of
    from flows.service_texts import SAMPLE_NOTE, loket_contact

    if recommendation.product:
        headline = Text(
            N_("Advies: {product}"), {"product": Text(PRODUCT_NAMES[recommendation.product])}
        )
        lines = [
            render(headline, locale),
            render(Text(PRODUCT_LINES[recommendation.product]), locale),
        ]
    else:
        lines = [render(Text(N_("Advies: geen woonprogramma")), locale)]
    if recommendation.region and recommendation.municipality:
        region_name = region_data().region_names[recommendation.region]
        place = Text(
            N_("Regio: {region} (gemeente {municipality})"),
            {"region": region_name, "municipality": recommendation.municipality},
        )
        lines.append(render(place, locale))
    lines += ["", render(Text(N_("Waarom:")), locale)]
    lines += [f"  - {render(reason, locale)}" for reason in recommendation.reasons]
    if recommendation.referrals:
        lines += ["", render(Text(N_("Waar kun je nog meer terecht:")), locale)]
        for title, found in referrals_of(recommendation, directory, on):
            lines.append(f"  - {render(title, locale)}: {render(found[0], locale)}")
            lines += [f"      {render(line, locale)}" for line in found[1:]]
    lines += [
        "",
        render(Text(N_("Dit is een advies. Het loket beslist na een gesprek met jou.")), locale),
        render(loket_contact(directory), locale),
    ]
    if directory.sample:
        lines.append(render(Text(SAMPLE_NOTE), locale))
    return "\n".join(lines)
