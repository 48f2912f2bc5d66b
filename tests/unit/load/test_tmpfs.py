"""`services.*.tmpfs` (a string or a list) and `services.*.volumes_from`, as `docker compose config` prints them."""

from pathlib import Path

from compose.load.canonical import Context, apply
from compose.load.canonical.storage import RULES

CTX = Context(Path("/project"), "p", {})


def service(**attrs) -> dict:
    data = {"services": {"s": attrs}}
    for pattern, rule in RULES:
        data = apply(data, tuple(pattern.split(".")), rule, CTX)
    return data["services"]["s"]


def test_string_becomes_list():
    assert service(tmpfs="/run")["tmpfs"] == ["/run"]


def test_entries_kept_as_written_once_per_text_before_equals():
    assert service(tmpfs=["/a", "/b:size=10m,mode=1777", "/a", "/t:size=10m", "/t:size=20m"])["tmpfs"] == [
        "/a", "/b:size=10m,mode=1777", "/t:size=20m"]


def test_empty_dropped():
    assert service(tmpfs=[], volumes_from=[]) == {}


def test_volumes_from_kept():
    entries = ["o", "o2:ro", "container:c1", "container:c2:rw"]
    assert service(volumes_from=entries)["volumes_from"] == entries


def test_idempotent():
    once = service(tmpfs="/run", volumes_from=["o"])
    assert service(**once) == once
