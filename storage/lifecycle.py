"""The pre-aanmelding lifecycle: which status may follow which, and what each needs.

    from \\ to      in_beh. info_gevr. intake_gepl. geaccept. doorverw. afgew. ingetr.
    nieuw           yes     -          -            -         -         -      yes
    in_behandeling  -       yes        yes          -         yes       yes    yes
    info_gevraagd   yes     -          -            -         -         -      yes
    intake_gepland  yes     -          -            yes       yes       yes    yes
    geaccepteerd, doorverwezen, afgewezen, ingetrokken: final, nothing follows.

Decisions where the issue is silent:
- `ingetrokken` (withdrawn by the person or the submitter) is allowed from every
  non-final status.
- `doorverwezen` and `afgewezen` are also allowed from `in_behandeling`: staff often
  see from the papers alone that another service fits, without planning an intake.
- `intake_gepland` -> `in_behandeling`: an intake that did not take place (no-show,
  cancelled) goes back to the queue instead of being forced into a decision.
- `geaccepteerd` needs a product, `doorverwezen` a referral (where to), `afgewezen`
  a reason. Final statuses are final: a mistake is corrected by a new pre-aanmelding,
  so the record stays trustworthy.
"""

from __future__ import annotations

from enum import StrEnum

from flows.products import PRODUCTS

__all__ = [
    "FINAL_STATUSES",
    "TRANSITIONS",
    "IllegalTransition",
    "Status",
    "check_transition",
]


class Status(StrEnum):
    NIEUW = "nieuw"
    IN_BEHANDELING = "in_behandeling"
    INFO_GEVRAAGD = "info_gevraagd"
    INTAKE_GEPLAND = "intake_gepland"
    GEACCEPTEERD = "geaccepteerd"
    DOORVERWEZEN = "doorverwezen"
    AFGEWEZEN = "afgewezen"
    INGETROKKEN = "ingetrokken"


FINAL_STATUSES = frozenset(
    {Status.GEACCEPTEERD, Status.DOORVERWEZEN, Status.AFGEWEZEN, Status.INGETROKKEN}
)

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.NIEUW: frozenset({Status.IN_BEHANDELING, Status.INGETROKKEN}),
    Status.IN_BEHANDELING: frozenset(
        {
            Status.INFO_GEVRAAGD,
            Status.INTAKE_GEPLAND,
            Status.DOORVERWEZEN,
            Status.AFGEWEZEN,
            Status.INGETROKKEN,
        }
    ),
    Status.INFO_GEVRAAGD: frozenset({Status.IN_BEHANDELING, Status.INGETROKKEN}),
    Status.INTAKE_GEPLAND: frozenset(
        {
            Status.IN_BEHANDELING,
            Status.GEACCEPTEERD,
            Status.DOORVERWEZEN,
            Status.AFGEWEZEN,
            Status.INGETROKKEN,
        }
    ),
    Status.GEACCEPTEERD: frozenset(),
    Status.DOORVERWEZEN: frozenset(),
    Status.AFGEWEZEN: frozenset(),
    Status.INGETROKKEN: frozenset(),
}


class IllegalTransition(ValueError):
    """A status change the lifecycle does not allow, or one that lacks what it needs."""


def check_transition(
    current: Status,
    new: Status,
    *,
    product: str | None = None,
    referral: str | None = None,
    reason: str | None = None,
) -> None:
    """Raise `IllegalTransition` unless `current` -> `new` is allowed with these details."""
    if new not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "nothing (final status)"
        raise IllegalTransition(
            f"status {current.value!r} cannot change to {new.value!r}; allowed: {allowed}"
        )
    if new is Status.GEACCEPTEERD and product not in PRODUCTS:
        raise IllegalTransition(
            f"{new.value!r} needs the accepted product, one of {', '.join(PRODUCTS)}"
        )
    if new is not Status.GEACCEPTEERD and product is not None:
        raise IllegalTransition(f"a product is only recorded with {Status.GEACCEPTEERD.value!r}")
    if new is Status.DOORVERWEZEN and not (referral and referral.strip()):
        raise IllegalTransition(f"{new.value!r} needs the referral (where the person goes)")
    if new is not Status.DOORVERWEZEN and referral is not None:
        raise IllegalTransition(f"a referral is only recorded with {Status.DOORVERWEZEN.value!r}")
    if new is Status.AFGEWEZEN and not (reason and reason.strip()):
        raise IllegalTransition(f"{new.value!r} needs a reason")
