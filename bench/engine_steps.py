"""The engine alone: steps per second over scripted intakes.

Every golden scenario (tests/flows/scenarios) is replayed with `start` and `resume`,
no database and no channel, again and again for `--seconds`. A step is one `start`
or one `resume`. Two ways:

- pure: the engine only (sessions stay Python objects);
- with JSON: each step also does what the service does around it: the session is
  read from its JSON form and written back (`Session.from_json` / `to_json`, dumped
  to a string as the database column stores it).

Beside it, the crisis check alone (`detect_crisis`, run on every typed text, before
anything else) on texts of growing length: its cost grows with the number of words.

Prints steps per second and p50/p99 per step; writes bench/results/engine_steps.json.
Run: `.venv/bin/python bench/engine_steps.py [--seconds 5]`.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import statistics
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from common import latencies_ms, write_result

from flows.engine import Env, Session, detect_crisis, flow_library, resume, start
from flows.engine.prompts import Prompt
from tests.scenario_files import Scenario, load_scenarios, step_input


def env_at(now: datetime) -> Env:
    counter = itertools.count(1)
    return Env(clock=lambda: now, ids=lambda kind: f"{kind}-{next(counter)}")


def replay(scenario: Scenario, durations: list[float], with_json: bool) -> int:
    """One scenario, start to end; the number of steps (each timed into `durations`)."""
    flow = flow_library().current(scenario.flow)
    env = env_at(scenario.now)
    clock = time.perf_counter
    began = clock()
    sprint = start(flow, env, locale="nl")
    stored = json.dumps(sprint.session.to_json()) if with_json else ""
    durations.append(clock() - began)
    session = sprint.session
    prompt: Prompt | None = sprint.prompt
    for step in scenario.steps:
        inp = step_input(step, prompt)
        began = clock()
        if with_json:
            session = Session.from_json(json.loads(stored))
        sprint = resume(flow, session, inp, env)
        if with_json:
            stored = json.dumps(sprint.session.to_json())
        durations.append(clock() - began)
        session = sprint.session
        if sprint.prompt is not None or session.pending is None:
            prompt = sprint.prompt
    return len(scenario.steps) + 1


def measure(scenarios: list[Scenario], seconds: float, with_json: bool) -> dict[str, Any]:
    durations: list[float] = []
    passes = steps = 0
    for scenario in scenarios:  # warm up: flows loaded, caches filled
        replay(scenario, [], with_json)
    deadline = time.perf_counter() + seconds
    while passes < 3 or time.perf_counter() < deadline:
        for scenario in scenarios:
            steps += replay(scenario, durations, with_json)
        passes += 1
    busy = sum(durations)
    return {
        "passes": passes,
        "intakes": passes * len(scenarios),
        "steps": steps,
        "steps_per_second": round(steps / busy),
        "intakes_per_second": round(passes * len(scenarios) / busy, 1),
        **latencies_ms(durations),
    }


SENTENCE = (
    "ik slaap al drie weken bij mijn zus op de bank en weet niet waar ik heen moet "
    "want de huur was te hoog en mijn vriend heeft me eruit gezet na de scheiding"
)
WORDS = tuple(SENTENCE.split(" "))


def crisis_costs() -> dict[str, float]:
    """Milliseconds for `detect_crisis` on a fresh text of N characters (no crisis)."""
    rng = random.Random(7)
    out = {}
    for length in (20, 100, 300, 1000, 4096):
        timings = []
        for _ in range(3):
            words: list[str] = []
            while len(" ".join(words)) < length:
                words.append(rng.choice(WORDS) + rng.choice(("", "", "e", "s", "je")))
            typed = " ".join(words)[:length]
            began = time.perf_counter()
            detect_crisis(typed)
            timings.append(time.perf_counter() - began)
        out[str(length)] = round(statistics.median(timings) * 1000, 2)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="per variant")
    args = parser.parse_args()
    scenarios = load_scenarios()
    results: dict[str, Any] = {"scenarios": len(scenarios)}
    variants: dict[str, Callable[[], dict[str, Any]]] = {
        "pure": lambda: measure(scenarios, args.seconds, with_json=False),
        "with_json": lambda: measure(scenarios, args.seconds, with_json=True),
    }
    print(f"engine alone: {len(scenarios)} golden scenarios, repeated")
    print(f"{'variant':<12}{'steps':>9}{'steps/s':>10}{'p50 ms':>9}{'p99 ms':>9}")
    for name, run in variants.items():
        figures = run()
        results[name] = figures
        print(
            f"{name:<12}{figures['steps']:>9}{figures['steps_per_second']:>10}"
            f"{figures['p50_ms']:>9.3f}{figures['p99_ms']:>9.3f}"
        )
    results["detect_crisis_ms_by_length"] = costs = crisis_costs()
    print(
        "detect_crisis on a typed text: "
        + ", ".join(f"{length} chars {ms:.1f} ms" for length, ms in costs.items())
    )
    write_result("engine_steps", results)


if __name__ == "__main__":
    main()
