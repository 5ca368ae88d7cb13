"""The access copy as a person reads it: `storage.access_copy.PersonData` turned into
blocks of sentences (gettext `Text`s), rendered in the person's language by each
channel (Telegram messages, the web chat's page, the dashboard's page and download).

Every stored field about the person is in the copy: answers with the question's label
and the chosen option's words, the screening profile, the advice with its reasons and
referrals, the consent record with the notice that was agreed to (and the professional's
declaration), the status history with reasons, the messages to the person, the draft
and the web chat's transcript. A chat's copy leaves out staff notes (given on request,
after a check for other people's data, GDPR art. 15(4)) and possible duplicates by
name and birth date (they may be someone else); the staff copy has both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flows.engine import wording as engine_wording
from flows.engine.flow_format import Flow
from flows.engine.library import FlowLibrary, FlowNotFound
from flows.engine.session import Session
from flows.engine.summary import VALUE, summary_items
from flows.privacy_notices import notice
from flows.products import PRODUCT_NAMES
from flows.referrals import referral_texts
from flows.regions import region_data
from flows.text_json import text_from_json
from flows.texts import Text
from intake import privacy_wording as w
from locales import render
from storage.access_copy import PersonData, Record
from storage.lifecycle import Status
from storage.pre_aanmeldingen import PreAanmelding

__all__ = [
    "CopyBlock",
    "copy_blocks",
    "copy_text",
    "copy_texts",
    "render_blocks",
]

LOKET_TIME_ZONE = ZoneInfo("Europe/Amsterdam")
_STATUS = {
    Status.NIEUW: w.STATUS_NIEUW,
    Status.IN_BEHANDELING: w.STATUS_IN_BEHANDELING,
    Status.INFO_GEVRAAGD: w.STATUS_INFO_GEVRAAGD,
    Status.INTAKE_GEPLAND: w.STATUS_INTAKE_GEPLAND,
    Status.GEACCEPTEERD: w.STATUS_GEACCEPTEERD,
    Status.DOORVERWEZEN: w.STATUS_DOORVERWEZEN,
    Status.AFGEWEZEN: w.STATUS_AFGEWEZEN,
    Status.INGETROKKEN: w.STATUS_INGETROKKEN,
}
_SUBMITTER = {
    "self": w.SUBMITTER_SELF,
    "professional": w.SUBMITTER_PROFESSIONAL,
    "veldwerker": w.SUBMITTER_VELDWERKER,
}
_CONTACT = {
    "chat": w.CONTACT_CHAT,
    "phone": w.CONTACT_PHONE,
    "email": w.CONTACT_EMAIL,
    "via_submitter": w.CONTACT_VIA_SUBMITTER,
    "none": w.CONTACT_NONE,
}
_CRISIS = {
    "danger": w.CRISIS_DANGER,
    "suicide": w.CRISIS_SUICIDE,
    "self_harm": w.CRISIS_SELF_HARM,
    "violence": w.CRISIS_VIOLENCE,
    "exploitation": w.CRISIS_EXPLOITATION,
    "cold": w.CRISIS_COLD,
    "command": w.CRISIS_COMMAND,
}
_CONSENT_BY = {"client": w.CONSENT_CLIENT, "submitter_for_client": w.CONSENT_FOR_CLIENT}


@dataclass(frozen=True)
class CopyBlock:
    heading: Text | None
    lines: tuple[Text, ...]


def _raw(value: object) -> Text:
    return Text(VALUE, {"value": str(value)})


def _day(moment: datetime | date) -> Text:
    if isinstance(moment, datetime):
        moment = moment.astimezone(LOKET_TIME_ZONE).date()
    return Text(VALUE, {"value": moment})


def _line(label: str | Text, value: Text) -> Text:
    return Text(w.LINE, {"label": Text(label) if isinstance(label, str) else label, "value": value})


def _join(parts: Sequence[Text]) -> Text:
    if not parts:
        return Text(w.EMPTY)
    if len(parts) == 1:
        return parts[0]
    return Text(engine_wording.ANSWER_LIST, {"first": parts[0], "rest": _join(parts[1:])})


def _option_setting(flow: Flow, fact: str, value: object) -> tuple[Text, Text] | None:
    """The question and option whose choice set this fact to this value."""
    for node in flow.questions:
        assert node.question is not None
        for option in node.question.options:
            if option.sets.get(fact) == value:
                return Text(node.question.label), Text(option.text)
    return None


def _value(flow: Flow | None, fact: str, value: Any) -> Text:
    """A stored value in words: an option's text, ja/nee, a date, a number, or as typed."""
    node = flow.fact_question(fact) if flow is not None else None
    question = node.question if node is not None else None
    if value is None:
        return Text(w.EMPTY)
    if isinstance(value, bool):
        return Text(w.YES if value else w.NO)
    if isinstance(value, list | tuple):
        return _join([_value(flow, fact, item) for item in value])
    if isinstance(value, Mapping):
        return _join([_line(_raw(k), _value(flow, str(k), v)) for k, v in value.items()])
    if isinstance(value, str) and question is not None:
        option = question.option(value)
        if option is not None:
            return Text(option.text)
    if isinstance(value, str):
        try:
            return _day(date.fromisoformat(value))
        except ValueError:
            return _raw(value)
    return _raw(value)


def _fact(flow: Flow | None, fact: str, value: Any) -> Text:
    node = flow.fact_question(fact) if flow is not None else None
    if node is not None and node.question is not None:
        return _line(Text(node.question.label), _value(flow, fact, value))
    setting = _option_setting(flow, fact, value) if flow is not None else None
    if setting is not None:
        return _line(setting[0], setting[1])
    return _line(_raw(fact), _value(flow, fact, value))


def _flow(library: FlowLibrary, flow_id: str) -> Flow | None:
    try:
        return library.current(flow_id)
    except FlowNotFound:
        return None


def _draft(data: PersonData, library: FlowLibrary) -> list[CopyBlock]:
    conversation = data.conversation
    if conversation is None:
        return []
    lines = [
        _line(w.LABEL_STARTED, _day(conversation.created_at)),
        _line(w.LABEL_LAST_ANSWER, _day(conversation.updated_at)),
        _line(w.LABEL_ERASED_ON, _day(conversation.expires_at)),
    ]
    state = conversation.state
    if state.get("stage") == "flow":
        try:
            session = Session.from_json(state["session"])
            flow = library.get(session.flow_id, session.flow_version)
        except (FlowNotFound, KeyError, TypeError, ValueError):
            pass
        else:
            for item in summary_items(flow, list(session.history), dict(session.answers)):
                lines.append(_line(item.label, item.answer))
    return [CopyBlock(Text(w.SECTION_DRAFT), tuple(lines))]


def _question(library: FlowLibrary, flow_id: object, node_id: object) -> Text | None:
    """The short label of the question a crisis sign came at, if it still exists."""
    flow = _flow(library, flow_id) if isinstance(flow_id, str) else None
    node = flow.nodes.get(node_id) if flow is not None and isinstance(node_id, str) else None
    if node is None or node.question is None:
        return None
    return Text(node.question.label or node.question.text)


def _crisis(data: PersonData, library: FlowLibrary) -> list[CopyBlock]:
    """The signs of danger kept for the loket's follow-up: kind, day and question
    (never the words), and the contact kept with them."""
    if not data.crisis:
        return []
    lines = [Text(w.CRISIS_NOT_THE_WORDS)]
    for item in data.crisis:
        for sign in item.signs:
            category = str(sign.get("category", ""))
            kind = Text(_CRISIS[category]) if category in _CRISIS else _raw(category)
            try:
                day = _day(datetime.fromisoformat(str(sign.get("at"))))
            except ValueError:
                day = Text(w.EMPTY)
            question = _question(library, sign.get("flow", item.flow_id), sign.get("node"))
            if question is None:
                lines.append(Text(w.CRISIS_SIGN_LINE, {"date": day, "sign": kind}))
            else:
                params = {"date": day, "sign": kind, "question": question}
                lines.append(Text(w.CRISIS_SIGN_AT, params))
        lines.append(_line(w.LABEL_CONTACT, Text(_CONTACT[item.contact_kind])))
        if item.contact:
            lines.append(_line(w.LABEL_CONTACT_ADDRESS, _raw(item.contact)))
        if item.reference:
            lines.append(_line(w.LABEL_REFERENCE, _raw(item.reference)))
    return [CopyBlock(Text(w.SECTION_CRISIS), tuple(lines))]


def _transcript(data: PersonData) -> list[CopyBlock]:
    chat = data.web_chat
    if chat is None or not chat.transcript:
        return []
    lines = []
    for entry in chat.transcript:
        who = Text(w.LABEL_YOU if entry.get("by") == "me" else w.LABEL_BOT)
        typed = entry.get("typed")
        if isinstance(typed, str):
            lines.append(_line(who, _raw(typed)))
            continue
        for data_text in entry.get("texts", ()):
            try:
                lines.append(_line(who, text_from_json(data_text)))
            except (KeyError, TypeError, ValueError):
                continue
    return [CopyBlock(Text(w.SECTION_CHAT), tuple(lines))]


def _messages(data: PersonData) -> list[CopyBlock]:
    """The messages to the chat. A chat that submitted for someone else (a
    professional) got that client's summary: then only when, not what."""
    contents = not data.for_others
    lines = []
    for entry in data.outbox:
        text = entry.payload.get("text")
        if not isinstance(text, str) or not text.strip():
            continue  # e.g. only a keyboard change
        if entry.delivered_at is not None:
            when = _line(w.LABEL_SENT, _day(entry.delivered_at))
        elif entry.given_up_at is not None:
            when = Text(w.LABEL_GAVE_UP)
        else:
            when = Text(w.LABEL_NOT_SENT)
        lines.append(_line(when, _raw(text)) if contents else when)
    return [CopyBlock(Text(w.SECTION_MESSAGES), tuple(lines))] if lines else []


def _product(product: str | None) -> Text:
    name = PRODUCT_NAMES.get(product or "")
    return Text(name) if name else Text(w.NO_PRODUCT)


def _record_lines(item: PreAanmelding) -> list[Text]:
    lines = [
        _line(w.LABEL_REFERENCE, _raw(item.reference)),
        _line(w.LABEL_SUBMITTED, _day(item.created_at)),
        _line(w.LABEL_STATUS, Text(_STATUS.get(item.status, w.STATUS_NIEUW))),
        _line(w.LABEL_CHANNEL, _raw(item.channel)),
        _line(w.LABEL_LANGUAGE, _raw(item.language)),
        _line(w.LABEL_SUBMITTER, Text(_SUBMITTER.get(item.submitter.kind, w.SUBMITTER_SELF))),
    ]
    submitter = item.submitter
    if submitter.name:
        lines.append(_line(w.LABEL_SUBMITTER_NAME, _raw(submitter.name)))
    if submitter.organisation:
        lines.append(_line(w.LABEL_ORGANISATION, _raw(submitter.organisation)))
        if submitter.convenant_partner is not None:
            convenant = Text(w.YES if submitter.convenant_partner else w.NO)
            lines.append(_line(w.LABEL_CONVENANT, convenant))
    if submitter.contact:
        lines.append(_line(w.LABEL_SUBMITTER_CONTACT, _raw(submitter.contact)))
    if submitter.email:
        lines.append(_line(w.LABEL_SUBMITTER_CONTACT, _raw(submitter.email)))
    if item.client_name:
        lines.append(_line(w.LABEL_NAME, _raw(item.client_name)))
    if item.client_birth_date:
        lines.append(_line(w.LABEL_BIRTH_DATE, _day(item.client_birth_date)))
    lines.append(
        _line(w.LABEL_CONTACT, Text(_CONTACT.get(item.contact_preference, w.CONTACT_NONE)))
    )
    if item.contact_address:
        lines.append(_line(w.LABEL_CONTACT_ADDRESS, _raw(item.contact_address)))
    consent = item.consent
    lines.append(
        _line(
            w.LABEL_CONSENT,
            Text(
                w.CONSENT_LINE,
                {
                    "who": Text(_CONSENT_BY.get(consent.given_by, w.CONSENT_CLIENT)),
                    "date": _day(consent.at),
                },
            ),
        )
    )
    agreed = notice(consent.text_version)
    if agreed is not None:
        lines.append(_line(w.LABEL_CONSENT_TEXT, agreed.title))
        lines.extend(agreed.paragraphs)
        if agreed.declaration is not None and consent.given_by == "submitter_for_client":
            lines.append(_line(w.LABEL_DECLARATION, agreed.declaration))
    else:
        lines.append(_line(w.LABEL_CONSENT_TEXT, _raw(consent.text_version)))
    return lines


def _advice_lines(item: PreAanmelding) -> list[Text]:
    regions = region_data().region_names
    region = regions.get(item.region or "", item.region or "")
    lines = [
        _line(w.LABEL_ADVICE, _product(item.recommended_product)),
        _line(w.LABEL_ELIGIBLE, _join([_product(p) for p in item.eligible_products])),
        _line(w.LABEL_REGION, _join([_raw(p) for p in (region, item.municipality or "") if p])),
    ]
    lines.extend(_line(w.LABEL_REASON, reason) for reason in item.reasons)
    referrals = referral_texts()
    for referral in item.referrals:
        title = referrals[referral].title if referral in referrals else _raw(referral)
        lines.append(_line(w.LABEL_REFERRAL, title))
    lines.append(_line(w.LABEL_RULES, _raw(item.rules_version[:12])))
    if item.decided_product:
        lines.append(_line(w.LABEL_DECIDED_PRODUCT, _product(item.decided_product)))
    if item.decided_referral:
        lines.append(_line(w.LABEL_DECIDED_REFERRAL, _raw(item.decided_referral)))
    if item.decision_reason:
        lines.append(_line(w.LABEL_DECISION_REASON, _raw(item.decision_reason)))
    lines.append(_line(w.LABEL_CRISIS, Text(w.YES if item.crisis_follow_up else w.NO)))
    if item.assigned_staff_id is not None:
        lines.append(_line(w.LABEL_ASSIGNED, _raw(item.assigned_staff_id)))
    if item.erasure_requested_at is not None:
        lines.append(_line(w.LABEL_ERASURE_REQUESTED, _day(item.erasure_requested_at)))
    if item.handed_over_at is not None:
        lines.append(_line(w.LABEL_HANDED_OVER, _day(item.handed_over_at)))
    return lines


def _record(record: Record, library: FlowLibrary, *, for_staff: bool) -> list[CopyBlock]:
    item = record.item
    flow = library.for_submitter(item.submitter.kind)
    blocks = [
        CopyBlock(
            Text(w.SECTION_RECORD, {"reference": item.reference}),
            tuple(_record_lines(item) + _advice_lines(item)),
        ),
        CopyBlock(
            Text(w.SECTION_ANSWERS),
            tuple(_fact(flow, fact, value) for fact, value in item.answers.items()),
        ),
        CopyBlock(
            Text(w.SECTION_PROFILE),
            tuple(
                _fact(flow, fact, value)
                for fact, value in item.profile.to_json().items()
                if value is not None
            ),
        ),
    ]
    history = []
    for change in record.history:
        status = Text(_STATUS.get(change.to_status, w.STATUS_NIEUW))
        params: dict[str, Any] = {"date": _day(change.at), "status": status}
        if change.reason:
            history.append(Text(w.HISTORY_LINE_REASON, {**params, "reason": change.reason}))
        else:
            history.append(Text(w.HISTORY_LINE, params))
    blocks.append(CopyBlock(Text(w.SECTION_HISTORY), tuple(history)))
    if for_staff:
        notes = tuple(
            Text(
                w.NOTE_LINE,
                {"date": _day(note.at), "staff": str(note.staff_user_id), "text": note.text},
            )
            for note in record.notes
        )
        if notes:
            blocks.append(CopyBlock(Text(w.SECTION_NOTES), notes))
        duplicates = tuple(
            Text(w.DUPLICATE_LINE, {"reference": link.reference, "date": _day(link.created_at)})
            for link in record.duplicates
        )
        if duplicates:
            blocks.append(CopyBlock(Text(w.SECTION_DUPLICATES), duplicates))
    return blocks


def _for_others(items: Iterable[PreAanmelding]) -> list[CopyBlock]:
    """As a professional or veldwerker: only what is about the submitter."""
    lines: list[Text] = []
    for item in items:
        lines.append(_line(w.LABEL_REFERENCE, _raw(item.reference)))
        lines.append(_line(w.LABEL_SUBMITTED, _day(item.created_at)))
        lines.append(_line(w.LABEL_STATUS, Text(_STATUS.get(item.status, w.STATUS_NIEUW))))
        if item.submitter.name:
            lines.append(_line(w.LABEL_SUBMITTER_NAME, _raw(item.submitter.name)))
        if item.submitter.organisation:
            lines.append(_line(w.LABEL_ORGANISATION, _raw(item.submitter.organisation)))
        if item.submitter.contact:
            lines.append(_line(w.LABEL_SUBMITTER_CONTACT, _raw(item.submitter.contact)))
    return [CopyBlock(Text(w.SECTION_FOR_OTHERS), tuple(lines))] if lines else []


def copy_blocks(
    data: PersonData,
    library: FlowLibrary,
    *,
    today: date,
    for_staff: bool = False,
    erase_hint: str | None = w.COPY_HOW_TO_ERASE,
) -> list[CopyBlock]:
    """The copy, block by block; a plain "nothing stored" when there is nothing."""
    if data.empty:
        return [CopyBlock(None, (Text(w.COPY_NOTHING),))]
    intro = [Text(w.COPY_TITLE, {"date": today})]
    blocks = [CopyBlock(None, tuple(intro))]
    blocks += _draft(data, library)
    blocks += _crisis(data, library)
    blocks += _transcript(data)
    for record in data.own:
        blocks += _record(record, library, for_staff=for_staff)
    blocks += _for_others(data.for_others)
    blocks += _messages(data)
    closing = []
    if not for_staff:
        if any(record.notes for record in data.own):
            closing.append(Text(w.COPY_NOTES_ON_REQUEST))
        if erase_hint:
            closing.append(Text(erase_hint))
    if closing:
        blocks.append(CopyBlock(None, tuple(closing)))
    return [block for block in blocks if block.heading is None or block.lines]


def render_blocks(blocks: Iterable[CopyBlock], locale: str) -> list[tuple[str | None, list[str]]]:
    return [
        (
            None if block.heading is None else render(block.heading, locale),
            [render(line, locale) for line in block.lines],
        )
        for block in blocks
    ]


def copy_text(blocks: Iterable[CopyBlock], locale: str) -> str:
    """The copy as plain text (Telegram messages, the dashboard's download)."""
    parts = []
    for heading, lines in render_blocks(blocks, locale):
        part = "\n".join(([heading.upper()] if heading else []) + lines)
        parts.append(part)
    return "\n\n".join(parts) + "\n"


def copy_texts(blocks: Iterable[CopyBlock]) -> list[Text]:
    """The copy as lines (a blank line between blocks), for a chat message."""
    out: list[Text] = []
    for block in blocks:
        if out:
            out.append(_raw(""))
        if block.heading is not None:
            out.append(block.heading)
        out.extend(block.lines)
    return out
