"""The fake Bot API in a thread of its own, for bots that run in another process.

    with FakeBotAPI.run_in_thread() as handle:
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": TEST_TOKEN,
               "TELEGRAM_API_BASE_URL": handle.base_url}
        process = subprocess.Popen(["intake", "serve"], env=env)
        handle.inject_message(42, "/start")
        handle.wait_for(lambda: handle.sent_messages(42), timeout=10)

The handle has the fake's controls under the same names. Each runs on the fake's own
event loop and waits for its result, so the handle is safe to use from any thread, and
from an async test too (`await handle.wait_for_async(...)` does not block its loop).
`handle.call(lambda api: ...)` runs anything else on the fake.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Concatenate, ParamSpec, TypeVar

from tests.fakes.telegram_api import ApiCall, FakeBotAPI, Webhook, WebhookDelivery
from tests.fakes.telegram_chats import CallbackRecord
from tests.fakes.telegram_objects import JSONDict
from tests.fakes.telegram_rate import RateViolation

__all__ = ["FakeBotAPIThread"]

P = ParamSpec("P")
T = TypeVar("T")
CALL_TIMEOUT = 10.0


def _proxy(
    method: Callable[Concatenate[FakeBotAPI, P], T],
) -> Callable[Concatenate[FakeBotAPIThread, P], T]:
    def forward(self: FakeBotAPIThread, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return self.call(lambda api: method(api, *args, **kwargs))

    forward.__name__ = method.__name__
    forward.__doc__ = method.__doc__
    return forward


class FakeBotAPIThread:
    """A started `FakeBotAPI` on its own loop in a daemon thread; close it when done."""

    def __init__(self, **kwargs: Any) -> None:
        self._kwargs = kwargs
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self._closed = False
        self._api: FakeBotAPI | None = None
        self._thread = threading.Thread(target=self._serve, name="fake-bot-api", daemon=True)
        self._thread.start()
        if not self._ready.wait(CALL_TIMEOUT):
            raise TimeoutError("the fake Bot API did not start")
        if self._failure is not None:
            raise RuntimeError("the fake Bot API did not start") from self._failure

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._api = FakeBotAPI(**self._kwargs)
            self._loop.run_until_complete(self._api.start())
        except BaseException as failure:  # reported to the starting thread
            self._failure = failure
            self._ready.set()
            self._loop.close()
            return
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            self._loop.run_until_complete(self._loop.shutdown_asyncgens())
            self._loop.close()

    @property
    def api(self) -> FakeBotAPI:
        """The fake itself: touch it only through `call` from other threads."""
        assert self._api is not None
        return self._api

    def call(self, function: Callable[[FakeBotAPI], T]) -> T:
        """Run `function(api)` on the fake's loop and return its result."""
        if threading.current_thread() is self._thread:
            return function(self.api)
        if self._closed:
            raise RuntimeError("the fake Bot API is closed")
        future: concurrent.futures.Future[T] = concurrent.futures.Future()

        def run() -> None:
            try:
                future.set_result(function(self.api))
            except BaseException as failure:
                future.set_exception(failure)

        self._loop.call_soon_threadsafe(run)
        return future.result(CALL_TIMEOUT)

    def close(self) -> None:
        """Stop the server and the thread (idempotent)."""
        if self._closed:
            return
        asyncio.run_coroutine_threadsafe(self.api.close(), self._loop).result(CALL_TIMEOUT)
        self._closed = True
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(CALL_TIMEOUT)

    def __enter__(self) -> FakeBotAPIThread:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # --- the fake's controls, thread-safe --------------------------------------------

    @property
    def base_url(self) -> str:
        return self.api.base_url

    def api_url(self, token: str | None = None) -> str:
        return self.api.api_url(token) if token else self.api.api_url()

    inject_message = _proxy(FakeBotAPI.inject_message)
    inject_edited_message = _proxy(FakeBotAPI.inject_edited_message)
    inject_callback = _proxy(FakeBotAPI.inject_callback)
    inject_update = _proxy(FakeBotAPI.inject_update)
    fail_next = _proxy(FakeBotAPI.fail_next)
    fail_ratio = _proxy(FakeBotAPI.fail_ratio)
    clear_faults = _proxy(FakeBotAPI.clear_faults)
    calls_to = _proxy(FakeBotAPI.calls_to)
    sent_messages = _proxy(FakeBotAPI.sent_messages)
    sent_texts = _proxy(FakeBotAPI.sent_texts)
    edits = _proxy(FakeBotAPI.edits)
    message = _proxy(FakeBotAPI.message)
    unanswered_callbacks = _proxy(FakeBotAPI.unanswered_callbacks)
    commands = _proxy(FakeBotAPI.commands)
    describe_calls = _proxy(FakeBotAPI.describe_calls)

    @property
    def calls(self) -> list[ApiCall]:
        return self.call(lambda api: api.calls)

    @property
    def callback_answers(self) -> list[CallbackRecord]:
        return self.call(lambda api: api.callback_answers)

    @property
    def pending_updates(self) -> list[JSONDict]:
        return self.call(lambda api: api.pending_updates)

    @property
    def webhook(self) -> Webhook | None:
        return self.call(lambda api: api.webhook)

    @property
    def webhook_deliveries(self) -> list[WebhookDelivery]:
        return self.call(lambda api: list(api.webhook_deliveries))

    @property
    def rate_violations(self) -> list[RateViolation]:
        return self.call(lambda api: api.rate_violations)

    def wait_for(
        self,
        predicate: Callable[[], T],
        timeout: float = 5.0,
        interval: float = 0.02,
    ) -> T:
        """Block until `predicate()` is truthy and return it; AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if result:
                return result
            if time.monotonic() >= deadline:
                raise AssertionError(
                    f"condition not met within {timeout} s; last calls: {self.describe_calls()}"
                )
            time.sleep(interval)

    async def wait_for_async(
        self,
        predicate: Callable[[], T],
        timeout: float = 5.0,  # noqa: ASYNC109 - the documented test-helper API
        interval: float = 0.02,
    ) -> T:
        """`wait_for` for async tests: polls without blocking the caller's event loop."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = await asyncio.to_thread(predicate)
            if result:
                return result
            if loop.time() >= deadline:
                raise AssertionError(
                    f"condition not met within {timeout} s; last calls: {self.describe_calls()}"
                )
            await asyncio.sleep(interval)
