"""/status: the state of a person's own pre-aanmeldingen, in plain words.

Found by the keyed hash of the chat (`channel_user_hash`), never by a stored chat id.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.telegram import wording
from flows.notices import status_text
from flows.texts import Text
from storage.lifecycle import Status
from storage.pre_aanmeldingen import PreAanmelding

__all__ = ["SHOWN", "status_texts"]

SHOWN = 3  # the newest few; older ones are in the loket's records


def status_texts(
    records: Sequence[PreAanmelding], *, draft: bool, loket_contact: Text
) -> list[Text]:
    """Newest first: each reference with its date, then its status in one sentence
    (`loket_contact`: operator data, for a status that asks to contact the loket)."""
    texts: list[Text] = []
    newest = sorted(records, key=lambda r: (r.created_at, r.id), reverse=True)[:SHOWN]
    for record in newest:
        texts.append(
            Text(
                wording.STATUS_ITEM,
                {"reference": record.reference, "date": record.created_at.date()},
            )
        )
        for_submitter = record.submitter.kind != "self"  # "you" is not the person then
        texts.append(
            status_text(Status(record.status).value, loket_contact, for_submitter=for_submitter)
        )
    if not newest:
        texts.append(Text(wording.STATUS_NONE))
    if draft:
        texts.append(Text(wording.STATUS_DRAFT))
    elif not newest:
        texts.append(Text(wording.STATUS_START))
    return texts
