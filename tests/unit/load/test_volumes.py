"""`services.*.volumes` and top-level `volumes` -> the form `docker compose config` prints."""

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


def mounts(*specs):
    return canon({"services": {"s": {"volumes": list(specs)}}})["services"]["s"].get("volumes")


def bind(source, target, **extra):
    return {"type": "bind", "source": source, "target": target, **extra}


CREATE = {"create_host_path": True}


@pytest.mark.parametrize("spec, expected", [
    ("./data:/data:ro", bind("/project/data", "/data", read_only=True, bind=CREATE)),
    ("vol:/v", {"type": "volume", "source": "vol", "target": "/v", "volume": {}}),
    ("/abs:/x:rw,z", bind("/abs", "/x", bind={"selinux": "z", "create_host_path": True})),
    ("/data2", {"type": "volume", "target": "/data2", "volume": {}}),
    ("/x", {"type": "volume", "target": "/x"}),
    ("~/x:/y", bind("/home/me/x", "/y", bind=CREATE)),
    ("~root/x:/y", bind("/home/me/root/x", "/y", bind=CREATE)),
    ("../up:/up", bind("/up", "/up", bind=CREATE)),
    (".:/dot", bind("/project", "/dot", bind=CREATE)),
    ("./a/../b/:/r", bind("/project/b", "/r", bind=CREATE)),
    ("/abs/../q/:/q", bind("/abs/../q/", "/q", bind=CREATE)),
    ("/a:/b/../c/", bind("/a", "/c", bind=CREATE)),
    ("vol:/v2:nocopy", {"type": "volume", "source": "vol", "target": "/v2", "volume": {"nocopy": True}}),
    ("vol:/x:volume-nocopy", {"type": "volume", "source": "vol", "target": "/x", "volume": {}}),
    ("/abs:/p2:ro,Z,rprivate", bind("/abs", "/p2", read_only=True,
                                    bind={"selinux": "Z", "propagation": "rprivate", "create_host_path": True})),
    ("/a:/c:cached", bind("/a", "/c", bind=CREATE)),
    ("/a:/c:ro,rw", bind("/a", "/c", bind=CREATE)),
    ("/a:/b:c:d", bind("/a", "/b", bind=CREATE)),
    ("/a:/b:nocopy", bind("/a", "/b", bind=CREATE, volume={"nocopy": True})),
    ("vol:/b:z", {"type": "volume", "source": "vol", "target": "/b", "bind": {"selinux": "z"}, "volume": {}}),
    ("C:\\x:/w", bind("C:\\x", "/w", bind=CREATE)),
    ("a:/a", {"type": "volume", "target": "a:/a", "volume": {}}),
])
def test_short_syntax(spec, expected):
    assert mounts(spec) == [expected]


def test_long_syntax():
    assert mounts({"type": "bind", "source": "./b", "target": "/b/"}) == [bind("/project/b", "/b")]
    assert mounts({"type": "bind", "source": "/a", "target": "/a", "bind": {"create_host_path": False},
                   "read_only": False, "consistency": "cached", "x-foo": 1}) == [
        bind("/a", "/a", consistency="cached", bind={}, **{"x-foo": 1})]
    assert mounts({"type": "volume", "source": "vol", "target": "/vv", "read_only": True,
                   "volume": {"nocopy": True, "subpath": "sub"}}) == [
        {"type": "volume", "source": "vol", "target": "/vv", "read_only": True,
         "volume": {"nocopy": True, "subpath": "sub"}}]
    assert mounts({"type": "volume", "target": "/anon", "volume": {"nocopy": False, "subpath": ""}}) == [
        {"type": "volume", "target": "/anon", "volume": {}}]
    assert mounts({"type": "image", "source": "alpine", "target": "/img", "image": {"subpath": "etc"}}) == [
        {"type": "image", "source": "alpine", "target": "/img", "image": {"subpath": "etc"}}]


@pytest.mark.parametrize("tmpfs, expected", [
    ({"size": "1g", "mode": 493}, {"size": "1073741824", "mode": 493}),
    ({"size": 1024}, {"size": "1024"}),
    ({"size": "1.5k"}, {"size": "1536"}),
    ({"size": 0, "mode": 0}, {}),
])
def test_tmpfs_mount(tmpfs, expected):
    assert mounts({"type": "tmpfs", "target": "/t", "tmpfs": tmpfs}) == [
        {"type": "tmpfs", "target": "/t", "tmpfs": expected}]


def test_one_mount_per_target_the_later_in_place():
    assert mounts("/a:/b", "/d:/e", "/c:/b", {"type": "bind", "source": "/z", "target": "/e"}) == [
        bind("/c", "/b", bind=CREATE), bind("/z", "/e")]


def test_idempotent():
    data = {"services": {"s": {"volumes": ["./a:/a:ro,z", "vol:/v:nocopy", "/x", "~/h:/h",
                                           {"type": "tmpfs", "target": "/t", "tmpfs": {"size": "1m"}}]}},
            "volumes": {"vol": None}}
    assert canon(canon(data)) == canon(data)


@pytest.mark.parametrize("spec, message", [
    ("/a::/b", "empty section"),
    (":/b", "empty section"),
    ("/a:/b:ro:z", "too many colons"),
    ({"type": "bind", "target": "/e"}, "needs a source"),
    ({"type": "volume", "source": "v"}, "needs a target"),
    ({"type": "tmpfs", "target": "/t", "tmpfs": {"size": "1x"}}, "not a size"),
])
def test_errors(spec, message):
    with pytest.raises(FileError, match=message) as caught:
        mounts("/ok", spec)
    assert caught.value.path[:4] == ("services", "s", "volumes", 1)


def top(volumes: dict) -> dict:
    return canon({"volumes": volumes})["volumes"]


def test_top_level_volumes():
    assert top({
        "a": None, "b": {"external": True}, "c": {"name": "custom"}, "d": {"external": {"name": "foo"}},
        "e": {"external": {}}, "f": {"name": ""}, "g": {"external": False, "labels": {}},
        "h": {"driver": "local", "driver_opts": {"type": "none", "num": 1}, "labels": ["x=y", "z", "=e"],
              "x-ext": 1},
        "i": {"labels": {"a": True, "b": None, "c": 1.5, "d": 1.0}},
    }) == {
        "a": {"name": "p_a"}, "b": {"name": "b", "external": True}, "c": {"name": "custom"},
        "d": {"name": "foo", "external": True}, "e": {"name": "e", "external": True}, "f": {},
        "g": {"name": "p_g"},
        "h": {"name": "p_h", "driver": "local", "driver_opts": {"type": "none", "num": "1"},
              "labels": {"x": "y", "z": "", "": "e"}, "x-ext": 1},
        "i": {"name": "p_i", "labels": {"a": "true", "b": "", "c": "1.5", "d": "1"}},
    }


@pytest.mark.parametrize("volume, message", [
    ({"external": True, "driver": "foo"}, "external volume"),
    ({"external": True, "labels": ["a"]}, "external volume"),
    ({"external": {"name": "foo"}, "name": "bar"}, "conflicts with external.name"),
])
def test_top_level_errors(volume, message):
    with pytest.raises(FileError, match=message):
        top({"v": volume})
