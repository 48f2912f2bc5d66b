"""`plan` for `up`: a model through the real loader, a hand-written `Observed`, the plan read back in short."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest

from compose.errors import ServiceNotFound
from compose.graph import DependencyCycle
from compose.model import FrozenMap, Project
from compose.plan import actions as A
from compose.plan import labels as L
from compose.plan.errors import ExternalNotFound, ImageNotPresent, PlanConflict
from compose.plan.observed import Observed, ObservedContainer, ObservedNetwork, ObservedVolume
from compose.plan.planner import UpOptions, plan
from compose.plan.resources import object_hash
from compose.plan.structure import Plan
from tests.unit.compose.test_graph import load_project

STACK = """
    services:
      db: {image: postgres, volumes: ["data:/var/lib/postgresql/data"]}
      web:
        image: web
        depends_on:
          db: {condition: service_healthy, restart: true}
      side: {image: busybox, network_mode: "service:web"}
    volumes: {data: {}}
"""
IMAGES = {"postgres": "sha256:p1", "web": "sha256:w1", "busybox": "sha256:b1"}


def short(a: A.Action) -> str:
    match a:
        case A.CreateContainer() | A.StartContainer() | A.StopContainer() | A.RemoveContainer() \
                | A.RestartContainer():
            return f"{type(a).__name__.removesuffix('Container').lower()} {a.name}"
        case A.RecreateContainer():
            return f"recreate {a.name} ({a.reason})"
        case A.WaitDependency():
            return f"wait {a.dependency} {a.condition}"
    return a.describe()


def summary(p: Plan) -> list[tuple[str, dict[str, list[str]]]]:
    return [(s.name, {step.subject: [short(a) for a in step.actions] for step in s.steps}) for s in p.stages]


def container(project: Project, service: str, number: int = 1, **changes) -> ObservedContainer:
    """A container made from the current model, running, unless `changes` say otherwise."""
    svc = project.services[service]
    made = ObservedContainer(id=f"{service}{number}", name=L.service_container_name(project, svc, number),
                             service=service, number=number, config_hash=svc.config_hash,
                             image_digest=IMAGES.get(svc.image or ""),
                             networks=tuple(project.networks[k].name for k in svc.networks))
    return dataclasses.replace(made, **changes)


def world(project: Project, *containers: ObservedContainer, images=IMAGES) -> Observed:
    """The project as `up` left it (networks and volumes made by us), with these containers."""
    nets = tuple(ObservedNetwork(n.name, object_hash(n), FrozenMap({L.PROJECT: project.name}))
                 for n in project.networks.values())
    vols = tuple(ObservedVolume(v.name, FrozenMap({L.PROJECT: project.name, L.CONFIG_HASH: object_hash(v)}))
                 for v in project.volumes.values())
    return Observed(project.name, tuple(containers), nets, vols, FrozenMap(images))


def up_to_date(p: Project) -> Observed:
    return world(p, container(p, "db"), container(p, "web"), container(p, "side"))


@pytest.fixture
def project(tmp_path) -> Project:
    return load_project(tmp_path, STACK)


Case = tuple[Callable[[Project], Observed], UpOptions, list]

CASES: dict[str, Case] = {
    "cold start: images first, then everything made, dependencies first": (
        lambda p: Observed("demo"), UpOptions(), [
            ("images", {"busybox": ["Image busybox  Pulling"], "postgres": ["Image postgres  Pulling"],
                        "web": ["Image web  Pulling"]}),
            ("resources", {"demo_default": ["Network demo_default  Creating"],
                           "demo_data": ["Volume demo_data  Creating"]}),
            ("services", {"db": ["create demo-db-1", "start demo-db-1"]}),
            ("services", {"web": ["create demo-web-1", "wait db service_healthy", "start demo-web-1"]}),
            ("services", {"side": ["create demo-side-1", "wait web service_started", "start demo-side-1"]}),
        ]),
    "no-op: all running and unchanged": (up_to_date, UpOptions(), []),
    "a stopped container is started, after its dependencies": (
        lambda p: world(p, container(p, "db"), container(p, "web", state="exited", exit_code=1),
                        container(p, "side")), UpOptions(), [
            ("services", {"web": ["wait db service_healthy", "start demo-web-1"]})]),
    "a created container is started": (
        lambda p: world(p, container(p, "db", state="created"), container(p, "web"), container(p, "side")),
        UpOptions(), [("services", {"db": ["start demo-db-1"]})]),
    "--no-start leaves a created container": (
        lambda p: world(p, container(p, "db", state="created"), container(p, "web"), container(p, "side")),
        UpOptions(no_start=True), []),
    "one changed service: recreated, its restart dependents follow": (
        lambda p: world(p, container(p, "db", config_hash="old"), container(p, "web"), container(p, "side")),
        UpOptions(), [
            ("services", {"db": ["recreate demo-db-1 (configuration changed)", "start demo-db-1"]}),
            ("services", {"web": ["wait db service_healthy", "restart demo-web-1"]}),
        ]),
    "a recreated dependency whose namespace is shared recreates the dependent": (
        lambda p: world(p, container(p, "db"), container(p, "web", config_hash="old"), container(p, "side")),
        UpOptions(), [
            ("services", {"web": ["recreate demo-web-1 (configuration changed)", "wait db service_healthy",
                                  "start demo-web-1"]}),
            ("services", {"side": ["recreate demo-side-1 (web was recreated)", "wait web service_started",
                                   "start demo-side-1"]}),
        ]),
    "image digest changed": (
        lambda p: world(p, container(p, "db"), container(p, "web"), container(p, "side", image_digest="sha256:b0")),
        UpOptions(), [
            ("services", {"side": ["recreate demo-side-1 (image changed)", "wait web service_started",
                                   "start demo-side-1"]})]),
    "--no-recreate keeps a changed container": (
        lambda p: world(p, container(p, "db", config_hash="old"), container(p, "web"), container(p, "side")),
        UpOptions(no_recreate=True), []),
    "--force-recreate: everything": (
        up_to_date, UpOptions(force_recreate=True), [
            ("services", {"db": ["recreate demo-db-1 (forced)", "start demo-db-1"]}),
            ("services", {"web": ["recreate demo-web-1 (forced)", "wait db service_healthy", "start demo-web-1"]}),
            ("services", {"side": ["recreate demo-side-1 (forced)", "wait web service_started",
                                   "start demo-side-1"]}),
        ]),
    "--force-recreate web: dependencies kept, namespace sharers follow": (
        up_to_date, UpOptions(services=("web", "side"), force_recreate=True), [
            ("services", {"web": ["recreate demo-web-1 (forced)", "wait db service_healthy", "start demo-web-1"]}),
            ("services", {"side": ["recreate demo-side-1 (forced)", "wait web service_started",
                                   "start demo-side-1"]}),
        ]),
    "scale up: numbers after the highest": (
        up_to_date, UpOptions(scale={"db": 3}), [
            ("services", {"db": ["create demo-db-2", "create demo-db-3", "start demo-db-2", "start demo-db-3"]})]),
    "scale down: highest numbers first": (
        lambda p: world(p, *(container(p, "db", n) for n in (1, 2, 3)), container(p, "web"), container(p, "side")),
        UpOptions(), [
            ("services", {"db": ["stop demo-db-3", "remove demo-db-3", "stop demo-db-2", "remove demo-db-2"]})]),
    "scale to zero": (
        up_to_date, UpOptions(services=("db",), scale={"db": 0}), [
            ("services", {"db": ["stop demo-db-1", "remove demo-db-1"]})]),
    "orphans are warned about": (
        lambda p: world(p, container(p, "db"), container(p, "web"), container(p, "side"),
                        ObservedContainer("o1", "demo-old-1", "old"), ObservedContainer("r1", "demo-web-run-x", "web",
                                                                                         oneoff=True)),
        UpOptions(), [
            ("orphans", {"orphans": [A.ORPHANS_WARNING.format(names="demo-old-1")]})]),
    "--remove-orphans removes them": (
        lambda p: world(p, container(p, "db"), container(p, "web"), container(p, "side"),
                        ObservedContainer("o1", "demo-old-1", "old")),
        UpOptions(remove_orphans=True), [
            ("orphans", {"orphans": ["Orphan containers demo-old-1  Removing"]})]),
    "COMPOSE_IGNORE_ORPHANS: not a word about them": (
        lambda p: world(p, container(p, "db"), container(p, "web"), container(p, "side"),
                        ObservedContainer("o1", "demo-old-1", "old")),
        UpOptions(ignore_orphans=True), []),
    "a disabled service is no orphan": (
        lambda p: world(p, container(p, "db"), container(p, "web"), container(p, "side"),
                        ObservedContainer("o1", "demo-debug-1", "debug")),
        UpOptions(disabled_services=("debug",)), []),
    "up web: web and what it needs": (
        lambda p: Observed("demo", images=FrozenMap(IMAGES)), UpOptions(services=("web",)), [
            ("resources", {"demo_default": ["Network demo_default  Creating"],
                           "demo_data": ["Volume demo_data  Creating"]}),
            ("services", {"db": ["create demo-db-1", "start demo-db-1"]}),
            ("services", {"web": ["create demo-web-1", "wait db service_healthy", "start demo-web-1"]}),
        ]),
    "--no-deps: only web, waiting for nothing": (
        lambda p: world(p, images=IMAGES), UpOptions(services=("web",), no_deps=True), [
            ("services", {"web": ["create demo-web-1", "start demo-web-1"]})]),
    "a dead container is recreated": (
        lambda p: world(p, container(p, "db"), container(p, "web"), container(p, "side", state="dead")),
        UpOptions(), [
            ("services", {"side": ["recreate demo-side-1 (dead)", "wait web service_started",
                                   "start demo-side-1"]})]),
    "--pull always pulls present images": (
        up_to_date, UpOptions(pull="always", services=("db",)), [
            ("images", {"postgres": ["Image postgres  Pulling"]})]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_up(project, case):
    observe, options, expected = CASES[case]
    assert summary(plan(project, observe(project), options)) == expected


def test_create_carries_the_labels_and_the_image(project):
    made = plan(project, world(project), UpOptions(config_files=("/p/compose.yaml",))).of_type(A.CreateContainer)
    web = next(a for a in made if a.service == "web")
    assert (web.number, web.name, web.image, web.config_hash) == (1, "demo-web-1", "web",
                                                                  project.services["web"].config_hash)
    assert web.labels[L.PROJECT] == "demo" and web.labels[L.SERVICE] == "web"
    assert web.labels[L.CONTAINER_NUMBER] == "1" and web.labels[L.ONEOFF] == "False"
    assert web.labels[L.CONFIG_FILES] == "/p/compose.yaml"
    assert web.labels[L.DEPENDS_ON] == "db:service_healthy:true"
    assert web.labels[L.IMAGE] == "sha256:w1"


def test_recreate_names_the_old_container(project):
    observed = world(project, container(project, "db", config_hash="old", id="abc"), container(project, "web"),
                     container(project, "side"))
    (recreate,) = plan(project, observed, UpOptions(timeout=3)).of_type(A.RecreateContainer)
    assert (recreate.old_id, recreate.old_name, recreate.name, recreate.timeout) == ("abc", "demo-db-1",
                                                                                     "demo-db-1", 3)


def test_independent_services_share_a_generation(tmp_path):
    p = load_project(tmp_path, """
        services:
          a: {image: x}
          b: {image: x}
          c: {image: x, depends_on: [a, b]}
    """)
    stages = plan(p, Observed("demo", images=FrozenMap({"x": "sha256:x"}))).generations
    assert [s.subjects for s in stages] == [("a", "b"), ("c",)]


def test_a_changed_network_is_made_again_after_its_containers_go(project):
    observed = world(project, container(project, "db"), container(project, "web"), container(project, "side"))
    observed = dataclasses.replace(observed, networks=(ObservedNetwork("demo_default", "changed",
                                                                       FrozenMap({L.PROJECT: "demo"})),))
    assert summary(plan(project, observed)) == [
        ("detach", {"demo-db-1": ["stop demo-db-1", "remove demo-db-1"],
                    "demo-web-1": ["stop demo-web-1", "remove demo-web-1"]}),
        ("resources", {"demo_default": ["Network demo_default  Removing", "Network demo_default  Creating"]}),
        ("services", {"db": ["create demo-db-1", "start demo-db-1"]}),
        ("services", {"web": ["create demo-web-1", "wait db service_healthy", "start demo-web-1"]}),
        ("services", {"side": ["recreate demo-side-1 (web was recreated)", "wait web service_started",
                               "start demo-side-1"]}),
    ]


def test_a_changed_network_used_by_a_service_not_asked_for_is_a_conflict(project):
    observed = world(project, container(project, "db"), container(project, "web"))
    observed = dataclasses.replace(observed, networks=(ObservedNetwork("demo_default", "changed"),))
    with pytest.raises(PlanConflict, match="network demo_default has changed, but container demo-web-1 uses it"):
        plan(project, observed, UpOptions(services=("db",)))


def test_a_network_not_made_by_compose_is_used_with_a_warning(project):
    observed = dataclasses.replace(up_to_date(project), networks=(ObservedNetwork("demo_default"),))
    p = plan(project, observed)
    assert p.empty
    assert p.warnings == ("a network with name demo_default exists but was not created by compose.\n"
                          "Set `external: true` to use an existing network",)


def test_external_network_and_volume_must_exist(tmp_path):
    p = load_project(tmp_path, """
        services:
          a: {image: x, networks: [outside], volumes: ["store:/s"]}
        networks: {outside: {external: true}}
        volumes: {store: {external: true, name: shared}}
    """)
    with pytest.raises(ExternalNotFound, match="network outside declared as external, but could not be found"):
        plan(p, Observed("demo"))
    with pytest.raises(ExternalNotFound, match='external volume "shared" not found'):
        plan(p, Observed("demo", networks=(ObservedNetwork("outside"),)))
    found = Observed("demo", networks=(ObservedNetwork("outside"),), volumes=(ObservedVolume("shared"),),
                     images=FrozenMap({"x": "sha256:x"}))
    assert [s.name for s in plan(p, found).stages] == ["services"]


def test_a_changed_volume_is_kept_with_a_warning(project):
    observed = dataclasses.replace(up_to_date(project), volumes=(
        ObservedVolume("demo_data", FrozenMap({L.PROJECT: "demo", L.CONFIG_HASH: "other"})),))
    p = plan(project, observed)
    assert p.empty and "demo_data" in p.warnings[0]


@pytest.mark.parametrize("service, present, pull, build, expected", [
    ({"image": "x"}, False, None, False, [A.PullImage("x", ("a",))]),
    ({"image": "x"}, True, None, False, []),
    ({"image": "x", "pull_policy": "always"}, True, None, False, [A.PullImage("x", ("a",))]),
    ({"image": "x", "pull_policy": "always"}, True, "missing", False, []),
    ({"image": "x", "build": "."}, False, None, False, [A.PullImage("x", ("a",), build_fallback=True)]),
    ({"image": "x", "build": "."}, True, None, True, [A.BuildImage("x", "a")]),
    ({"image": "x", "build": ".", "pull_policy": "build"}, True, None, False, [A.BuildImage("x", "a")]),
    ({"build": "."}, False, None, False, [A.BuildImage("demo-a", "a")]),
    ({"build": "."}, False, "never", False, [A.BuildImage("demo-a", "a")]),
    ({"build": ".", "pull_policy": "build"}, True, None, False, [A.BuildImage("demo-a", "a")]),
    ({"image": "x", "build": ".", "pull_policy": "never"}, False, None, False, [A.BuildImage("x", "a")]),
    ({"image": "x", "build": ".", "pull_policy": "never"}, True, None, False, []),
    ({"image": "x", "build": ".", "pull_policy": "always"}, True, None, False,
     [A.PullImage("x", ("a",), build_fallback=True)]),
])
def test_images_follow_the_pull_policy(tmp_path, service, present, pull, build, expected):
    import json

    p = load_project(tmp_path, json.dumps({"services": {"a": service}}))
    images = FrozenMap({"x": "sha256:x", "demo-a": "sha256:a"} if present else {})
    got = plan(p, Observed("demo", images=images), UpOptions(pull=pull, build=build))
    assert [a for a in got.actions if isinstance(a, A.PullImage | A.BuildImage)] == expected


def test_an_absent_image_that_may_not_be_pulled(tmp_path):
    p = load_project(tmp_path, "services: {a: {image: x, pull_policy: never}}")
    with pytest.raises(ImageNotPresent, match="service a: image x is not present and the pull policy is never"):
        plan(p, Observed("demo"))


def test_one_pull_for_services_sharing_an_image(tmp_path):
    p = load_project(tmp_path, "services: {a: {image: x}, b: {image: x}}")
    assert plan(p, Observed("demo")).of_type(A.PullImage) == (A.PullImage("x", ("a", "b")),)


def test_container_name_is_used(tmp_path):
    p = load_project(tmp_path, "services: {a: {image: x, container_name: custom}}")
    (made,) = plan(p, Observed("demo")).of_type(A.CreateContainer)
    assert made.name == "custom"


def test_the_dry_run_lines(project):
    lines = list(plan(project, up_to_date(project), UpOptions(services=("db",), force_recreate=True)).describe())
    assert lines == ["DRY-RUN MODE - Container demo-db-1  Recreate", "DRY-RUN MODE - Container demo-db-1  Starting"]


def test_a_cycle_is_refused_not_walked():
    p = Project.from_canonical({"name": "demo", "services": {
        "a": {"image": "x", "depends_on": {"b": {}}}, "b": {"image": "x", "links": ["a"]}}}, working_dir=Path("/d"))
    with pytest.raises(DependencyCycle, match="dependency cycle: a -> b -> a"):
        plan(p, Observed("demo"))


@pytest.mark.parametrize("options", [UpOptions(services=("nope",)), UpOptions(scale={"nope": 2})])
def test_unknown_services_are_named(project, options):
    with pytest.raises(ServiceNotFound, match="no such service: nope"):
        plan(project, Observed("demo"), options)
