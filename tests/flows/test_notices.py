"""What the loket tells about a pre-aanmelding (flows/notices.py): a professional or
veldwerker who registered someone else is never told "you" where the person is meant."""

from __future__ import annotations

import re

import pytest

from flows.notices import STATUS_TEXTS, status_text
from flows.texts import Text
from locales import render

CONTACT = Text("Loket Housing: 045 000 0001")  # stands for the operator's contact
# "je"/"jou" as the one the status is about. Not "je aanmelding" (the submitter sent it)
# nor "informatie van je" (the loket's question goes to the submitter).
ABOUT_YOU = re.compile(r"\b(je bent|met je (?!aanmelding)|heeft je\b|kan je\b|jou)", re.I)


@pytest.mark.parametrize("status", sorted(STATUS_TEXTS))
def test_a_submitter_reads_about_the_person_not_about_you(status: str) -> None:
    for_submitter = render(status_text(status, CONTACT, for_submitter=True), "nl")
    assert not ABOUT_YOU.search(for_submitter.replace("Wil je weten", "")), for_submitter


def test_the_person_still_reads_you() -> None:
    assert render(status_text("geaccepteerd", CONTACT), "nl").startswith("Je bent aangenomen")
    about = render(status_text("geaccepteerd", CONTACT, for_submitter=True), "en")
    assert about.startswith("The person has been accepted")
