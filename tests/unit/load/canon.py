"""A service through the process rules of the canonical phase, twice: the second pass must change nothing."""

from pathlib import Path

from compose.load.canonical import Context, apply
from compose.load.canonical.process import RULES


def canon(service: dict, environ: dict | None = None, working_dir: Path = Path("/project")) -> dict:
    ctx = Context(working_dir, "p", {"HOME": "/root"} if environ is None else environ)
    data = {"services": {"s": service}}
    for pattern, rule in RULES:
        data = apply(data, tuple(pattern.split(".")), rule, ctx)
    again = data
    for pattern, rule in RULES:
        again = apply(again, tuple(pattern.split(".")), rule, ctx)
    assert again == data, "canonical form is not idempotent"
    return data["services"]["s"]
