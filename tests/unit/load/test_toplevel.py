"""Top-level keys: `version` dropped; `name`, `x-*` and `models` printed as written."""

from pathlib import Path

from compose.load.canonical import Context, apply
from compose.load.canonical.toplevel import RULES

CTX = Context(Path("/project"), "p", {})


def canon(data: dict) -> dict:
    for pattern, rule in RULES:
        data = apply(data, tuple(pattern.split(".")), rule, CTX)
    return data


def test_version_dropped_name_and_extensions_kept():
    given = {"name": "p", "version": "3.8", "x-top": [1, 2], "services": {}}
    assert canon(given) == {"name": "p", "x-top": [1, 2], "services": {}}


def test_models_kept():
    given = {"models": {"m1": {"model": "ai/smollm2"},
                        "m2": {"model": "ai/x", "name": "custom", "context_size": 1024, "runtime_flags": ["--a"]}}}
    assert canon(given) == given
    assert canon({"models": {"m": {"model": "x", "runtime_flags": []}}}) == {"models": {"m": {"model": "x"}}}
