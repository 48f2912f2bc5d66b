"""Names for containers created without one: `adjective_scientist`, as Docker makes them (its own lists are
longer; these are ours)."""

from __future__ import annotations

import random

ADJECTIVES = ("admiring", "brave", "clever", "dazzling", "eager", "focused", "gallant", "happy", "jolly", "keen",
              "lucid", "modest", "nifty", "optimistic", "peaceful", "quirky", "relaxed", "serene", "tender",
              "upbeat", "vibrant", "wizardly", "youthful", "zealous")
SCIENTISTS = ("agnesi", "babbage", "curie", "darwin", "euler", "faraday", "gauss", "hopper", "hypatia", "johnson",
              "kepler", "lovelace", "meitner", "noether", "ohm", "pascal", "ramanujan", "shannon", "tesla",
              "turing", "volta", "wiles", "yalow", "zuse")


def generate(taken: set[str]) -> str:
    rng = random.SystemRandom()
    for attempt in range(100):
        name = f"{rng.choice(ADJECTIVES)}_{rng.choice(SCIENTISTS)}"
        if attempt > 10:
            name += str(rng.randint(0, 9))
        if name not in taken:
            return name
    return f"{rng.choice(ADJECTIVES)}_{rng.choice(SCIENTISTS)}{rng.randint(10, 99999)}"
