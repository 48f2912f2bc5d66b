"""The service graph: edges from every attribute, generations both ways, selection, cycles."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from compose import graph
from compose.errors import ServiceNotFound
from compose.load import ProjectOptions, load
from compose.model import Project


def load_project(tmp_path: Path, text: str, name: str = "demo") -> Project:
    """The model of a compose text, through the real loader."""
    (tmp_path / "compose.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return load(ProjectOptions(working_dir=tmp_path, project_name=name, environ={})).model()


STACK = """
    services:
      proxy: {image: nginx, depends_on: [web], links: ["web:app"]}
      web:
        image: web
        depends_on:
          db: {condition: service_healthy, restart: true}
          migrate: {condition: service_completed_successfully}
      migrate: {image: web, depends_on: [db]}
      db: {image: postgres}
      sidecar: {image: busybox, network_mode: "service:web", volumes_from: [db]}
      lone: {image: busybox}
"""


@pytest.fixture
def stack(tmp_path):
    return graph.service_graph(load_project(tmp_path, STACK))


def test_generations_put_dependencies_first_and_reverse_for_down(stack):
    up = graph.generations(stack)
    assert up == (("db", "lone"), ("migrate",), ("web",), ("proxy", "sidecar"))
    assert graph.generations(stack, reverse=True) == (("lone", "proxy", "sidecar"), ("web",), ("migrate",), ("db",))
    assert list(graph.walk(stack)) == list(up)


@pytest.mark.parametrize("dependent, dependency, expected", [
    ("web", "db", graph.Edge("service_healthy", True, True, ("depends_on",))),
    ("web", "migrate", graph.Edge("service_completed_successfully", True, False, ("depends_on",))),
    ("proxy", "web", graph.Edge("service_started", True, False, ("depends_on", "links"))),
    ("sidecar", "web", graph.Edge("service_started", True, True, ("depends_on", "network_mode"))),
    ("sidecar", "db", graph.Edge("service_started", True, False, ("depends_on", "volumes_from"))),
])
def test_edges_carry_the_dependency_and_the_attributes_that_imply_it(stack, dependent, dependency, expected):
    assert graph.edge(stack, dependent, dependency) == expected


def test_a_shared_namespace_is_told_from_a_plain_order(stack):
    assert graph.edge(stack, "sidecar", "web").shares_namespace
    assert not graph.edge(stack, "proxy", "web").shares_namespace


def test_a_model_built_by_hand_gets_the_implied_edges():
    p = Project.from_canonical({"name": "d", "services": {
        "a": {"image": "x", "ipc": "service:b", "links": ["c"]}, "b": {"image": "x"}, "c": {"image": "x"}}},
        working_dir=Path("/d"))
    g = graph.service_graph(p)
    assert graph.edge(g, "a", "b") == graph.Edge(restart=True, via=("ipc",))
    assert graph.edge(g, "a", "c") == graph.Edge(restart=True, via=("links",))
    assert graph.generations(g) == (("b", "c"), ("a",))


@pytest.mark.parametrize("names, with_deps, expected", [
    ((), True, {"proxy", "web", "migrate", "db", "sidecar", "lone"}),
    (("web",), True, {"web", "migrate", "db"}),
    (("web",), False, {"web"}),
    (("proxy", "lone"), True, {"proxy", "web", "migrate", "db", "lone"}),
    (("proxy", "db"), False, {"proxy", "db"}),
])
def test_select_takes_the_services_and_what_they_need(stack, names, with_deps, expected):
    assert set(graph.select(stack, names, with_dependencies=with_deps)) == expected


def test_select_names_the_services_there_are(stack):
    with pytest.raises(ServiceNotFound, match=r"no such service: nope \(the project has: db, lone, "):
        graph.select(stack, ["nope"])


def test_dependents(stack):
    assert graph.dependents(stack, "web") == ("proxy", "sidecar")
    assert graph.dependents(stack, "proxy") == ()


def test_a_cycle_is_reported_with_its_path_and_never_walked():
    p = Project.from_canonical({"name": "d", "services": {
        "a": {"image": "x", "depends_on": {"b": {}}}, "b": {"image": "x", "depends_on": {"c": {}}},
        "c": {"image": "x", "depends_on": {"a": {}}}, "d": {"image": "x"}}}, working_dir=Path("/d"))
    g = graph.service_graph(p)
    assert graph.find_cycle(g) == ["a", "b", "c", "a"]
    with pytest.raises(graph.DependencyCycle, match=r"dependency cycle: a -> b -> c -> a") as caught:
        graph.generations(g)
    assert caught.value.path == ("a", "b", "c", "a")


def test_no_cycle_in_a_tree(stack):
    assert graph.find_cycle(stack) is None


def test_an_empty_project_walks_nowhere():
    g = graph.service_graph(Project.from_canonical({"name": "d"}, working_dir=Path("/d")))
    assert graph.generations(g) == ()
