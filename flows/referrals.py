"""The texts of referrals: where a person can go and how (`flows/data/referrals.yaml`).

A referral's own text never holds a phone number, address or opening time other than
the national crisis numbers: the places come from the operator's service data, for
the person's region and the screening date (`referral_lines`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from flows.data_files import load_yaml
from flows.routing import Recommendation
from flows.service_directory import ServiceDirectory
from flows.service_texts import service_line, services_for
from flows.texts import N_, Text, placeholders

__all__ = ["ReferralText", "referral_lines", "referral_texts", "referrals_of"]

SERVICE = N_("{label} {service}")


@dataclass(frozen=True)
class ReferralText:
    id: str
    title: Text
    text: str
    services: tuple[tuple[str, str], ...] = ()  # (role, words before each service)
    none: str | None = None  # said when the data has no such service for the region

    def body(self, municipality: str | None) -> Text:
        params = {name: municipality or "" for name in placeholders(self.text)}
        return Text(self.text, params)


@cache
def referral_texts(audience: str = "person") -> dict[str, ReferralText]:
    """The referrals' words for a reader: "person" ("je"), or "about" ("de persoon",
    for a professional or veldwerker who registers someone, and for staff)."""
    about = audience == "about"

    def pick(entry: dict[str, str], key: str) -> str | None:
        return (entry.get(f"{key}_about") or entry.get(key)) if about else entry.get(key)

    data = load_yaml("referrals.yaml")
    return {
        ref_id: ReferralText(
            ref_id,
            Text(str(pick(entry, "title"))),
            str(entry.get("about") or entry["text"]) if about else str(entry["text"]),
            tuple(
                (s["role"], str(s.get("about") or s["text"]) if about else str(s["text"]))
                for s in entry.get("services", ())
            ),
            pick(entry, "none"),
        )
        for ref_id, entry in data.items()
    }


def referral_lines(
    ref_id: str,
    *,
    region: str | None,
    municipality: str | None,
    directory: ServiceDirectory,
    on: date,
    audience: str = "person",
) -> tuple[Text, ...]:
    """A referral's text, then the operator's services for it in the person's region
    (every region when the place is not known; none outside Zuid-Limburg), valid on
    the screening date."""
    ref = referral_texts(audience)[ref_id]
    lines = [ref.body(municipality)]
    found = False
    outside = municipality is not None and region is None
    for role, label in () if outside else ref.services:
        for service in services_for(directory, role, region, on):
            found = True
            lines.append(Text(SERVICE, {"label": Text(label), "service": service_line(service)}))
    if ref.services and not found and ref.none:
        lines.append(Text(ref.none))
    return tuple(lines)


def referrals_of(
    recommendation: Recommendation,
    directory: ServiceDirectory,
    on: date,
    audience: str = "person",
) -> list[tuple[Text, tuple[Text, ...]]]:
    """Each referral of an advice: its title, and its lines with the places for the
    person's region (`referral_lines`), in the words for `audience`."""
    return [
        (
            referral_texts(audience)[ref_id].title,
            referral_lines(
                ref_id,
                region=recommendation.region,
                municipality=recommendation.municipality,
                directory=directory,
                on=on,
                audience=audience,
            ),
        )
        for ref_id in recommendation.referrals
    ]
