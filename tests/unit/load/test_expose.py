"""`services.*.expose`: strings, each once, ranges and protocols as written."""

from pathlib import Path

from compose.load.canonical import Context, apply
from compose.load.canonical.ports import RULES

CTX = Context(Path("/project"), "p", {})


def canon(service: dict) -> dict:
    data = {"services": {"s": service}}
    for pattern, rule in RULES:
        data = apply(data, tuple(pattern.split(".")), rule, CTX)
    return data["services"]["s"]


def test_expose():
    assert canon({"expose": [3000, "3000", "4000-4002", "5000/udp", "3000/tcp"]})["expose"] == [
        "3000", "4000-4002", "5000/udp", "3000/tcp"]
    assert "expose" not in canon({"expose": []})
