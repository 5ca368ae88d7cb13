"""Where people stop (`/drop-off`), for coordinators and beheerders: per flow, how
many conversations reached each question and how many ended there without sending,
for the chosen weeks, language and channel. Counts only (storage.drop_off); small
counts show as "<5" (loket.drop_off_view).

The form is read leniently: a date that is not a date, or a start after the end, is
named at its field and the default is used; an unknown flow, language or channel is
left out and named."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response

from flows.engine.library import flow_library
from flows.texts import N_
from loket.access import Permission
from loket.drop_off_view import (
    CHANNEL_NAMES,
    LANGUAGE_NAMES,
    build_tables,
    flow_order,
    flow_title,
)
from loket.web import render, visit
from storage.drop_off import DropOffChoices, DropOffFilter, drop_off
from storage.reports import LOKET_TIME_ZONE

__all__ = ["DropOffParams", "read_drop_off_params", "router"]

router = APIRouter()

DEFAULT_WEEKS = 12  # the last twelve weeks, this one included
NOT_A_DATE = N_("Dit is geen datum. Gebruik de vorm jjjj-mm-dd, bijvoorbeeld 2026-03-01.")
START_AFTER_END = N_("De begindatum ligt na de einddatum.")


@dataclass(frozen=True)
class DropOffParams:
    """The form as read: the dates (ISO text, as typed back into the form), the
    weeks they cover, the choices, and what was wrong (field -> message)."""

    date_from: str
    date_to: str
    first: date  # the Monday of the first week
    last: date  # the Monday of the last week
    flow: str = ""
    language: str = ""
    channel: str = ""
    errors: Mapping[str, str] = field(default_factory=dict)
    dropped: tuple[str, ...] = ()

    def to_filter(self) -> DropOffFilter:
        return DropOffFilter(
            self.first,
            self.last,
            flow_id=self.flow or None,
            language=self.language or None,
            channel=self.channel or None,
        )


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def read_drop_off_params(
    query: Mapping[str, str], today: date, choices: DropOffChoices, flows: list[str]
) -> DropOffParams:
    """The page's query string; see the module docstring."""
    errors: dict[str, str] = {}
    default_from = week_of_day(today) - timedelta(weeks=DEFAULT_WEEKS - 1)
    dates: dict[str, date] = {}
    texts: dict[str, str] = {}
    for name, default in (("from", default_from), ("to", today)):
        text = query.get(name, "").strip()[:20]
        parsed = _day(text) if text else default
        if parsed is None:
            errors[name] = NOT_A_DATE
            parsed = default
        dates[name], texts[name] = parsed, parsed.isoformat()
    if "from" not in errors and "to" not in errors and dates["from"] > dates["to"]:
        errors["from"] = START_AFTER_END
        dates["from"], dates["to"] = default_from, today
        texts["from"], texts["to"] = default_from.isoformat(), today.isoformat()
    dropped: list[str] = []

    def choice(name: str, allowed: tuple[str, ...] | list[str]) -> str:
        value = query.get(name, "").strip()
        if value and value not in allowed:
            dropped.append(name)
            return ""
        return value

    return DropOffParams(
        date_from=texts["from"],
        date_to=texts["to"],
        first=week_of_day(dates["from"]),
        last=week_of_day(dates["to"]),
        flow=choice("flow", sorted({*flows, *choices.flows})),
        language=choice("language", sorted({*LANGUAGE_NAMES, *choices.languages})),
        channel=choice("channel", sorted({*CHANNEL_NAMES, *choices.channels})),
        errors=errors,
        dropped=tuple(dropped),
    )


def week_of_day(day: date) -> date:
    """The Monday of a day's week."""
    return day - timedelta(days=day.weekday())


@router.get("/drop-off")
async def drop_off_page(request: Request) -> Response:
    current = await visit(request)
    current.require(Permission.STATISTICS)
    library = flow_library()
    flows = flow_order(library)
    today = current.loket.now().astimezone(LOKET_TIME_ZONE).date()
    async with current.loket.database.unit_of_work(write=False) as uow:
        store = drop_off(uow)
        choices = await store.choices()
        params = read_drop_off_params(request.query_params, today, choices, flows)
        figures = await store.figures(params.to_filter())
    flow_choices = [(f, flow_title(library, f)) for f in [*flows, *choices.flows]]
    return render(
        current,
        "drop_off.html",
        {
            "params": params,
            "tables": build_tables(figures, library, current.locale),
            "flow_choices": list(dict.fromkeys(flow_choices)),
            "languages": sorted({*LANGUAGE_NAMES, *choices.languages}, key=_language_key),
            "channels": sorted({*CHANNEL_NAMES, *choices.channels}),
            "language_names": LANGUAGE_NAMES,
            "channel_names": CHANNEL_NAMES,
            "week_end": params.last + timedelta(days=6),
        },
    )


def _language_key(code: str) -> tuple[int, str]:
    order = list(LANGUAGE_NAMES)
    return (order.index(code) if code in order else len(order), code)
