"""Sentences about services of the operator's data: the loket's contact, a shelter's
address and phone, opening hours. Every sentence is a gettext id; names, addresses and
numbers come from the data as they are.
"""

from __future__ import annotations

from datetime import date

from flows.service_directory import Schedule, Service, ServiceDirectory
from flows.texts import N_, NP_, Text

__all__ = [
    "SAMPLE_NOTE",
    "hours_text",
    "join",
    "loket_contact",
    "loket_response",
    "service_line",
    "services_for",
]

DAY_NAMES = {
    "MO": N_("maandag"),
    "TU": N_("dinsdag"),
    "WE": N_("woensdag"),
    "TH": N_("donderdag"),
    "FR": N_("vrijdag"),
    "SA": N_("zaterdag"),
    "SU": N_("zondag"),
}
_ORDER = tuple(DAY_NAMES)

# The same message id as the engine's list of answers (one translation); not imported
# from flows.engine, which imports this module.
LIST = N_("{first}, {rest}")
EVERY_DAY = N_("elke dag")
DAY_RANGE = N_("{first} tot en met {last}")
OPENING = N_("{days} van {opens} tot {closes}")
ADDRESS = N_("{street}, {postal_code} {city}")
PHONE = N_("telefoon {phone}")
EMAIL = N_("e-mail {email}")
WEBSITE = N_("website {url}")
OPEN = N_("open {hours}")
LINE = N_("{name}: {details}")
LOKET_CONTACT = N_("Loket Housing: {details}.")
LOKET_RESPONSE = NP_(
    "Het loket leest de aanmelding binnen {days} werkdag.",
    "Het loket leest de aanmelding binnen {days} werkdagen.",
)
SAMPLE_NOTE = N_(
    "Let op: dit zijn voorbeeldgegevens om het programma te testen. Deze adressen en "
    "nummers bestaan niet."
)


def join(parts: list[Text | str]) -> Text | str:
    """Parts as one list: "a, b, c" (each part translated on its own)."""
    if not parts:
        return ""
    out: Text | str = parts[-1]
    for part in reversed(parts[:-1]):
        out = Text(LIST, {"first": part, "rest": out})
    return out


def _days(byday: tuple[str, ...]) -> Text:
    if len(byday) == 7:
        return Text(EVERY_DAY)
    idx = [_ORDER.index(d) for d in byday]
    if len(idx) > 2 and idx == list(range(idx[0], idx[0] + len(idx))):
        return Text(
            DAY_RANGE, {"first": Text(DAY_NAMES[byday[0]]), "last": Text(DAY_NAMES[byday[-1]])}
        )
    joined = join([Text(DAY_NAMES[d]) for d in byday])
    return joined if isinstance(joined, Text) else Text(joined)


def hours_text(schedules: tuple[Schedule, ...]) -> Text | str:
    """Opening hours: "maandag tot en met vrijdag van 09:00 tot 17:00"."""
    parts: list[Text | str] = [
        Text(
            OPENING,
            {"days": _days(s.byday), "opens": s.opens_at or "", "closes": s.closes_at or ""},
        )
        for s in schedules
        if s.byday and s.opens_at and s.closes_at
    ]
    return join(parts)


def _details(service: Service, *, with_email: bool = True) -> list[Text | str]:
    details: list[Text | str] = []
    if service.address is not None:
        a = service.address
        details.append(
            Text(ADDRESS, {"street": a.address_1, "postal_code": a.postal_code, "city": a.city})
        )
    details += [Text(PHONE, {"phone": number}) for number in service.phones]
    if with_email and service.email:
        details.append(Text(EMAIL, {"email": service.email}))
    if service.url:
        details.append(Text(WEBSITE, {"url": service.url}))
    hours = hours_text(service.opening_hours)
    if hours:
        details.append(Text(OPEN, {"hours": hours}))
    return details


def service_line(service: Service) -> Text:
    """One service: its name, address, phone and opening hours."""
    return Text(LINE, {"name": service.name, "details": join(_details(service))})


def services_for(
    directory: ServiceDirectory, role: str, region: str | None, on: date
) -> tuple[Service, ...]:
    """The services of a role for a region (all regions when unknown), valid on a date."""
    return tuple(s for s in directory.by_role(role, region) if s.valid_on(on))


def loket_contact(directory: ServiceDirectory) -> Text:
    """The loket's phone, e-mail, opening hours and address, as one sentence."""
    loket = directory.loket
    if loket is None:  # only a test directory lacks it; production refuses to start
        return Text(LOKET_CONTACT, {"details": ""})
    return Text(LOKET_CONTACT, {"details": join(_details(loket))})


def loket_response(directory: ServiceDirectory) -> Text | None:
    """How soon the loket reads a pre-aanmelding, when the operator said so."""
    loket = directory.loket
    if loket is None or loket.response_working_days is None:
        return None
    days = loket.response_working_days
    return Text(LOKET_RESPONSE[0], {"days": days}, plural=LOKET_RESPONSE[1], count="days")
