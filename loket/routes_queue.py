"""The queue: filters, search by reference code, sorting, keyset pages, counts per
status, "mine" and "unassigned". A medewerker's queue holds only their regions."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from flows.products import PRODUCTS
from loket import labels
from loket.access import REGIONS, Permission
from loket.queue_params import STATUS_CHOICES, VIEWS, read_queue_params
from loket.web import render, visit
from storage.queue import NO_PRODUCT, OPEN_STATUSES, BadCursor, QueueSort
from storage.tables import SUBMITTER_KINDS

__all__ = ["router"]

router = APIRouter()


@router.get("/queue")
async def queue(request: Request) -> Response:
    current = await visit(request)
    staff = current.require(Permission.CASES)
    params = read_queue_params(request.query_params)
    where = params.to_filter(staff)
    bad_cursor = False
    async with current.loket.database.unit_of_work(write=False) as uow:
        try:
            page = await uow.queue.page(
                where,
                sort=QueueSort(params.sort),
                after=params.after or None,
                size=current.loket.config.page_size,
            )
        except BadCursor:
            bad_cursor = True
            page = await uow.queue.page(
                where, sort=QueueSort(params.sort), size=current.loket.config.page_size
            )
        counts = await uow.queue.status_counts(where)
        names = {user.id: user.username for user in await uow.staff.all()}
    regions = [r for r in REGIONS if staff.scope is None or r in staff.scope]
    return render(
        current,
        "queue.html",
        {
            "params": params,
            "page": page,
            "counts": counts,
            "open_count": counts.total(OPEN_STATUSES),
            "total_count": counts.total(),
            "regions": regions,
            "products": [*PRODUCTS, NO_PRODUCT],
            "statuses": STATUS_CHOICES,
            "kinds": SUBMITTER_KINDS,
            "views": VIEWS,
            "sorts": [s.value for s in QueueSort],
            "staff_names": names,
            "labels": labels,
            "bad_cursor": bad_cursor,
        },
    )
