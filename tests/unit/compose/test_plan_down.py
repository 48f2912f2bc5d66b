"""`plan_down`: dependents first, then networks, volumes with -v, images with --rmi; orphans."""

from __future__ import annotations

import pytest

from compose.model import FrozenMap
from compose.plan import actions as A
from compose.plan.down import plan_down
from compose.plan.observed import Observed, ObservedContainer, ObservedNetwork, ObservedVolume
from tests.unit.compose.test_graph import load_project
from tests.unit.compose.test_plan_up import STACK, container, summary, world


@pytest.fixture
def project(tmp_path):
    return load_project(tmp_path, STACK)


def test_down_goes_dependents_first_and_removes_the_networks(project):
    observed = world(project, container(project, "db"), container(project, "web", state="exited"),
                     container(project, "side"))
    assert summary(plan_down(project, observed)) == [
        ("services", {"side": ["stop demo-side-1", "remove demo-side-1"]}),
        ("services", {"web": ["remove demo-web-1"]}),
        ("services", {"db": ["stop demo-db-1", "remove demo-db-1"]}),
        ("resources", {"demo_default": ["Network demo_default  Removing"]}),
    ]


def test_down_with_nothing_there_is_empty(project):
    assert plan_down(project, Observed("demo")).empty


def test_volumes_and_images(project):
    observed = world(project, container(project, "db"))
    p = plan_down(project, observed, remove_volumes=True, rmi="all")
    assert summary(p)[1:] == [
        ("resources", {"demo_default": ["Network demo_default  Removing"],
                       "demo_data": ["Volume demo_data  Removing"]}),
        ("images", {"busybox": ["Image busybox  Removing"], "postgres": ["Image postgres  Removing"],
                    "web": ["Image web  Removing"]}),
    ]
    assert all(a.volumes for a in p.of_type(A.RemoveContainer))


def test_rmi_local_removes_only_built_images(tmp_path):
    p = load_project(tmp_path, "services: {a: {build: .}, b: {image: x}}")
    observed = Observed("demo", images=FrozenMap({"demo-a": "sha256:a", "x": "sha256:x"}))
    assert plan_down(p, observed, rmi="local").of_type(A.RemoveImage) == (A.RemoveImage("demo-a"),)


def test_external_resources_stay(tmp_path):
    p = load_project(tmp_path, """
        services: {a: {image: x, networks: [outside], volumes: ["store:/s"]}}
        networks: {outside: {external: true}}
        volumes: {store: {external: true}}
    """)
    observed = Observed("demo", networks=(ObservedNetwork("outside"),), volumes=(ObservedVolume("store"),))
    assert plan_down(p, observed, remove_volumes=True).empty


def test_orphans_and_one_offs(project):
    observed = world(project, container(project, "db"), ObservedContainer("o", "demo-old-1", "old"),
                     ObservedContainer("r", "demo-db-run-1", "db", oneoff=True, state="exited"))
    assert summary(plan_down(project, observed))[:2] == [
        ("orphans", {"orphans": [A.ORPHANS_WARNING.format(names="demo-old-1")]}),
        ("services", {"db": ["stop demo-db-1", "remove demo-db-1", "remove demo-db-run-1"]}),
    ]
    removed = plan_down(project, observed, remove_orphans=True).of_type(A.RemoveOrphans)
    assert removed == (A.RemoveOrphans((("o", "demo-old-1"),)),)


def test_scaled_containers_go_highest_first(project):
    observed = world(project, *(container(project, "db", n, state="exited") for n in (1, 2, 3)))
    assert summary(plan_down(project, observed))[0] == (
        "services", {"db": ["remove demo-db-3", "remove demo-db-2", "remove demo-db-1"]})


def test_rmi_is_checked(project):
    with pytest.raises(ValueError, match="rmi must be one of"):
        plan_down(project, Observed("demo"), rmi="some")
