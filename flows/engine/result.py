"""The result after submission: the advice and its reasons, honest expectations,
referrals with the operator's places, the reference code and the loket's contact, as
messages."""

from __future__ import annotations

from datetime import date
from functools import cache

from flows.data_files import load_yaml
from flows.engine import wording as w
from flows.products import PRODUCT_LINES, PRODUCT_NAMES
from flows.referrals import referrals_of
from flows.regions import region_data
from flows.routing import Recommendation
from flows.rules import rules
from flows.service_directory import ServiceDirectory
from flows.service_texts import SAMPLE_NOTE, loket_contact, loket_response
from flows.texts import Text

__all__ = ["result_messages", "waiting_months"]


@cache
def _waiting() -> tuple[int, dict[str, int]]:
    data = load_yaml("waiting_times.yaml")
    return int(data["year"]), {str(k): int(v) for k, v in data["months"].items()}


def waiting_months(region: str) -> int | None:
    return _waiting()[1].get(region)


def result_messages(
    recommendation: Recommendation,
    reference: str,
    audience: str,
    directory: ServiceDirectory,
    on: date,
) -> list[tuple[Text, ...]]:
    """The result, as messages of lines (kept short for chat message limits)."""
    client = audience == "professional"
    if recommendation.product:
        product = Text(PRODUCT_NAMES[recommendation.product])
        headline = Text(w.RESULT_ADVICE_CLIENT if client else w.RESULT_ADVICE, {"product": product})
        advice = [headline, Text(PRODUCT_LINES[recommendation.product])]
    else:
        advice = [Text(w.RESULT_NO_PRODUCT_CLIENT if client else w.RESULT_NO_PRODUCT)]
    advice.append(Text(w.RESULT_WHY))
    # The routing's own "Ons advies is ..." would repeat the headline.
    repeated = {rules().messages["advice"].person, rules().messages["advice"].about}
    reasons = [r for r in recommendation.reasons if r.msgid not in repeated]
    advice += [Text(w.BULLET, {"item": reason}) for reason in reasons]
    messages: list[tuple[Text, ...]] = [tuple(advice)]
    expectations = [Text(w.RESULT_DECIDES)]
    response = loket_response(directory)
    if response is not None:
        expectations.append(response)
    months = waiting_months(recommendation.region) if recommendation.region else None
    if recommendation.region and months is not None:
        year = _waiting()[0]
        region = region_data().region_names[recommendation.region]
        expectations.append(
            Text(
                w.RESULT_WAITING[0],
                {"region": region, "year": str(year), "months": months},
                plural=w.RESULT_WAITING[1],
                count="months",
            )
        )
    messages.append(tuple(expectations))
    reader = "about" if client else "person"  # the referrals' words: "je" or "de persoon"
    for title, lines in referrals_of(recommendation, directory, on, reader):
        heading = Text(w.RESULT_REFERRAL_CLIENT if client else w.RESULT_REFERRAL, {"title": title})
        messages.append((heading, *lines))
    contact = loket_contact(directory)
    closing = [Text(w.RESULT_REFERENCE, {"reference": reference, "loket_contact": contact})]
    if directory.sample:
        closing.append(Text(SAMPLE_NOTE))
    messages.append(tuple(closing))
    return messages
