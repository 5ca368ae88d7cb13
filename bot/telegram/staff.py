"""The staff notification chat (TELEGRAM_STAFF_CHAT_ID): one line per new
pre-aanmelding, with its reference, region and advised product. Nothing personal:
no name, no answers, no chat id of the person. Queued in the same unit of work as
the submission, so a notification is never lost and never sent for a rolled-back one.
"""

from __future__ import annotations

from bot.telegram import wording
from bot.telegram.delivery import CHANNEL
from flows.products import PRODUCT_NAMES
from flows.regions import region_data
from flows.texts import Text
from locales import render
from storage.conversations import ConversationKey
from storage.pre_aanmeldingen import PreAanmelding
from storage.unit_of_work import UnitOfWork

__all__ = ["notify_staff", "staff_line"]


def staff_line(record: PreAanmelding, locale: str) -> str:
    region = region_data().region_names.get(record.region or "", None)
    product = PRODUCT_NAMES.get(record.recommended_product or "")
    return render(
        Text(
            wording.STAFF_NEW,
            {
                "reference": record.reference,
                "region": region or Text(wording.STAFF_NO_REGION),
                "product": Text(product) if product else Text(wording.STAFF_NO_PRODUCT),
            },
        ),
        locale,
    )


async def notify_staff(
    uow: UnitOfWork, reference: str, *, staff_chat: str, staff_key: ConversationKey, locale: str
) -> None:
    """Queue the notification of a new pre-aanmelding for the staff chat
    (`staff_key`: the chat's keyed hash, which orders its messages in the outbox)."""
    record = await uow.pre_aanmeldingen.get(reference)
    if record is None:
        return
    payload = {"method": "sendMessage", "text": staff_line(record, locale)}
    await uow.outbox.enqueue(CHANNEL, staff_key.user_hash, staff_chat, payload)
