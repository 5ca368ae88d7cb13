"""The operator's service data for tests: `REAL % SHELTERS` is a complete file (the
loket's contact and a night and a cold-weather shelter in every region), ready for
production."""

from __future__ import annotations

REAL = """\
organizations:
  - name: Loket Housing Zuid-Limburg
    services:
      - id: loket
        name: Loket Housing
        x_role: loket
        service_areas: [parkstad, westelijke_mijnstreek, maastricht, heuvelland]
        phones: [{number: "045 123 4567"}]
        email: loket@example.org
        address: {address_1: "Straat 1", postal_code: "6411 AA", city: "Heerlen"}
        schedules: [{byday: "MO,TU,WE,TH,FR", opens_at: "09:00", closes_at: "16:30"}]
        x_response_working_days: 3
  - name: Opvang
    services:
%s
"""
SHELTERS = "".join(
    f"""      - id: night-{region}
        name: Nachtopvang {region}
        x_role: night_shelter
        service_areas: [{region}]
        phones: [{{number: "043 123 45{i}0"}}]
      - id: cold-{region}
        name: Winteropvang {region}
        x_role: cold_weather
        service_areas: [{region}]
        phones: [{{number: "+31 43 123 45{i}1"}}]
        schedules: [{{valid_from: 2026-11-15, valid_to: 2027-03-15}}]
"""
    for i, region in enumerate(("parkstad", "westelijke_mijnstreek", "maastricht", "heuvelland"))
)
