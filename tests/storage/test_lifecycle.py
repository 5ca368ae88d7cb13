from __future__ import annotations

import itertools

import pytest

from storage.lifecycle import (
    FINAL_STATUSES,
    TRANSITIONS,
    IllegalTransition,
    Status,
    check_transition,
)

ALLOWED = {
    ("nieuw", "in_behandeling"),
    ("nieuw", "ingetrokken"),
    ("in_behandeling", "info_gevraagd"),
    ("in_behandeling", "intake_gepland"),
    ("in_behandeling", "doorverwezen"),
    ("in_behandeling", "afgewezen"),
    ("in_behandeling", "ingetrokken"),
    ("info_gevraagd", "in_behandeling"),
    ("info_gevraagd", "ingetrokken"),
    ("intake_gepland", "in_behandeling"),
    ("intake_gepland", "geaccepteerd"),
    ("intake_gepland", "doorverwezen"),
    ("intake_gepland", "afgewezen"),
    ("intake_gepland", "ingetrokken"),
}
DETAILS = {
    Status.GEACCEPTEERD: {"product": "housing"},
    Status.DOORVERWEZEN: {"referral": "Wijkteam Heerlen"},
    Status.AFGEWEZEN: {"reason": "Geen begeleidingsnoodzaak"},
}


@pytest.mark.parametrize(("current", "new"), list(itertools.product(Status, Status)))
def test_every_pair_of_statuses_is_allowed_exactly_as_documented(
    current: Status, new: Status
) -> None:
    details = DETAILS.get(new, {})
    if (current.value, new.value) in ALLOWED:
        check_transition(current, new, **details)
    else:
        with pytest.raises(IllegalTransition, match=f"{current.value!r} cannot change"):
            check_transition(current, new, **details)


def test_final_statuses_have_no_way_out_and_others_can_always_be_withdrawn() -> None:
    for status in Status:
        if status in FINAL_STATUSES:
            assert TRANSITIONS[status] == frozenset()
        else:
            assert Status.INGETROKKEN in TRANSITIONS[status]


@pytest.mark.parametrize(
    ("current", "new", "details", "message"),
    [
        (Status.INTAKE_GEPLAND, Status.GEACCEPTEERD, {}, "needs the accepted product"),
        (Status.INTAKE_GEPLAND, Status.GEACCEPTEERD, {"product": "villa"}, "needs the accepted"),
        (Status.IN_BEHANDELING, Status.DOORVERWEZEN, {"referral": "  "}, "needs the referral"),
        (Status.IN_BEHANDELING, Status.AFGEWEZEN, {}, "needs a reason"),
        (Status.NIEUW, Status.IN_BEHANDELING, {"product": "housing"}, "only recorded with"),
        (Status.IN_BEHANDELING, Status.AFGEWEZEN, {"reason": "x", "referral": "y"}, "only"),
    ],
)
def test_a_decision_needs_its_detail_and_only_its_detail(
    current: Status, new: Status, details: dict[str, str], message: str
) -> None:
    with pytest.raises(IllegalTransition, match=message):
        check_transition(current, new, **details)
