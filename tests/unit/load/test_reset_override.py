"""`!reset` and `!override` across files, each case checked with `docker compose config` (v2.40.3)."""

from __future__ import annotations

from compose.load.merge import merge, strip_reset_items

W = ("services", "web")


def web(base: dict, over: dict, resets=(), overrides=()) -> dict:
    tagged = frozenset(W + p for p in resets)
    out = merge({"services": {"web": {"image": "x", **base}}}, strip_reset_items({"services": {"web": over}}, tagged),
                resets=tagged, overrides=frozenset(W + p for p in overrides))
    return out["services"]["web"]


def test_reset_removes_the_earlier_value():
    assert "ports" not in web({"ports": ["80:80"]}, {}, resets=[("ports",)])
    assert "command" not in web({"command": ["a"]}, {}, resets=[("command",)])
    assert web({"ulimits": {"nofile": 1, "nproc": 2}}, {"ulimits": {}}, resets=[("ulimits", "nofile")])[
        "ulimits"] == {"nproc": 2}


def test_reset_of_a_key_inside_a_mapping():
    assert web({"environment": {"A": 1, "B": 2}}, {"environment": {"C": 3}}, resets=[("environment", "A")])[
        "environment"] == ["B=2", "C=3"]
    build = web({"build": {"context": ".", "args": {"A": 1, "B": 2}}}, {"build": {"args": {}}},
                resets=[("build", "args", "A")])["build"]
    assert build == {"context": ".", "args": ["B=2"]}


def test_reset_inside_a_list_syntax_does_nothing_as_in_compose():
    # Compose keeps A: the earlier environment is a list, not a mapping, at that point
    assert web({"environment": ["A=1", "B=2"]}, {"environment": {"C": 3}}, resets=[("environment", "A")])[
        "environment"] == ["A=1", "B=2", "C=3"]


def test_reset_sees_networks_list_as_a_mapping():
    assert web({"networks": ["n", "m"]}, {"networks": {}}, resets=[("networks", "n")])["networks"] == {"m": None}


def test_reset_sequence_item_is_dropped_from_its_own_file_only():
    assert web({"ports": ["80:80", "81:81"]}, {"ports": ["82:82", "81:81"]}, resets=[("ports", 1)])["ports"] == [
        "80:80", "81:81", "82:82"]


def test_reset_in_the_first_file():
    resets = frozenset({W + ("ports", 0)})
    out = merge({}, strip_reset_items({"services": {"web": {"image": "x", "ports": ["80:80", "81"]}}}, resets),
                resets=resets)
    assert out["services"]["web"]["ports"] == ["81"]


def test_reset_after_a_merge_sees_the_merged_list_shape():
    first = merge({}, {"services": {"web": {"image": "x", "environment": {"A": 1}}}})
    second = merge(first, {"services": {"web": {"environment": {"B": 2}}}})
    third = merge(second, {"services": {"web": {"environment": {}}}}, resets=frozenset({W + ("environment", "A")}))
    assert third["services"]["web"]["environment"] == ["A=1", "B=2"]


def test_override_replaces_wholesale_at_any_depth():
    assert web({"ports": ["80:80"]}, {"ports": ["81:81"]}, overrides=[("ports",)])["ports"] == ["81:81"]
    assert web({"environment": ["A=1"]}, {"environment": {"C": 3}}, overrides=[("environment",)])[
        "environment"] == {"C": 3}
    assert web({"healthcheck": {"test": ["CMD", "a"], "interval": "1s"}}, {"healthcheck": {"timeout": "1s"}},
               overrides=[("healthcheck",)])["healthcheck"] == {"timeout": "1s"}
    nets = web({"networks": {"n1": {"aliases": ["a"], "ipv4_address": "10.0.0.2"}}},
               {"networks": {"n1": {"aliases": ["b"]}}}, overrides=[("networks", "n1")])["networks"]
    assert nets == {"n1": {"aliases": ["b"]}}
    deploy = web({"deploy": {"resources": {"limits": {"cpus": "1"}}}},
                 {"deploy": {"resources": {"reservations": {"cpus": "2"}}}}, overrides=[("deploy", "resources")])
    assert deploy["deploy"] == {"resources": {"reservations": {"cpus": "2"}}}
