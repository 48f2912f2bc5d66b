"""`links`, and the dependencies compose-go reads from links, `service:` modes and volumes_from."""

from pathlib import Path

from compose.load.canonical import Context, apply
from compose.load.canonical.networks import RULES

CTX = Context(Path("/project"), "p", {})
RESTART = {"condition": "service_started", "restart": True, "required": True}
STARTED = {"condition": "service_started", "required": True}


def service(**attrs) -> dict:
    data = {"services": {"s": attrs}}
    for pattern, rule in RULES:
        data = apply(data, tuple(pattern.split(".")) if pattern else (), rule, CTX)
    return data["services"]["s"]


def test_links_kept_each_once_and_implied():
    s = service(links=["db", "db2:alias", "db", "db2:other"], depends_on=["c"])
    assert s["links"] == ["db", "db2:alias", "db2:other"]
    assert s["depends_on"] == {"c": STARTED, "db": RESTART, "db2": RESTART}


def test_service_modes_imply_restart():
    s = service(network_mode="service:db", ipc="service:db2", pid="service:db3")
    assert s["depends_on"] == {"db": RESTART, "db2": RESTART, "db3": RESTART}
    assert "networks" not in s
    assert "depends_on" not in service(network_mode="container:foo", ipc="shareable", pid="host")


def test_volumes_from_implies_started_without_restart():
    s = service(volumes_from=["db", "db3:ro", "container:x"])
    assert s["depends_on"] == {"db": STARTED, "db3": STARTED}


def test_links_win_over_volumes_from_and_written_entries_win_over_both():
    assert service(volumes_from=["db"], links=["db"])["depends_on"] == {"db": RESTART}
    assert service(links=["db"], volumes_from=["db2"], depends_on={
        "db": {"condition": "service_healthy"}, "db2": {"condition": "service_healthy", "restart": False}},
    )["depends_on"] == {"db": {"condition": "service_healthy", "required": True},
                        "db2": {"condition": "service_healthy", "required": True}}
    assert service(links=["db"], depends_on=["db"])["depends_on"] == {"db": STARTED}


def test_idempotent():
    once = service(links=["db:a"], volumes_from=["v"], network_mode="service:n")
    assert service(**once) == once
