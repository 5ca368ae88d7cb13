"""The crisis layer reads every typed answer first, so its cost is on every update.

Prints the time per message for ordinary answers, a long ordinary text, and the worst
cases we know at a Telegram message's limit (4,096 characters): distinct random words,
and random characters of several scripts with spaces, both with cold caches (every
word new). Writes bench/results/crisis_detection.json.
Run: `.venv/bin/python bench/crisis_detection.py`.
"""

from __future__ import annotations

import json
import random
import statistics
import string
import time
from pathlib import Path

from flows.engine.crisis import CrisisPhrases, crisis_phrases

ORDINARY = ["Heerlen", "ja", "ik slaap bij mijn zus", "45 jaar", "14 maart 1985", "geen idee"]


def per_call_ms(texts: list[str], repeat: int, fresh: bool) -> float:
    """Median milliseconds per message; `fresh` clears the caches before each call."""
    times = []
    for _ in range(repeat):
        for text in texts:
            if fresh:
                crisis_phrases.cache_clear()
                phrases: CrisisPhrases = crisis_phrases()
                started = time.perf_counter()
                phrases.detect(text)
            else:
                started = time.perf_counter()
                crisis_phrases().detect(text)  # not detect_crisis: it remembers texts
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    rng = random.Random(1)
    random_words = " ".join(
        "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(2, 9)))
        for _ in range(900)
    )[:4096]
    scripts = "ąęłóżабвгдеєжзиіїйклмнопрстуфхцчшщьюяابتثجحخدرزسشصطعغفقكلمنهوي"
    alphabet = string.ascii_letters + scripts + " " * 12
    random_chars = "".join(rng.choice(alphabet) for _ in range(4096))
    long_dutch = ("ik zoek een huis voor mij en mijn kinderen " * 100)[:4096]
    crisis_phrases()
    figures = {
        "ordinary answer (warm caches)": per_call_ms(ORDINARY, 200, fresh=False),
        "ordinary answer (cold caches)": per_call_ms(ORDINARY, 5, fresh=True),
        "4096 chars of Dutch (cold caches)": per_call_ms([long_dutch], 3, fresh=True),
        "4096 chars of random words (cold caches)": per_call_ms([random_words], 3, fresh=True),
        "4096 random chars, mixed scripts (cold caches)": per_call_ms(
            [random_chars], 3, fresh=True
        ),
    }
    print(f"crisis layer, {len(crisis_phrases().phrases)} phrases: median ms per message")
    for name, value in figures.items():
        print(f"  {name:45}{value:10.2f}")
    out = Path(__file__).parent / "results" / "crisis_detection.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
