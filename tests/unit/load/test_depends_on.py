"""`services.*.depends_on`: short and long syntax -> the long form `docker compose config` prints."""

from pathlib import Path

import pytest

from compose.errors import FileError
from compose.load.canonical import Context, apply
from compose.load.canonical.networks import RULES

CTX = Context(Path("/project"), "p", {})
STARTED = {"condition": "service_started", "required": True}


def depends(value):
    data = {"services": {"s": {"depends_on": value, "network_mode": "none"}}}
    for pattern, rule in RULES:
        data = apply(data, tuple(pattern.split(".")) if pattern else (), rule, CTX)
    return data["services"]["s"].get("depends_on")


def test_short():
    assert depends(["db", "cache"]) == {"db": STARTED, "cache": STARTED}


def test_long():
    assert depends({"c": {"condition": "service_healthy"},
                    "d": {"condition": "service_completed_successfully", "required": False, "restart": True},
                    "e": {"condition": "service_started", "restart": False}}) == {
        "c": {"condition": "service_healthy", "required": True},
        "d": {"condition": "service_completed_successfully", "restart": True, "required": False},
        "e": STARTED}


def test_empty_dropped():
    assert depends([]) is None


def test_idempotent():
    once = depends({"d": {"condition": "service_healthy", "restart": True}})
    assert depends(once) == once


def test_entry_must_be_mapping():
    with pytest.raises(FileError, match="mapping"):
        depends({"db": None})
