"""Compose's labels and container names; the observed state read back from them; the action lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from compose.model import FrozenMap, Project
from compose.plan import actions as A
from compose.plan import labels as L
from compose.plan.observed import Observed, ObservedContainer, ObservedNetwork
from pycompose import __version__

PROJECT = Project.from_canonical({"name": "demo", "services": {
    "web": {"image": "nginx", "labels": {"team": "a", L.PROJECT: "spoofed"},
            "depends_on": {"db": {"condition": "service_healthy", "restart": True, "required": True},
                           "cache": {"condition": "service_started", "required": True}}},
    "db": {"image": "postgres", "container_name": "the-db"},
    "cache": {"image": "redis"}},
    "networks": {"default": {"name": "demo_default", "labels": {"x": "1"}}},
    "volumes": {"data": {"name": "demo_data"}}}, working_dir=Path("/srv/demo"))


def test_container_labels():
    web = PROJECT.services["web"]
    assert L.container_labels(PROJECT, web, 2, config_files=("/srv/demo/compose.yaml", "/srv/demo/o.yaml"),
                              image_digest="sha256:abc") == {
        "team": "a",
        "com.docker.compose.project": "demo",
        "com.docker.compose.service": "web",
        "com.docker.compose.container-number": "2",
        "com.docker.compose.oneoff": "False",
        "com.docker.compose.config-hash": web.config_hash,
        "com.docker.compose.project.config_files": "/srv/demo/compose.yaml,/srv/demo/o.yaml",
        "com.docker.compose.project.working_dir": "/srv/demo",
        "com.docker.compose.depends_on": "db:service_healthy:true,cache:service_started:false",
        "com.docker.compose.version": __version__,
        "com.docker.compose.image": "sha256:abc",
    }


def test_network_and_volume_labels():
    assert L.network_labels(PROJECT, "default", PROJECT.networks["default"], config_hash="h") == {
        "x": "1", L.PROJECT: "demo", L.NETWORK: "default", L.VERSION: __version__, L.CONFIG_HASH: "h"}
    assert L.volume_labels(PROJECT, "data", PROJECT.volumes["data"]) == {
        L.PROJECT: "demo", L.VOLUME: "data", L.VERSION: __version__}


@pytest.mark.parametrize("service, number, expected", [("web", 1, "demo-web-1"), ("web", 12, "demo-web-12"),
                                                        ("db", 1, "the-db")])
def test_container_names(service, number, expected):
    assert L.service_container_name(PROJECT, PROJECT.services[service], number) == expected


def test_observed_from_labels_round_trip():
    labels = L.container_labels(PROJECT, PROJECT.services["web"], 3, image_digest="sha256:d")
    c = ObservedContainer.from_labels("id1", "demo-web-3", labels, state="exited", exit_code=2, networks=("n",))
    assert c == ObservedContainer("id1", "demo-web-3", "web", 3, False, PROJECT.services["web"].config_hash,
                                  "sha256:d", "exited", 2, None, ("n",))
    assert not c.running
    odd = ObservedContainer.from_labels("id2", "x", {L.ONEOFF: "True", L.CONTAINER_NUMBER: "n/a"})
    assert (odd.oneoff, odd.number, odd.config_hash, odd.image_digest) == (True, 0, "", None)


@pytest.mark.parametrize("state, running", [("running", True), ("paused", True), ("restarting", True),
                                            ("created", False), ("exited", False), ("dead", False)])
def test_running_states(state, running):
    assert ObservedContainer("i", "n", "s", state=state).running is running


def test_observed_lookups():
    observed = Observed("demo", containers=(ObservedContainer("b", "demo-web-2", "web", 2),
                                            ObservedContainer("a", "demo-web-1", "web", 1),
                                            ObservedContainer("r", "demo-web-run", "web", oneoff=True)),
                        networks=(ObservedNetwork.from_labels("demo_default", {L.CONFIG_HASH: "h"}),))
    assert [c.id for c in observed.of_service("web")] == ["a", "b"]
    assert observed.network("demo_default").config_hash == "h"
    assert observed.network("nope") is None and observed.volume("nope") is None


@pytest.mark.parametrize("action, line", [
    (A.CreateNetwork("default", "demo_default"), "Network demo_default  Creating"),
    (A.RemoveNetwork("demo_default"), "Network demo_default  Removing"),
    (A.CreateVolume("data", "demo_data"), "Volume demo_data  Creating"),
    (A.RemoveVolume("demo_data"), "Volume demo_data  Removing"),
    (A.PullImage("nginx", ("web",)), "Image nginx  Pulling"),
    (A.BuildImage("demo-web", "web"), "Image demo-web  Building"),
    (A.RemoveImage("nginx"), "Image nginx  Removing"),
    (A.CreateContainer("web", 1, "demo-web-1", "h", "nginx"), "Container demo-web-1  Creating"),
    (A.RecreateContainer("web", 1, "i", "demo-web-1", "demo-web-1", "h", "nginx", "forced"),
     "Container demo-web-1  Recreate"),
    (A.StartContainer("web", "demo-web-1"), "Container demo-web-1  Starting"),
    (A.StopContainer("web", "demo-web-1", "i"), "Container demo-web-1  Stopping"),
    (A.RestartContainer("web", "demo-web-1", "i"), "Container demo-web-1  Restarting"),
    (A.RemoveContainer("web", "demo-web-1", "i"), "Container demo-web-1  Removing"),
    (A.WaitDependency("web", "db", "service_healthy"), "Service db  Waiting (healthy)"),
    (A.WarnOrphans(("demo-a-1", "demo-b-1")),
     "Found orphan containers ([demo-a-1 demo-b-1]) for this project. If you removed or renamed this service in "
     "your compose file, you can run this command with the --remove-orphans flag to clean it up."),
    (A.RemoveOrphans((("i", "demo-a-1"),)), "Orphan containers demo-a-1  Removing"),
])
def test_describe(action, line):
    assert action.describe() == line


def test_actions_are_frozen_and_hashable():
    a = A.CreateContainer("web", 1, "demo-web-1", "h", "nginx", FrozenMap({"k": "v"}))
    assert hash(a) == hash(A.CreateContainer("web", 1, "demo-web-1", "h", "nginx", FrozenMap({"k": "v"})))
    with pytest.raises(AttributeError):
        a.name = "other"  # type: ignore[misc]
