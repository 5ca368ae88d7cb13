"""For the browser tests: the real ASGI app under uvicorn on 127.0.0.1 in a thread,
a driver that does golden scenario steps through the page like a person (buttons,
tick boxes, the text field), and axe-core from the npm registry."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Page

from tests.factories.environment import services_required
from tests.serving import free_port

ROOT = Path(__file__).resolve().parents[2]
AXE_DIR = ROOT / ".cache" / "axe"
AXE_SCRIPT = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "docs" / "screenshots"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Run `app` with uvicorn on a free 127.0.0.1 port; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def axe_script() -> Path:
    """axe-core, installed from the npm registry into .cache/axe the first time."""
    if AXE_SCRIPT.exists():
        return AXE_SCRIPT
    npm = shutil.which("npm")
    if npm is None:
        reason = "npm is not installed (apt-get install npm): axe-core cannot be installed"
        if services_required():
            pytest.fail(reason)
        pytest.skip(reason)
    AXE_DIR.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [npm, "install", "--prefix", str(AXE_DIR), "--no-audit", "--no-fund", "axe-core@4"],
        check=True,
        capture_output=True,
        timeout=300,
    )
    assert AXE_SCRIPT.exists(), "npm did not install axe-core"
    return AXE_SCRIPT


def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the page (WCAG 2.1 A and AA)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(axe_script()))
    result = page.evaluate(
        """async () => {
            const r = await window.axe.run(document, {
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                                 'best-practice']}
            });
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }"""
    )
    return [
        json.dumps(v, ensure_ascii=False) for v in result if v["impact"] in ("serious", "critical")
    ]


@dataclass
class ChatDriver:
    """Does golden scenario steps on the chat page, as a person with a mouse would.
    With JavaScript each answer updates the page in place; without, it loads anew."""

    page: Page
    javascript: bool = True

    def _form_id(self) -> str:
        return self.page.locator("#now input[name=form_id]").first.input_value()

    def _after(self, action: Any) -> None:
        if not self.javascript:
            with self.page.expect_navigation():
                action()
            return
        before = self._form_id()
        action()
        self.page.wait_for_function(
            "old => { const f = document.querySelector('#now input[name=form_id]');"
            " return f && f.value !== old; }",
            arg=before,
        )

    def press(self, option: str) -> None:
        button = self.page.locator(f'#now button[name=option][value="{option}"]')
        if button.count():
            self._after(button.click)
            return
        if option == "_done":
            self._after(self.page.locator("#now form.answer-checks button[type=submit]").click)
            return
        self.page.locator(f'#now input[name=options][value="{option}"]').click()

    def tick(self, options: list[str]) -> None:
        for option in options:
            self.page.locator(f'#now input[name=options][value="{option}"]').check()
        self._after(self.page.locator("#now form.answer-checks button[type=submit]").click)

    def type(self, text: str) -> None:
        self.page.locator("#answer").fill(text)
        self._after(self.page.locator("#now form.answer-text button[type=submit]").click)

    def command(self, name: str) -> None:
        self._after(self.page.locator(f'#now button[name=command][value="{name}"]').click)

    def language(self, code: str) -> None:
        with self.page.expect_navigation():
            self.page.locator(f'form.languages button[value="{code}"]').click()

    def step(self, step: Any) -> None:
        if isinstance(step, str):
            self.type(step)
            return
        ((kind, value),) = step.items()
        if kind == "choice":
            self.press(str(value))
        elif kind == "select":
            self.tick([str(v) for v in value])
        elif kind == "command":
            self.command(str(value))
        elif kind == "language":
            self.language(str(value))
        else:
            raise AssertionError(f"unknown step {step!r}")

    def my_answers(self) -> list[str]:
        return [t.strip() for t in self.page.locator("#log .bubble.me").all_inner_texts()]


def screenshot(page: Page, name: str) -> None:
    """docs/screenshots/webchat-NAME.png, written when missing or when asked for with
    UPDATE_SCREENSHOTS=1 (codes on the page differ each run: no churn in git)."""
    image = page.screenshot(full_page=False)
    assert image.startswith(b"\x89PNG")
    path = SCREENSHOTS / f"webchat-{name}.png"
    if not path.exists() or os.environ.get("UPDATE_SCREENSHOTS", "") not in ("", "0"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path.write_bytes(image)
