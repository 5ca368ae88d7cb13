"""Declarative conditions over facts: data, never evaluated Python.

A condition is a mapping, for example::

    {fact: age, lt: 18}
    {fact: sleeping_place, in: [public_space, emergency_shelter]}
    {fact: problems, count_gte: 2}
    {fact: detention_release_date, at_most_months_ago: 12}
    {unknown: age}
    {all: [...]}  {any: [...]}  {not: {...}}

A comparison on a fact that is not known does not hold; `unknown` tests for that.
Date comparisons are relative to the screening date passed in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

__all__ = ["OPERATORS", "ConditionError", "evaluate", "facts_of", "validate"]

Facts = Mapping[str, Any]


class ConditionError(ValueError):
    """A condition that is not well formed."""


def _months_ago(on: date, months: int) -> date:
    year, month = divmod(on.year * 12 + on.month - 1 - months, 12)
    month += 1
    day = on.day
    while True:
        try:
            return date(year, month, day)
        except ValueError:
            day -= 1


def _count(value: Any) -> int:
    return len(value) if isinstance(value, list | tuple | set | frozenset) else 0


OPERATORS: dict[str, Callable[[Any, Any, date], bool]] = {
    "eq": lambda value, arg, on: bool(value == arg),
    "ne": lambda value, arg, on: bool(value != arg),
    "in": lambda value, arg, on: value in arg,
    "not_in": lambda value, arg, on: value not in arg,
    "lt": lambda value, arg, on: bool(value < arg),
    "lte": lambda value, arg, on: bool(value <= arg),
    "gt": lambda value, arg, on: bool(value > arg),
    "gte": lambda value, arg, on: bool(value >= arg),
    "contains": lambda value, arg, on: arg in value,
    "count_gte": lambda value, arg, on: _count(value) >= arg,
    "after_screening": lambda value, arg, on: (value > on) is bool(arg),
    "at_most_months_ago": lambda value, arg, on: value >= _months_ago(on, int(arg)),
}


def validate(condition: Any, known_facts: frozenset[str] | None = None) -> list[str]:
    """Every problem with a condition, as readable messages (empty when it is fine)."""
    problems: list[str] = []
    _validate(condition, known_facts, "", problems)
    return problems


def _validate(cond: Any, known: frozenset[str] | None, where: str, out: list[str]) -> None:
    here = where or "condition"
    if not isinstance(cond, Mapping):
        out.append(f"{here}: a condition must be a mapping, not {type(cond).__name__}")
        return
    keys = set(cond)
    combinators = keys & {"all", "any", "not"}
    if combinators:
        if len(keys) != 1:
            out.append(
                f"{here}: '{next(iter(combinators))}' must stand alone, found {sorted(keys)}"
            )
            return
        key = next(iter(combinators))
        if key == "not":
            _validate(cond["not"], known, f"{here}.not", out)
            return
        items = cond[key]
        if not isinstance(items, list) or not items:
            out.append(f"{here}.{key}: needs a non-empty list of conditions")
            return
        for index, item in enumerate(items):
            _validate(item, known, f"{here}.{key}[{index}]", out)
        return
    if keys == {"unknown"}:
        name = cond["unknown"]
        if known is not None and name not in known:
            out.append(f"{here}: unknown fact {name!r}")
        return
    if "fact" not in keys:
        out.append(f"{here}: needs 'fact', 'unknown', 'all', 'any' or 'not', found {sorted(keys)}")
        return
    ops = keys - {"fact"}
    if len(ops) != 1:
        out.append(
            f"{here}: needs exactly one operator ({', '.join(OPERATORS)}), found {sorted(ops)}"
        )
        return
    op = next(iter(ops))
    if op not in OPERATORS:
        out.append(f"{here}: unknown operator {op!r}; use one of {', '.join(OPERATORS)}")
    if known is not None and cond["fact"] not in known:
        out.append(f"{here}: unknown fact {cond['fact']!r}")


def evaluate(condition: Mapping[str, Any], facts: Facts, on: date) -> bool:
    """Whether a (validated) condition holds for the facts on the screening date."""
    if "all" in condition:
        return all(evaluate(item, facts, on) for item in condition["all"])
    if "any" in condition:
        return any(evaluate(item, facts, on) for item in condition["any"])
    if "not" in condition:
        return not evaluate(condition["not"], facts, on)
    if "unknown" in condition:
        return facts.get(condition["unknown"]) is None
    value = facts.get(condition["fact"])
    if value is None:
        return False
    (op,) = (key for key in condition if key != "fact")
    try:
        return OPERATORS[op](value, condition[op], on)
    except TypeError:
        return False


def facts_of(condition: Mapping[str, Any]) -> set[str]:
    """The names of all facts a condition looks at."""
    if "all" in condition or "any" in condition:
        key = "all" if "all" in condition else "any"
        return set().union(*(facts_of(item) for item in condition[key]))
    if "not" in condition:
        return facts_of(condition["not"])
    if "unknown" in condition:
        return {condition["unknown"]}
    return {condition["fact"]}
