"""The operator's service data: HSDS-shaped, checked with file and line, and never
invented (shared/domain.md, "Where the seeds disagree or are silent")."""

from __future__ import annotations

from datetime import date

import pytest

from flows.referrals import referral_lines
from flows.service_directory import (
    DirectoryError,
    missing_for_production,
    parse_directory,
    sample_directory,
)
from flows.service_texts import loket_contact
from locales import render
from tests.factories.service_data import REAL, SHELTERS


def test_a_complete_file_is_ready_for_production() -> None:
    directory = parse_directory(REAL % SHELTERS, "services.yaml")
    assert not directory.sample
    assert missing_for_production(directory) == []
    text = render(loket_contact(directory))
    assert text == (
        "Loket Housing: Straat 1, 6411 AA Heerlen, telefoon 045 123 4567, e-mail "
        "loket@example.org, open maandag tot en met vrijdag van 09:00 tot 16:30."
    )


def test_the_sample_is_marked_and_refused_for_production() -> None:
    sample = sample_directory()
    assert sample.sample
    assert all("VOORBEELD" in s.name for s in sample.services)
    missing = missing_for_production(sample)
    assert missing == [
        "flows/data/service_directory.sample.yaml: holds sample data ('sample: true'); "
        "give the real data"
    ]


def test_production_names_every_missing_piece() -> None:
    no_shelters = REAL.replace("    services:\n%s", "    services: []\n")
    directory = parse_directory(no_shelters, "services.yaml")
    missing = missing_for_production(directory)
    assert "services.yaml: a night shelter with address or phone for region parkstad" in missing
    assert (
        "services.yaml: the cold-weather arrangement (x_role: cold_weather) for region heuvelland"
        in missing
    )
    without_loket = parse_directory(
        "organizations:\n  - name: X\n    services:\n      - id: a\n        name: A\n"
        "        x_role: day_centre\n        service_areas: [maastricht]\n",
        "s.yaml",
    )
    assert "s.yaml: the loket itself (a service with x_role: loket)" in missing_for_production(
        without_loket
    )


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (('"045 123 4567"', '"045 12 34"'), "services.yaml:8: "),
        (('"045 123 4567"', '"045 12 34"'), "has the wrong number of digits"),
        (('"045 123 4567"', '"call us"'), "'call us' is not a phone number"),
        (('"09:00"', '"9 uur"'), "services.yaml:11: organizations[0].services[0].schedules[0]"),
        (('"09:00"', '"9 uur"'), "'9 uur' is not a time written HH:MM"),
        (("x_role: loket", "x_role: lokett"), "services.yaml:6: "),
        (("x_role: loket", "x_role: lokett"), "'lokett'; expected one of loket, night_shelter"),
        (("[parkstad, west", "[parkstat, west"), "'parkstat'; expected one of parkstad"),
        (("email: loket@example.org", "email: loket"), "'loket' is not an e-mail address"),
        (("x_response_working_days: 3", "x_response_working_days: soon"), "1 to 30"),
        (("name: Loket Housing\n", "naam: Loket Housing\n"), "unknown key 'naam'"),
    ],
)
def test_a_bad_value_names_the_file_the_line_and_what_it_accepts(
    change: tuple[str, str], says: str
) -> None:
    text = (REAL % SHELTERS).replace(*change, 1)
    with pytest.raises(DirectoryError) as caught:
        parse_directory(text, "services.yaml")
    assert says in str(caught.value), str(caught.value)


@pytest.mark.parametrize(
    ("dates", "says"),
    [
        ("{valid_from: 2026-13-01}", "'2026-13-01' is not a date that exists"),
        ("{valid_from: 1-11-2026}", "'1-11-2026' is not a date written YYYY-MM-DD"),
        ("{valid_from: 2027-01-01, valid_to: 2026-12-01}", "valid_to: before valid_from"),
    ],
)
def test_a_bad_date_names_the_line(dates: str, says: str) -> None:
    text = (REAL % SHELTERS).replace("{valid_from: 2026-11-15, valid_to: 2027-03-15}", dates, 1)
    with pytest.raises(DirectoryError) as caught:
        parse_directory(text, "services.yaml")
    message = str(caught.value)
    assert says in message and "services.yaml:" in message
    line = int(message.split("services.yaml:")[1].split(":")[0])
    assert dates.split(",")[0].split()[-1].rstrip("}") in text.splitlines()[line - 1]


def test_broken_yaml_is_a_clear_problem() -> None:
    with pytest.raises(DirectoryError, match=r"services.yaml:\d+: "):
        parse_directory("organizations: [\n", "services.yaml")


def _shelter_lines(place_region: str | None, municipality: str | None, on: date) -> list[str]:
    lines = referral_lines(
        "shelter",
        region=place_region,
        municipality=municipality,
        directory=sample_directory(),
        on=on,
    )
    return [render(line) for line in lines]


def test_a_person_in_heerlen_is_pointed_to_a_place_in_parkstad() -> None:
    lines = _shelter_lines("parkstad", "Heerlen", date(2026, 6, 1))
    text = "\n".join(lines)
    assert "Nachtopvang Heerlen (VOORBEELD)" in text and "045 000 0002" in text
    assert "Sittard" not in text


def test_a_day_drop_in_is_never_offered_as_a_place_to_sleep() -> None:
    lines = _shelter_lines("westelijke_mijnstreek", "Sittard-Geleen", date(2026, 6, 1))
    zefke = [line for line in lines if "Zefke" in line]
    assert zefke == [
        "Overdag kun je hier terecht. Slapen kan hier niet: Inloophuis bie Zefke "
        "(VOORBEELD): Voorbeeldstraat 6, 6131 AB Sittard, open elke dag van 09:00 tot 17:00"
    ]
    night = [line for line in lines if line.startswith("Nachtopvang:")]
    assert night and all("Zefke" not in line for line in night)


def test_the_cold_weather_shelter_only_in_its_season() -> None:
    winter = "\n".join(_shelter_lines("maastricht", "Maastricht", date(2026, 12, 20)))
    summer = "\n".join(_shelter_lines("maastricht", "Maastricht", date(2026, 7, 1)))
    assert "Extra opvang bij vorst Maastricht" in winter
    assert "Extra opvang bij vorst" not in summer


def test_outside_zuid_limburg_no_shelter_of_the_region_but_the_municipality() -> None:
    lines = _shelter_lines(None, "Venlo", date(2026, 12, 20))
    assert lines[1:] == ["Vraag de gemeente waar je nu bent waar je vannacht kunt slapen."]


def test_a_professional_reads_the_referrals_about_the_person() -> None:
    """Nothing a professional is told about "you" that means the client: the result of
    a professional's flow gives every referral in its `about` words."""
    from flows.referrals import referral_texts

    about = referral_texts("about")
    for ref_id, ref in about.items():
        words = f" {ref.text} {ref.none or ''} {' '.join(label for _, label in ref.services)} "
        if ref_id != "crisis":  # the crisis numbers speak to whoever is in danger
            assert not any(w in words for w in (" je ", " jij ", " Je ", " jouw ")), ref_id
        assert render(ref.title) != "Je eigen gemeente"
    lines = referral_lines(
        "shelter",
        region="westelijke_mijnstreek",
        municipality="Sittard-Geleen",
        directory=sample_directory(),
        on=date(2026, 6, 1),
        audience="about",
    )
    text = "\n".join(render(line) for line in lines)
    assert "Heeft de persoon vannacht geen plek om te slapen?" in text
    assert "Overdag kan de persoon hier terecht. Slapen kan hier niet:" in text
