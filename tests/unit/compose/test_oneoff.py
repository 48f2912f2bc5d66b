"""The pure parts of `run` (compose.reconcile.oneoff): the one-off's name, labels, service and dependency plan."""

from __future__ import annotations

from pathlib import Path

import pytest

from compose.errors import ServiceNotFound
from compose.model import FrozenMap
from compose.plan import actions as A
from compose.plan import labels as L
from compose.plan.observed import Observed, ObservedContainer
from compose.reconcile import oneoff
from compose.reconcile.oneoff import BadRunArgument, RunRequest
from tests.unit.compose.test_graph import load_project
from tests.unit.compose.test_plan_up import short

STACK = """
    services:
      db: {image: postgres}
      cache: {image: redis}
      api:
        image: api
        command: ["serve"]
        restart: always
        environment: {COLOR: blue}
        ports: ["127.0.0.1:8080:80"]
        volumes: ["./src:/src", "data:/data"]
        labels: {tier: back}
        depends_on:
          db: {condition: service_healthy}
          cache: {condition: service_started, required: false}
    volumes: {data: {}}
"""
IMAGES = FrozenMap({"postgres": "sha256:p", "redis": "sha256:r", "api": "sha256:a"})


@pytest.fixture
def project(tmp_path: Path):  # type: ignore[no-untyped-def]
    return load_project(tmp_path, STACK)


def outline(plan) -> list[tuple[str, list[str]]]:  # type: ignore[no-untyped-def]
    return [(stage.name, [f"{step.subject}: " + ", ".join(short(a) for a in step.actions) for step in stage.steps])
            for stage in plan.stages]


def test_name_and_environment() -> None:
    assert oneoff.container_name("demo", "api", "0123456789abcdef" * 4) == "demo-api-run-0123456789ab"
    assert oneoff.environment(("A=1", "B=", "HOME", "NOPE"), {"HOME": "/root"}) == {"A": "1", "B": "",
                                                                                     "HOME": "/root"}
    with pytest.raises(BadRunArgument):
        oneoff.environment(("=x",), {})


def test_dependencies_first_and_waits_instead_of_the_service(project) -> None:  # type: ignore[no-untyped-def]
    plan = oneoff.dependency_plan(project, Observed("demo", images=IMAGES), RunRequest("api"))
    assert outline(plan) == [
        ("resources", ["demo_default: Network demo_default  Creating", "demo_data: Volume demo_data  Creating"]),
        ("services", ["cache: create demo-cache-1, start demo-cache-1", "db: create demo-db-1, start demo-db-1"]),
        ("services", ["api: wait cache service_started, wait db service_healthy"]),
    ]
    assert [a.required for a in plan.actions if isinstance(a, A.WaitDependency)] == [False, True]


def test_running_dependencies_are_left_alone_and_api_containers_untouched(project) -> None:  # type: ignore[no-untyped-def]
    def running(service: str, number: int = 1, oneoff: bool = False) -> ObservedContainer:
        s = project.services[service]
        return ObservedContainer(f"id-{service}", f"demo-{service}-{number}", service, number, oneoff,
                                 s.config_hash, state="running", networks=("demo_default",))

    from compose.plan.observed import ObservedNetwork, ObservedVolume
    from compose.plan.resources import object_hash

    net, vol = project.networks["default"], project.volumes["data"]
    network = ObservedNetwork(net.name, object_hash(net), FrozenMap(L.network_labels(project, "default", net)))
    volume = ObservedVolume(vol.name, FrozenMap(L.volume_labels(project, "data", vol, config_hash=object_hash(vol))))
    observed = Observed("demo", (running("db"), running("cache"), running("api")), (network,), (volume,), IMAGES)
    plan = oneoff.dependency_plan(project, observed, RunRequest("api"))
    assert outline(plan) == [("services", ["api: wait cache service_started, wait db service_healthy"])]


def test_no_deps_still_makes_the_network(project) -> None:  # type: ignore[no-untyped-def]
    plan = oneoff.dependency_plan(project, Observed("demo", images=IMAGES), RunRequest("api", no_deps=True))
    assert outline(plan) == [
        ("resources", ["demo_default: Network demo_default  Creating", "demo_data: Volume demo_data  Creating"])]
    with pytest.raises(ServiceNotFound):
        oneoff.dependency_plan(project, Observed("demo"), RunRequest("nosuch"))


def test_the_oneoff_service(project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    api = project.services["api"]
    plain = oneoff.oneoff_service(project, api, RunRequest("api"))
    assert plain.ports == () and plain.restart == "no" and plain.command == ("serve",)
    assert oneoff.oneoff_service(project, api, RunRequest("api", service_ports=True)).ports == api.ports

    changed = oneoff.oneoff_service(project, api, RunRequest(
        "api", command=("echo", "hi"), env=("EXTRA=1", "COLOR=red", "FROM_HOST"), user="nobody", workdir="/w",
        labels={"k": "v"}, volumes=("./other:/src:ro", "/abs:/abs"), publish=("9090:90/udp",)),
        environ={"FROM_HOST": "yes"})
    assert changed.command == ("echo", "hi") and changed.user == "nobody" and changed.working_dir == "/w"
    assert dict(changed.environment) == {"COLOR": "red", "EXTRA": "1", "FROM_HOST": "yes"}
    assert dict(changed.labels) == {"tier": "back", "k": "v"}
    assert [(p.target, p.published, p.protocol) for p in changed.ports] == [(90, "9090", "udp")]
    mounts = {m.target: (m.type, m.source, m.read_only) for m in changed.volumes}
    assert mounts == {"/data": ("volume", "data", False), "/src": ("bind", str(tmp_path / "other"), True),
                      "/abs": ("bind", "/abs", False)}

    assert (plain.tty, plain.stdin_open) == (False, False)
    interactive = oneoff.oneoff_service(project, api, RunRequest("api", tty=True, interactive=True))
    assert (interactive.tty, interactive.stdin_open) == (True, True)  # the command line's, as Compose's run

    entry = oneoff.oneoff_service(project, api, RunRequest("api", entrypoint="sh -c 'echo x'"))
    assert entry.entrypoint == ("sh", "-c", "echo x") and entry.command == ()
    with pytest.raises(BadRunArgument, match="invalid --publish 'x:y'"):
        oneoff.oneoff_service(project, api, RunRequest("api", publish=("x:y",)))


def test_labels(project) -> None:  # type: ignore[no-untyped-def]
    labels = oneoff.oneoff_labels(project, project.services["api"], "ab" * 32, config_files=("/p/compose.yaml",))
    assert labels[L.ONEOFF] == "True" and labels[L.CONTAINER_NUMBER] == "-1" and labels[L.SLUG] == "ab" * 32
    assert labels[L.SERVICE] == "api" and labels[L.PROJECT] == "demo" and labels["tier"] == "back"
    observed = ObservedContainer.from_labels("x", "demo-api-run-abab", labels)
    assert observed.oneoff and Observed("demo", (observed,)).of_service("api") == ()
