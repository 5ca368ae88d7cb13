"""The fake's Bot API semantics, checked over plain HTTP and in-process calls."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from aiogram import types as ag
from telegram import Update

from tests.fakes import LOCATION, PHOTO, STICKER, VOICE, FakeBotAPI, RateLimits
from tests.fakes.telegram_objects import JSONDict

TOKEN = "42:fake"
CHAT = 77


async def call(api: FakeBotAPI, method: str, **params: Any) -> tuple[int, JSONDict]:
    return await api.execute(TOKEN, method, params)


async def test_offset_confirms_only_updates_that_were_handed_out(api: FakeBotAPI) -> None:
    first = api.inject_message(CHAT, "een")
    second = api.inject_message(CHAT, "twee")
    _, body = await call(api, "getUpdates")
    assert body["result"] == [first, second]

    _, body = await call(api, "getUpdates", offset=first["update_id"] + 1)
    assert body["result"] == [second]

    # A redelivery of an old update id still reaches the bot once.
    api.inject_update(first)
    _, body = await call(api, "getUpdates", offset=second["update_id"] + 1)
    assert body["result"] == [first]
    _, body = await call(api, "getUpdates", offset=second["update_id"] + 1)
    assert body["result"] == []
    assert api.pending_updates == []


async def test_long_poll_answers_when_an_update_arrives(api: FakeBotAPI) -> None:
    poll = asyncio.create_task(call(api, "getUpdates", timeout=5))
    await asyncio.sleep(0.05)
    assert not poll.done()
    update = api.inject_message(CHAT, "hallo")
    status, body = await asyncio.wait_for(poll, 1)
    assert (status, body["result"]) == (200, [update])


async def test_a_second_poller_terminates_the_first_with_409(api: FakeBotAPI) -> None:
    first = asyncio.create_task(call(api, "getUpdates", timeout=5))
    await asyncio.sleep(0.05)
    status, _ = await call(api, "getUpdates", timeout=0)
    assert status == 200
    status, body = await asyncio.wait_for(first, 1)
    assert status == 409
    assert body["description"].startswith("Conflict: terminated by other getUpdates request")


async def test_allowed_updates_filter_what_the_bot_gets(api: FakeBotAPI) -> None:
    await call(api, "getUpdates", allowed_updates=["message"])
    message = api.inject_message(CHAT, "hallo")
    api.inject_callback(CHAT, message["message"]["message_id"], "yes")
    _, body = await call(api, "getUpdates")
    assert body["result"] == [message]
    assert [u["callback_query"]["data"] for u in api.updates.filtered_out] == ["yes"]


async def test_rate_limits_are_recorded_and_can_be_enforced() -> None:
    async with FakeBotAPI() as api:
        for number in range(5):
            await call(api, "sendMessage", chat_id=CHAT, text=str(number))
        assert [v.scope for v in api.rate_violations] == ["chat", "chat"]  # burst of 3
        assert len(api.sent_messages(CHAT)) == 5

    async with FakeBotAPI(rate_limits=RateLimits(per_chat_burst=1, enforce=True)) as api:
        assert (await call(api, "sendMessage", chat_id=CHAT, text="een"))[0] == 200
        status, body = await call(api, "sendMessage", chat_id=CHAT, text="twee")
        assert (status, body["parameters"]) == (429, {"retry_after": 1})
        assert api.sent_texts(CHAT) == ["een"]


async def test_edits_follow_telegram(api: FakeBotAPI) -> None:
    keyboard = {"inline_keyboard": [[{"text": "Ja", "callback_data": "yes"}]]}
    _, body = await call(api, "sendMessage", chat_id=CHAT, text="Vraag", reply_markup=keyboard)
    message_id = body["result"]["message_id"]
    assert body["result"]["reply_markup"] == keyboard

    status, body = await call(
        api,
        "editMessageText",
        chat_id=CHAT,
        message_id=message_id,
        text="Vraag",
        reply_markup=keyboard,
    )
    assert (status, body["description"]) == (
        400,
        "Bad Request: message is not modified: "
        "specified new message content and reply markup are exactly the same as a current "
        "content and reply markup of the message",
    )

    # Editing the text without reply_markup drops the keyboard, as Telegram does.
    status, body = await call(
        api, "editMessageText", chat_id=CHAT, message_id=message_id, text="Klaar"
    )
    assert status == 200
    assert "reply_markup" not in body["result"]
    assert [edit.text for edit in api.edits(CHAT)] == ["Klaar"]

    user_message = api.inject_message(CHAT, "hoi")["message"]["message_id"]
    status, body = await call(
        api, "editMessageText", chat_id=CHAT, message_id=user_message, text="anders"
    )
    assert body["description"] == "Bad Request: message can't be edited"
    status, body = await call(api, "editMessageText", chat_id=CHAT, message_id=999, text="x")
    assert body["description"] == "Bad Request: message to edit not found"


async def test_html_is_checked_and_counted_without_tags(api: FakeBotAPI) -> None:
    status, body = await call(
        api, "sendMessage", chat_id=CHAT, text="<b>" + "x" * 4096 + "</b>", parse_mode="HTML"
    )
    assert status == 200
    assert body["result"]["text"] == "x" * 4096
    status, body = await call(
        api, "sendMessage", chat_id=CHAT, text="<div>x</div>", parse_mode="HTML"
    )
    assert body["description"] == 'Bad Request: can\'t parse entities: Unsupported start tag "div"'
    status, body = await call(api, "sendMessage", chat_id=CHAT, text="<b>x", parse_mode="HTML")
    assert status == 400


async def test_callbacks_are_answered_once(api: FakeBotAPI) -> None:
    query_id = api.inject_callback(CHAT, 1, "forged")["callback_query"]["id"]
    assert (await call(api, "answerCallbackQuery", callback_query_id=query_id))[0] == 200
    status, _ = await call(api, "answerCallbackQuery", callback_query_id=query_id)
    assert status == 400
    assert (await call(api, "answerCallbackQuery", callback_query_id="nope"))[0] == 400


@pytest.mark.parametrize(
    "fields",
    [{"sticker": STICKER}, {"photo": PHOTO}, {"voice": VOICE}, {"location": LOCATION}],
    ids=["sticker", "photo", "voice", "location"],
)
async def test_bad_input_samples_parse_in_both_libraries(
    api: FakeBotAPI, fields: dict[str, Any]
) -> None:
    update = api.inject_message(CHAT, None, **fields)
    edited = api.inject_edited_message(
        CHAT, api.inject_message(CHAT, "a")["message"]["message_id"], "b"
    )
    for raw in (update, edited):
        assert ag.Update.model_validate(raw).update_id == raw["update_id"]
        assert Update.de_json(raw, None).update_id == raw["update_id"]


def test_thread_handle_serves_other_threads_and_processes() -> None:
    with FakeBotAPI.run_in_thread() as handle, httpx.Client(trust_env=False) as client:
        url = handle.api_url(TOKEN)
        assert client.get(f"{url}/getMe").json()["result"]["is_bot"] is True

        update = handle.inject_message(CHAT, "/start", language_code="en")
        got = client.post(f"{url}/getUpdates", data={"offset": "0", "timeout": "1"}).json()
        assert got["result"] == [update]
        assert update["message"]["from"]["language_code"] == "en"

        # multipart, as the libraries send uploads
        sent = client.post(
            f"{url}/sendMessage",
            data={"chat_id": str(CHAT), "text": "123"},
            files={"thumbnail": ("a.txt", b"x", "text/plain")},
        ).json()
        assert sent["result"]["text"] == "123"
        assert handle.wait_for(lambda: handle.sent_texts(CHAT)) == ["123"]

        handle.fail_next("getMe", status=503)
        assert client.get(f"{url}/getMe").status_code == 503
        assert [c.status for c in handle.calls_to("getMe")] == [200, 503]
