"""Service `secrets`/`configs` and the top-level ones -> the form `docker compose config` prints."""

from pathlib import Path

import pytest

from compose.errors import FileError
from compose.load.canonical import Context, apply
from compose.load.canonical.storage import RULES

CTX = Context(Path("/project"), "p", {"HOME": "/home/me"})


def canon(data: dict) -> dict:
    for pattern, rule in RULES:
        data = apply(data, tuple(pattern.split(".")), rule, CTX)
    return data


def service(**attrs) -> dict:
    return canon({"services": {"s": attrs}})["services"]["s"]


def test_secrets_short_and_long():
    assert service(secrets=[
        "sec",
        {"source": "sec2", "target": "/custom", "uid": "1000", "gid": "1001", "mode": 0o440},
        {"source": "sec3", "target": "rel"},
        {"source": "sec4", "target": "", "uid": "", "x-a": 1},
    ])["secrets"] == [
        {"source": "sec", "target": "/run/secrets/sec"},
        {"source": "sec2", "target": "/custom", "uid": "1000", "gid": "1001", "mode": "0440"},
        {"source": "sec3", "target": "rel"},
        {"source": "sec4", "x-a": 1},
    ]


def test_configs_have_no_default_target():
    assert service(configs=["cfg", {"source": "cfg2", "target": "/etc/cfg", "mode": "444"}])["configs"] == [
        {"source": "cfg"}, {"source": "cfg2", "target": "/etc/cfg", "mode": "0444"}]


@pytest.mark.parametrize("mode, printed", [("644", "0644"), (420, "0644"), ("0644", "0644"), (0, "00"),
                                           ("0", "00"), (999, "01747")])
def test_mode(mode, printed):
    assert service(configs=[{"source": "c", "mode": mode}])["configs"][0]["mode"] == printed


@pytest.mark.parametrize("mode", ["abc", "999", "0o644", 0.5, -1])
def test_bad_mode(mode):
    with pytest.raises(FileError, match="not a file mode") as caught:
        service(secrets=[{"source": "a", "mode": mode}])
    assert caught.value.path == ("services", "s", "secrets", 0, "mode")


def test_one_per_target_the_later_in_place():
    assert service(secrets=[{"source": "sec"}, {"source": "sec", "target": "x"}, "sec2",
                            {"source": "sec2", "target": "/run/secrets/sec2", "mode": 0},
                            {"source": "sec", "uid": "0", "mode": "0644"}])["secrets"] == [
        {"source": "sec", "target": "/run/secrets/sec", "uid": "0", "mode": "0644"},
        {"source": "sec", "target": "x"},
        {"source": "sec2", "target": "/run/secrets/sec2", "mode": "00"},
    ]
    assert service(configs=[{"source": "cfg", "target": "rel"}, "cfg", {"source": "cfg", "mode": 256}])[
        "configs"] == [{"source": "cfg", "target": "rel"}, {"source": "cfg", "mode": "0400"}]


def test_top_level():
    data = canon({
        "secrets": {"sec": {"file": "./secret.txt"}, "env": {"environment": "HOME"}, "ext": {"external": True},
                    "home": {"file": "~/x"}, "named": {"name": "foo", "file": "/abs/../z"}},
        "configs": {"cfg": {"content": "hello $x", "labels": ["a=b"]},
                    "old": {"external": {"name": "ext"}}, "rel": {"file": "rel/../y", "template_driver": "golang"}},
    })
    assert data["secrets"] == {
        "sec": {"name": "p_sec", "file": "/project/secret.txt"}, "env": {"name": "p_env", "environment": "HOME"},
        "ext": {"name": "ext", "external": True}, "home": {"name": "p_home", "file": "/home/me/x"},
        "named": {"name": "foo", "file": "/abs/../z"}}
    assert data["configs"] == {
        "cfg": {"name": "p_cfg", "content": "hello $x", "labels": {"a": "b"}},
        "old": {"name": "ext", "external": True},
        "rel": {"name": "p_rel", "file": "/project/y", "template_driver": "golang"}}
    assert canon(data) == data
