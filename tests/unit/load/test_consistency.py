"""The consistency phase: each inconsistency Docker Compose rejects, with its key path and words."""

from __future__ import annotations

from typing import Any

import pytest

from compose.errors import FileError
from compose.load.consistency import check, dependency_edges, find_cycle, port_clashes, problems


def project(services: dict[str, dict[str, Any]], **top: Any) -> dict[str, Any]:
    return {"name": "demo", "services": services, **top}


def error_of(data: dict[str, Any], **kwargs: Any) -> FileError:
    with pytest.raises(FileError) as info:
        check(data, **kwargs)
    return info.value


def test_a_consistent_project_passes() -> None:
    check(project(
        {
            "web": {"image": "nginx", "networks": {"front": None}, "depends_on": {"db": {"condition": "service_healthy",
                                                                                        "required": True}},
                    "volumes": [{"type": "volume", "source": "data", "target": "/data"},
                                {"type": "volume", "target": "/anon"},
                                {"type": "bind", "source": "/srv", "target": "/srv"}],
                    "secrets": [{"source": "token", "target": "/run/secrets/token"}], "configs": [{"source": "cfg"}],
                    "links": ["db:database"], "volumes_from": ["db:ro", "container:other"]},
            "db": {"build": {"context": "/src"}, "network_mode": "host", "container_name": "the-db", "scale": 1},
        },
        networks={"front": {"name": "demo_front"}}, volumes={"data": {"name": "demo_data"}},
        secrets={"token": {"name": "demo_token", "file": "/t"}}, configs={"cfg": {"name": "demo_cfg", "content": "x"}},
    ))


def test_depends_on_an_undefined_service() -> None:
    err = error_of(project({"web": {"image": "a", "depends_on": {"db": {"condition": "service_started",
                                                                         "required": True}}}}))
    assert err.path == ("services", "web", "depends_on", "db")
    assert err.problem == 'service "web" depends on undefined service "db"'


def test_optional_dependency_on_a_service_left_out_by_profiles_passes() -> None:
    data = project({"web": {"image": "a", "depends_on": {"db": {"condition": "service_started", "required": False}}}})
    check(data, disabled={"db"})
    check(data)  # without knowing which services profiles left out, an optional dependency passes
    # Compose still refuses it when the service is defined nowhere, or when the dependency is required.
    assert error_of(data, disabled=()).path == ("services", "web", "depends_on", "db")
    data["services"]["web"]["depends_on"]["db"]["required"] = True
    assert "which no active profile enables" in error_of(data, disabled={"db"}).problem


@pytest.mark.parametrize(
    ("attrs", "path", "words"),
    [
        ({"links": ["cache", "db:database"]}, ("links", 1), 'service "web" links to undefined service "db"'),
        ({"volumes_from": ["db:ro"]}, ("volumes_from", 0), 'service "web" takes volumes from undefined service "db"'),
        ({"network_mode": "service:db"}, ("network_mode",), "shares the network stack of undefined service \"db\""),
        ({"ipc": "service:db"}, ("ipc",), "shares the IPC namespace of undefined service \"db\""),
        ({"pid": "service:db"}, ("pid",), "shares the PID namespace of undefined service \"db\""),
    ],
)
def test_implicit_references_to_undefined_services(attrs: dict[str, Any], path: tuple[Any, ...], words: str) -> None:
    # The canonical phase copies these into depends_on too; the error points at the attribute the user wrote.
    web = {"image": "a", **attrs, "depends_on": {"db": {"condition": "service_started", "required": True}}}
    err = error_of(project({"web": web, "cache": {"image": "redis"}}))
    assert err.path == ("services", "web", *path)
    assert words in err.problem


def test_container_prefix_in_volumes_from_is_not_a_service() -> None:
    check(project({"web": {"image": "a", "volumes_from": ["container:abc:ro"]}}))


@pytest.mark.parametrize(
    ("attrs", "top", "path", "problem"),
    [
        ({"networks": {"front": None}}, {}, ("networks", "front"), 'service "web" refers to undefined network "front"'),
        ({"volumes": [{"type": "bind", "source": "/a", "target": "/a"},
                      {"type": "volume", "source": "data", "target": "/d"}]}, {},
         ("volumes", 1), 'service "web" refers to undefined volume "data"'),
        ({"secrets": [{"source": "tok", "target": "/run/secrets/tok"}]}, {}, ("secrets", 0),
         'service "web" refers to undefined secret "tok"'),
        ({"configs": [{"source": "c"}]}, {"configs": {"other": {"content": "x"}}}, ("configs", 0),
         'service "web" refers to undefined config "c"'),
        ({"build": {"context": "/src", "secrets": [{"source": "s"}]}, "image": None}, {}, ("build", "secrets", 0),
         'service "web" refers to undefined build secret "s"'),
    ],
)
def test_undefined_top_level_objects(attrs: dict[str, Any], top: dict[str, Any], path: tuple[Any, ...],
                                     problem: str) -> None:
    err = error_of(project({"web": {"image": "a", **attrs}}, **top))
    assert err.path == ("services", "web", *path)
    assert err.problem == problem
    assert err.hint and "top-level" in err.hint


def test_dependency_cycle_is_reported_with_its_path() -> None:
    dep = {"condition": "service_started", "required": True}
    err = error_of(project({
        "web": {"image": "a", "depends_on": {"api": dep}},
        "api": {"image": "a", "depends_on": {"db": dep}},
        "db": {"image": "a", "depends_on": {"web": dep}},
        "lone": {"image": "a"},
    }))
    # Like Compose, the walk goes in name order: "api -> db -> web -> api".
    assert err.problem == "dependency cycle: api -> db -> web -> api"
    assert err.path == ("services", "web", "depends_on", "api")


def test_self_dependency_is_a_cycle() -> None:
    err = error_of(project({"web": {"image": "a", "ipc": "service:web"}}))
    assert err.problem == "dependency cycle: web -> web"
    assert err.path == ("services", "web", "ipc")


def test_cycle_through_implicit_edges_points_at_the_attribute() -> None:
    err = error_of(project({"web": {"image": "a", "links": ["api"]}, "api": {"image": "a", "volumes_from": ["web"]}}))
    assert err.problem == "dependency cycle: api -> web -> api"
    assert err.path == ("services", "web", "links", 0)


def test_find_cycle_on_a_diamond_and_a_long_chain() -> None:
    assert find_cycle({"a": {"b": 1, "c": 1}, "b": {"d": 1}, "c": {"d": 1}, "d": {}}) is None
    chain = {f"s{i:05}": {f"s{i + 1:05}": 1} for i in range(20000)}  # deep: no recursion limit to hit
    assert find_cycle(chain) is None
    chain["s20000"] = {"s00000": 1}
    cycle = find_cycle(chain)
    assert cycle is not None and cycle[0] == cycle[-1] == "s00000" and len(cycle) == 20002


def test_dependency_edges_include_implicit_ones_in_name_order() -> None:
    edges = dependency_edges({"web": {"links": ["db:x"], "depends_on": {"cache": {}}, "network_mode": "service:vpn"},
                              "db": {}, "cache": {}, "vpn": {}})
    assert list(edges["web"]) == ["cache", "db", "vpn"]
    assert edges["web"]["db"] == ("services", "web", "links", 0)


@pytest.mark.parametrize(
    ("attrs", "words"),
    [({"scale": 2}, "scale > 1"), ({"deploy": {"replicas": 3}}, "deploy.replicas > 1")],
)
def test_container_name_with_more_than_one_replica(attrs: dict[str, Any], words: str) -> None:
    err = error_of(project({"web": {"image": "a", "container_name": "web-x", **attrs}}))
    assert err.path == ("services", "web", "container_name")
    assert words in err.problem


def test_duplicate_container_names() -> None:
    err = error_of(project({"api": {"image": "a", "container_name": "x1"}, "web": {"image": "a",
                                                                                 "container_name": "x1"}}))
    assert err.path == ("services", "web", "container_name")
    assert err.problem == 'container name "x1" is already used by service "api"'


@pytest.mark.parametrize(
    ("attrs", "path"),
    [
        ({"scale": 2, "deploy": {"replicas": 3}}, "scale"),
        ({"cpus": 1.5, "deploy": {"resources": {"limits": {"cpus": 0.5}}}}, "cpus"),
        ({"mem_limit": "1073741824", "deploy": {"resources": {"limits": {"memory": "536870912"}}}}, "mem_limit"),
        ({"mem_limit": "1073741824", "deploy": {"resources": {"limits": {"cpus": 1}}}}, "mem_limit"),  # absent = 0
        ({"mem_reservation": "1", "deploy": {"resources": {"reservations": {"memory": "2"}}}}, "mem_reservation"),
        ({"pids_limit": 5, "deploy": {"resources": {"limits": {"pids": 6}}}}, "pids_limit"),
    ],
)
def test_aliases_that_disagree(attrs: dict[str, Any], path: str) -> None:
    err = error_of(project({"web": {"image": "a", **attrs}}))
    assert err.path == ("services", "web", path)
    assert "disagree" in err.problem


def test_aliases_that_agree_pass() -> None:
    check(project({"web": {"image": "a", "scale": 2, "cpus": 0.5, "mem_limit": "1073741824",
                           "deploy": {"replicas": 2, "resources": {"limits": {"cpus": "0.5", "memory": 1073741824}}}},
                   "db": {"image": "a", "mem_limit": "1", "deploy": {"resources": {"reservations": {"memory": "1"}}}}}))


@pytest.mark.parametrize(
    ("svc", "path", "words"),
    [
        ({"command": ["x"]}, (), "neither an image nor a build context"),
        ({"build": {"context": ".", "dockerfile": "D", "dockerfile_inline": "FROM x"}}, ("build",),
         "both `dockerfile` and `dockerfile_inline`"),
        ({"platform": "linux/arm64", "build": {"context": ".", "platforms": ["linux/amd64"]}},
         ("build", "platforms"), '"linux/arm64"'),
        ({"image": "a", "network_mode": "host", "networks": {"default": None}}, ("network_mode",),
         "both `network_mode` and `networks`"),
        ({"image": "a", "healthcheck": {"test": ["FOO", "x"]}}, ("healthcheck", "test", 0), '"CMD", "CMD-SHELL"'),
        ({"image": "a", "develop": {"watch": [{"action": "sync", "path": "/src"}]}}, ("develop", "watch", 0),
         "`target` is required"),
        ({"image": "a", "extends": {"service": "base"}}, ("extends",), "unresolved `extends`"),
    ],
)
def test_service_shape(svc: dict[str, Any], path: tuple[Any, ...], words: str) -> None:
    err = error_of(project({"web": svc}, networks={"default": {"name": "demo_default"}}))
    assert err.path == ("services", "web", *path)
    assert words in err.problem


def test_top_level_secret_and_config_need_a_source() -> None:
    err = error_of(project({}, secrets={"s": {"name": "demo_s"}}))
    assert (err.path, err.problem) == (("secrets", "s"), "one of file|environment must be set")
    err = error_of(project({}, configs={"c": {"name": "demo_c"}}))
    assert (err.path, err.problem) == (("configs", "c"), "one of file|environment|content must be set")
    check(project({}, secrets={"s": {"name": "s", "external": True}, "e": {"environment": "TOKEN"}}))


def test_problems_lists_every_error() -> None:
    data = project({"web": {"image": "a", "depends_on": {"x": {}}, "networks": {"n": None}}})
    assert [e.path for e in problems(data)] == [("services", "web", "networks", "n"),
                                                ("services", "web", "depends_on", "x")]


def test_empty_project_passes() -> None:
    check({"name": "empty"})
    check(project({}))


def port(published: str, host_ip: str | None = None, protocol: str = "tcp") -> dict[str, Any]:
    out = {"mode": "ingress", "target": 80, "published": published, "protocol": protocol}
    return out if host_ip is None else {**out, "host_ip": host_ip}


def test_port_clashes_are_not_a_config_error() -> None:
    # Compose's `config` accepts them; only `up` fails, when the second container binds.
    check(project({"web": {"image": "a", "ports": [port("8080")]}, "api": {"image": "a", "ports": [port("8080")]}}))


def test_port_clashes_between_services() -> None:
    services = {
        "api": {"ports": [port("8080"), port("53", protocol="udp"), port("9000", "127.0.0.1")]},
        "web": {"ports": [port("8080", "127.0.0.1"), port("53", protocol="tcp"), port("9000", "127.0.0.2"),
                          port("7000-7001")]},
        "zed": {"ports": [port("7000-7001")]},
    }
    errors = list(port_clashes(services))
    assert [(e.path, e.problem) for e in errors] == [
        (("services", "web", "ports", 0), 'host port 8080/tcp is also published by service "api"'),
    ]


def test_port_clash_within_a_scaled_service() -> None:
    errors = list(port_clashes({"web": {"scale": 2, "ports": [port("8080"), port("8000-8001")]}}))
    assert [e.path for e in errors] == [("services", "web", "ports", 0)]
    assert "2 containers" in errors[0].problem
