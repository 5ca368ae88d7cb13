"""Injected failures: the next N calls of a method, or a seeded share of them.

    api.fail_next("sendMessage", status=429, retry_after=2, count=3)
    api.fail_ratio("sendMessage", 0.3, status=429, retry_after=1, seed=7)   # a 429 storm
    api.fail_next("sendMessage", status=502)                                 # a 5xx answer

A failed call does nothing on the server (the message is not sent), exactly like a real
429. `"*"` as the method matches every method, getUpdates included.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from http import HTTPStatus

from tests.fakes.telegram_rules import ApiError

__all__ = ["Fault", "FaultPlan"]

ANY_METHOD = "*"


@dataclass(frozen=True)
class Fault:
    """One failure answer: the status, its description and for 429 `retry_after`."""

    status: int = HTTPStatus.TOO_MANY_REQUESTS
    retry_after: int | None = 1
    description: str | None = None

    def error(self) -> ApiError:
        if self.status == HTTPStatus.TOO_MANY_REQUESTS:
            retry_after = self.retry_after if self.retry_after is not None else 1
            description = self.description or f"Too Many Requests: retry after {retry_after}"
            return ApiError(self.status, description, {"retry_after": retry_after})
        try:
            phrase = HTTPStatus(self.status).phrase
        except ValueError:
            phrase = "Error"
        return ApiError(self.status, self.description or phrase)


@dataclass
class _NextRule:
    method: str
    fault: Fault
    remaining: int


@dataclass
class _RatioRule:
    method: str
    fault: Fault
    ratio: float
    rng: random.Random = field(repr=False)


def _matches(rule_method: str, method: str) -> bool:
    return rule_method == ANY_METHOD or rule_method.lower() == method.lower()


class FaultPlan:
    """The failures still to inject; `take(method)` consumes the one that applies."""

    def __init__(self) -> None:
        self._next: list[_NextRule] = []
        self._ratios: list[_RatioRule] = []
        self.injected: list[tuple[str, Fault]] = []

    def fail_next(self, method: str, fault: Fault, count: int = 1) -> None:
        if count < 1:
            raise ValueError("count must be at least 1")
        self._next.append(_NextRule(method, fault, count))

    def fail_ratio(self, method: str, fault: Fault, ratio: float, seed: int = 0) -> None:
        if not 0.0 <= ratio <= 1.0:
            raise ValueError("ratio must be between 0 and 1")
        self._ratios = [rule for rule in self._ratios if rule.method != method]
        if ratio > 0:
            self._ratios.append(_RatioRule(method, fault, ratio, random.Random(seed)))

    def clear(self, method: str | None = None) -> None:
        """Forget the failures still planned, for one method or for all."""
        self._next = [r for r in self._next if method is not None and r.method != method]
        self._ratios = [r for r in self._ratios if method is not None and r.method != method]

    def take(self, method: str) -> Fault | None:
        for rule in self._next:
            if _matches(rule.method, method):
                rule.remaining -= 1
                if rule.remaining == 0:
                    self._next.remove(rule)
                self.injected.append((method, rule.fault))
                return rule.fault
        for ratio_rule in self._ratios:
            if _matches(ratio_rule.method, method) and ratio_rule.rng.random() < ratio_rule.ratio:
                self.injected.append((method, ratio_rule.fault))
                return ratio_rule.fault
        return None
