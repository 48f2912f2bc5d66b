"""`extends`, each case checked with `docker compose config` (v2.40.3) on the same files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from compose.errors import FileError
from compose.load.extends import apply_extends


def reader(files: dict[Path, dict]):
    def read(path: Path) -> dict:
        return files[path]
    return read


def extend(data: dict, tmp_path: Path, files: dict | None = None, **kw) -> dict:
    return apply_extends(data, working_dir=tmp_path, read=reader(files or {}), **kw)["services"]


def test_same_file_string_and_mapping_forms(tmp_path):
    services = extend({"services": {
        "web": {"extends": "base", "environment": {"B": 2}},
        "api": {"extends": {"service": "base"}, "ports": ["81"]},
        "base": {"image": "x", "environment": {"A": 1}, "ports": ["80"], "depends_on": ["db"], "links": ["db"],
                 "volumes_from": ["db"], "profiles": ["p"]},
        "db": {"image": "pg"}}}, tmp_path)
    assert services["web"] == {"image": "x", "environment": ["A=1", "B=2"], "ports": ["80"],
                               "depends_on": ["db"], "links": ["db"], "volumes_from": ["db"], "profiles": ["p"]}
    assert services["api"]["ports"] == ["80", "81"]
    assert "extends" not in services["api"]


def test_chain_across_files_rebases_relative_paths(tmp_path):
    common = tmp_path / "sub" / "common.yaml"
    root = tmp_path / "sub" / "deeper" / "root.yaml"
    files = {
        common: {"services": {"common": {"extends": {"file": "deeper/root.yaml", "service": "root"},
                                         "build": "./ctx", "env_file": "./c.env",
                                         "volumes": ["./data:/data", "named:/n", "~/h:/h"], "labels": {"c": 1}}}},
        root: {"services": {"root": {"image": "root", "volumes": ["./rdata:/rdata"], "labels": {"r": 1},
                                     "develop": {"watch": [{"path": "./src", "action": "sync", "target": "/app"}]}}}},
    }
    services = extend({"services": {"other": {"extends": {"file": "sub/common.yaml", "service": "common"},
                                              "command": "run"}}}, tmp_path, files)
    other = services["other"]
    sub = tmp_path / "sub"
    assert other["build"] == str(sub / "ctx")
    assert other["env_file"] == str(sub / "c.env")
    assert other["volumes"] == [f"{sub}/deeper/rdata:/rdata", f"{sub}/data:/data", "named:/n", "~/h:/h"]
    assert other["develop"]["watch"][0]["path"] == str(sub / "deeper" / "src")
    assert other["labels"] == ["r=1", "c=1"] and other["command"] == "run" and other["image"] == "root"


def test_long_volume_and_env_file_forms_are_rebased(tmp_path):
    base = tmp_path / "b" / "base.yaml"
    files = {base: {"services": {"s": {"image": "x", "env_file": [{"path": "e.env", "required": False}],
                                       "volumes": [{"type": "bind", "source": "./d", "target": "/d"},
                                                   {"type": "volume", "source": "v", "target": "/v"}],
                                       "build": {"context": ".", "additional_contexts": {"a": "../x",
                                                                                         "img": "docker-image://y"}}}}}}
    s = extend({"services": {"web": {"extends": {"file": "b/base.yaml", "service": "s"}}}}, tmp_path, files)["web"]
    assert s["env_file"] == [{"path": str(tmp_path / "b" / "e.env"), "required": False}]
    assert s["volumes"] == [{"type": "bind", "source": str(tmp_path / "b" / "d"), "target": "/d"},
                            {"type": "volume", "source": "v", "target": "/v"}]
    assert s["build"] == {"context": str(tmp_path / "b"),
                          "additional_contexts": {"a": str(tmp_path / "x"), "img": "docker-image://y"}}


def test_same_file_paths_are_left_for_the_canonical_phase(tmp_path):
    s = extend({"services": {"web": {"extends": "b"}, "b": {"build": ".", "volumes": ["./d:/d"]}}}, tmp_path)
    assert s["web"] == {"build": ".", "volumes": ["./d:/d"]}


def test_reset_and_override_apply_to_the_inherited_values(tmp_path):
    data = {"services": {"a": {"extends": "b", "environment": {}, "command": ["a"]},
                         "b": {"image": "x", "ports": ["80"], "environment": {"A": 1, "B": 2}, "command": "b c"}}}
    resets = frozenset({("services", "a", "ports"), ("services", "a", "environment", "A")})
    overrides = frozenset({("services", "a", "command")})
    a = extend(data, tmp_path, resets=resets, overrides=overrides)["a"]
    assert a == {"image": "x", "environment": ["B=2"], "command": ["a"]}


def test_cycle_is_reported_with_its_chain(tmp_path):
    data = {"services": {"a": {"extends": "b", "image": "x"}, "b": {"extends": "c"}, "c": {"extends": "a"}}}
    with pytest.raises(FileError, match="extends cycle: a -> b -> c -> a"):
        extend(data, tmp_path)
    with pytest.raises(FileError, match="extends cycle: a -> a"):
        extend({"services": {"a": {"extends": "a"}}}, tmp_path)


def test_cycle_across_files(tmp_path):
    main = tmp_path / "compose.yaml"
    files = {tmp_path / "o.yaml": {"services": {"x": {"extends": {"file": "compose.yaml", "service": "a"}}}}}
    data = {"services": {"a": {"extends": {"file": "o.yaml", "service": "x"}, "image": "x"}}}
    with pytest.raises(FileError, match=r"extends cycle: a \(compose.yaml\) -> x \(o.yaml\) -> a \(compose.yaml\)"):
        apply_extends(data, working_dir=tmp_path, read=reader(files), name=main.name)


def test_unknown_service_is_named(tmp_path):
    with pytest.raises(FileError, match='cannot extend service "a": service "nope" not found') as caught:
        extend({"services": {"a": {"extends": "nope", "image": "x"}}}, tmp_path)
    assert caught.value.path == ("services", "a", "extends")
    files = {tmp_path / "o.yaml": {"services": {"x": {"image": "y"}}}}
    with pytest.raises(FileError, match='service "q" not found in o.yaml'):
        extend({"services": {"a": {"extends": {"file": "o.yaml", "service": "q"}}}}, tmp_path, files)


def test_read_may_return_a_parsed_file_with_tags(tmp_path):
    from compose.load.parse import parse

    parsed = parse("services:\n  s:\n    image: x\n    ports: ['80', !reset '81']\n", "o.yaml")
    s = extend({"services": {"web": {"extends": {"file": "o.yaml", "service": "s"}}}}, tmp_path,
               {tmp_path / "o.yaml": parsed})
    assert s["web"]["ports"] == ["80"]


def test_input_is_not_mutated(tmp_path):
    data = yaml.safe_load("services:\n  a: {extends: b, ports: ['81']}\n  b: {image: x, ports: ['80']}\n")
    copy = yaml.safe_load(yaml.safe_dump(data))
    extend(data, tmp_path)
    assert data == copy
