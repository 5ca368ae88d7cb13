"""`make run` without a Telegram token serves the chat at http://127.0.0.1:8080/: the
app `intake serve` runs has the chat, and the real command answers `/` with it."""

from __future__ import annotations

from pathlib import Path

import httpx

from bot.app import create_app
from tests.factories.web_chat import settings_for
from tests.serving import first_answer, running_serve, serve_env

QUESTION = "Voor wie is deze aanmelding?"


async def test_the_app_of_intake_serve_has_the_chat(db_url: str) -> None:
    settings = settings_for(db_url).model_copy(update={"telegram_bot_token": None})
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8080") as client:
        response = await client.get("/", follow_redirects=True)
        assert str(response.url) == "http://127.0.0.1:8080/chat"
        assert response.status_code == 200 and QUESTION in response.text
        css = await client.get("/chat/static/chat.css")
        assert css.status_code == 200 and "text/css" in css.headers["content-type"]


def test_intake_serve_answers_slash_with_the_chat(tmp_path: Path) -> None:
    env = serve_env()
    with running_serve(tmp_path, env) as process:
        url = f"http://127.0.0.1:{env['PORT']}/"
        answer = first_answer(process, url, follow_redirects=True)
        assert answer is not None, "no answer within 30 s"
        assert answer.status_code == 200 and QUESTION in answer.text
        assert answer.url.path == "/chat"
        # Plain http on 127.0.0.1: a cookie the browser keeps without https.
        assert answer.headers["set-cookie"].startswith("lh_chat=")
