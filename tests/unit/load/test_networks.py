"""Service `networks`, `network_mode` and top-level `networks` -> the form `docker compose config` prints."""

from pathlib import Path

from compose.load.canonical import Context, apply
from compose.load.canonical.networks import RULES

CTX = Context(Path("/project"), "p", {})


def canon(data: dict) -> dict:
    for pattern, rule in RULES:
        data = apply(data, tuple(pattern.split(".")) if pattern else (), rule, CTX)
    return data


def test_list_becomes_mapping():
    data = canon({"services": {"s": {"networks": ["front", "back"]}}, "networks": {"front": None, "back": None}})
    assert data["services"]["s"]["networks"] == {"front": None, "back": None}


def test_long_form():
    data = canon({"services": {"s": {"networks": {
        "na": {"aliases": ["a1", "a2", "a1"], "ipv4_address": "172.16.0.5", "ipv6_address": "2001:db8::5",
               "link_local_ips": ["169.254.1.1"], "mac_address": "02:42:ac:11:00:02", "priority": 100,
               "gw_priority": 10, "interface_name": "eth5", "driver_opts": {"foo": "bar", "n": 1}, "x-foo": 1},
        "nb": {}, "nc": {"priority": 0, "aliases": [], "ipv4_address": ""}, "nd": None}}}})
    assert data["services"]["s"]["networks"] == {
        "na": {"aliases": ["a1", "a2"], "driver_opts": {"foo": "bar", "n": "1"}, "gw_priority": 10,
               "interface_name": "eth5", "ipv4_address": "172.16.0.5", "ipv6_address": "2001:db8::5",
               "link_local_ips": ["169.254.1.1"], "mac_address": "02:42:ac:11:00:02", "priority": 100,
               "x-foo": 1},
        "nb": {}, "nc": {}, "nd": None}


def test_default_network_joined_and_declared():
    data = canon({"services": {"a": {}, "b": {"networks": []}, "c": {"networks": {}},
                               "d": {"network_mode": "host"}, "e": {"network_mode": "service:a", "networks": []}}})
    services = data["services"]
    assert [services[k].get("networks") for k in "abcde"] == [{"default": None}] * 3 + [None, None]
    assert data["networks"] == {"default": {"name": "p_default"}}


def test_default_network_not_declared_when_unused():
    data = canon({"services": {"a": {"networks": ["other"]}}, "networks": {"other": None}})
    assert data["networks"] == {"other": {"name": "p_other"}}


def test_declared_default_network_keeps_its_settings():
    data = canon({"services": {"a": {}}, "networks": {"default": {"name": "mine", "internal": False,
                                                                  "attachable": False, "enable_ipv6": False}}})
    assert data["networks"] == {"default": {"name": "mine", "enable_ipv6": False}}


def test_top_level():
    networks = canon({"networks": {
        "na": None, "nb": {"external": True}, "nd": {"external": True, "name": "extnet", "driver": "x"},
        "ne": {"ipam": {}}, "nf": {"external": {"name": "old"}},
        "nc": {"name": "custom", "driver": "bridge", "driver_opts": {"mtu": 1500}, "labels": ["a=b"],
               "enable_ipv6": True, "enable_ipv4": False, "internal": True, "attachable": True, "x-n": 1,
               "ipam": {"driver": "default", "options": {"foo": "bar"}, "x-bar": 2, "config": [
                   {"subnet": "172.28.0.0/16", "ip_range": "172.28.5.0/24", "gateway": "172.28.5.254",
                    "aux_addresses": {"host1": "172.28.1.5"}, "x-foo": 1}]}}}})["networks"]
    assert networks == {
        "na": {"name": "p_na"}, "nb": {"name": "nb", "external": True},
        "nd": {"name": "extnet", "driver": "x", "external": True}, "ne": {"name": "p_ne"},
        "nf": {"name": "old", "external": True},
        "nc": {"name": "custom", "driver": "bridge", "driver_opts": {"mtu": "1500"},
               "ipam": {"driver": "default", "x-bar": 2, "config": [
                   {"subnet": "172.28.0.0/16", "gateway": "172.28.5.254", "ip_range": "172.28.5.0/24",
                    "aux_addresses": {"host1": "172.28.1.5"}}]},
               "internal": True, "attachable": True, "labels": {"a": "b"}, "enable_ipv4": False,
               "enable_ipv6": True, "x-n": 1},
    }


def test_idempotent():
    data = {"services": {"a": {"networks": ["n"]}, "b": {}}, "networks": {"n": {"labels": ["a=b"]}}}
    assert canon(canon(data)) == canon(data)
