"""`services.*.ports`: short and long syntax -> the long form `docker compose config` prints."""

from pathlib import Path

import pytest

from compose.errors import FileError
from compose.load.canonical import Context, apply
from compose.load.canonical.ports import RULES

CTX = Context(Path("/project"), "p", {})


def canon(service: dict) -> dict:
    data = {"services": {"s": service}}
    for pattern, rule in RULES:
        data = apply(data, tuple(pattern.split(".")), rule, CTX)
    return data["services"]["s"]


def ports(*specs):
    return canon({"ports": list(specs)}).get("ports")


def p(target, published=None, host_ip=None, protocol="tcp", **extra):
    out = {"mode": "ingress"}
    if host_ip:
        out["host_ip"] = host_ip
    out["target"] = target
    if published is not None:
        out["published"] = published
    out["protocol"] = protocol
    return {**out, **extra}


@pytest.mark.parametrize("spec, expected", [
    ("80", [p(80)]),
    (81, [p(81)]),
    ("8080:80", [p(80, "8080")]),
    ("127.0.0.1:8081:82/udp", [p(82, "8081", "127.0.0.1", "udp")]),
    ("9000-9001:9000-9001", [p(9000, "9000"), p(9001, "9001")]),
    ("[::1]:83:83", [p(83, "83", "::1")]),
    ("::1:92:92", [p(92, "92", "::1")]),
    ("84-85", [p(84), p(85)]),
    ("127.0.0.1::86", [p(86, None, "127.0.0.1")]),
    ("8090-8091:87", [p(87, "8090-8091")]),
    ("0.0.0.0:88:88/sctp", [p(88, "88", "0.0.0.0", "sctp")]),
    ("93/UDP", [p(93, protocol="udp")]),
    ("80/", [p(80)]),
    ("08080:080", [p(80, "8080")]),
    ("0:80", [p(80, "0")]),
    ("9-11", [p(10), p(11), p(9)]),
    ("1.2.3.4:8080-8081:80-81", [p(80, "8080", "1.2.3.4"), p(81, "8081", "1.2.3.4")]),
])
def test_short_syntax(spec, expected):
    assert ports(spec) == expected


def test_long_syntax():
    assert ports({"target": 90, "published": 9090}) == [p(90, "9090")]
    assert ports({"target": "91", "published": "9091-9092", "host_ip": "1.2.3.4", "protocol": "udp",
                  "app_protocol": "http", "name": "web", "mode": "host", "x-foo": 1}) == [
        {"name": "web", "mode": "host", "host_ip": "1.2.3.4", "target": 91, "published": "9091-9092",
         "protocol": "udp", "app_protocol": "http", "x-foo": 1}]
    assert ports({"target": 80, "protocol": "TCP", "published": ""}) == [p(80, protocol="TCP")]


def test_duplicates_dropped_later_one_wins_in_place():
    assert ports("80", "81", "80") == [p(80), p(81)]
    assert ports({"target": 80}, {"target": 80, "host_ip": "0.0.0.0", "name": "y"}, "0.0.0.0::80") == [
        p(80, host_ip="0.0.0.0")]
    assert ports("80/tcp", {"target": 80, "name": "x"}) == [{"name": "x", **p(80)}]
    assert ports({"target": 80, "protocol": "TCP"}, "80") == [p(80, protocol="TCP"), p(80)]
    # compose-go keys a raw integer `published` apart from the string one
    assert ports({"target": 80, "published": 8080, "app_protocol": "a"}, "8080:80") == [
        p(80, "8080", app_protocol="a"), p(80, "8080")]


def test_empty_list_dropped():
    assert "ports" not in canon({"ports": []})


def test_idempotent():
    once = canon({"ports": ["80", "127.0.0.1:8080-8081:80-81/udp", {"target": 1, "published": 2}, "9-11"]})
    assert canon(once) == once


@pytest.mark.parametrize("spec, message", [
    ("80:eighty", "bad container port"),
    ("a:80", "bad host port"),
    ("1.2.3.4:80", "bad host port"),
    ("70000", "bad container port"),
    ("80-79", "bad container port"),
    ("80/foo", "invalid protocol"),
    ("80:", "invalid protocol"),
    ("localhost:80:80", "invalid IP address"),
    ("[::1:80:80", "malformed IPv6"),
    ("9000-9002:9000-9001", "host range of another size"),
    ("0", "missing a target port"),
    ({"published": "80"}, "needs a target"),
])
def test_errors(spec, message):
    with pytest.raises(FileError, match=message) as caught:
        ports("80", spec)
    assert caught.value.path == ("services", "s", "ports", 1)

