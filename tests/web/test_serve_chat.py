"""`make run` without a Telegram token serves the chat at http://127.0.0.1:8080/: the
app `intake serve` runs has the chat, and the real command answers `/` with it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bot.app import create_app
from tests.web.browser_support import free_port
from tests.web.conftest import settings_for

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
    port = free_port()
    drop = ("TELEGRAM_BOT_TOKEN", "DATABASE_URL", "SECRET_KEY", "WEB_COOKIE_SECURE")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["PORT"] = str(port)
    intake = Path(sys.executable).with_name("intake")
    process = subprocess.Popen(
        [str(intake), "serve"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        answer = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/", follow_redirects=True, timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert answer is not None, "no answer within 30 s"
        assert answer.status_code == 200 and QUESTION in answer.text
        assert answer.url.path == "/chat"
        # Plain http on 127.0.0.1: a cookie the browser keeps without https.
        assert answer.headers["set-cookie"].startswith("lh_chat=")
    finally:
        process.terminate()
        process.wait(timeout=10)
