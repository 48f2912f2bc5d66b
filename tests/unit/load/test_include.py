"""`include`, each case checked with `docker compose config` (v2.40.3) on the same files."""

from __future__ import annotations

from pathlib import Path

import pytest

from compose.errors import FileError
from compose.load.include import IncludeSpec, apply_include, specs

DB = {"image": "pg", "networks": {"default": None}}


def test_short_form_defaults(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / ".env").write_text("X=1\n")
    [spec] = specs({"include": ["sub/compose.yaml"]}, tmp_path)
    assert spec == IncludeSpec((tmp_path / "sub" / "compose.yaml",), tmp_path / "sub", (tmp_path / "sub" / ".env",))


def test_no_default_env_file_when_there_is_no_dot_env(tmp_path):
    [spec] = specs({"include": ["sub/compose.yaml"]}, tmp_path)
    assert spec.env_files == ()


def test_long_form(tmp_path):
    (tmp_path / "a.env").write_text("")
    [spec] = specs({"include": [{"path": ["a/x.yaml", "a/y.yaml"], "project_directory": ".",
                                 "env_file": ["a.env", "/dev/null"]}]}, tmp_path)
    assert spec.paths == (tmp_path / "a" / "x.yaml", tmp_path / "a" / "y.yaml")
    assert spec.project_directory == tmp_path
    assert spec.env_files == (tmp_path / "a.env",)


def test_missing_env_file_is_an_error(tmp_path):
    with pytest.raises(FileError, match="env file .*nope.env not found") as caught:
        specs({"include": [{"path": "x.yaml", "env_file": "nope.env"}]}, tmp_path)
    assert caught.value.path == ("include", 0, "env_file")


def _touch(directory, *names):
    for name in names:
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_text("services: {}\n")


def test_resources_are_imported_and_include_removed(tmp_path):
    _touch(tmp_path, "sub/compose.yaml")
    seen = []

    def load(spec: IncludeSpec) -> dict:
        seen.append(spec)
        return {"services": {"db": DB}, "networks": {"n": {"name": "p_n"}}}

    out = apply_include({"include": ["sub/compose.yaml"], "services": {"web": {"image": "x", "depends_on": ["db"]}}},
                        working_dir=tmp_path, load_included=load)
    assert "include" not in out
    assert out["services"] == {"web": {"image": "x", "depends_on": ["db"]}, "db": DB}
    assert out["networks"] == {"n": {"name": "p_n"}}
    assert seen[0].paths == (tmp_path / "sub" / "compose.yaml",)


def test_a_different_local_definition_conflicts(tmp_path):
    _touch(tmp_path, "b.yaml")
    def load(spec: IncludeSpec) -> dict:
        return {"services": {"db": DB}}

    with pytest.raises(FileError, match="services.db: conflicts with imported resource"):
        apply_include({"include": ["b.yaml"], "services": {"db": {"image": "mysql"}}}, working_dir=tmp_path,
                      load_included=load)


def test_an_equal_definition_is_allowed(tmp_path):
    _touch(tmp_path, "b.yaml")
    def load(spec: IncludeSpec) -> dict:
        return {"services": {"db": DB}}

    def canonical(data: dict) -> dict:
        return {"services": {name: {**s, "networks": {"default": None}} for name, s in data["services"].items()}}

    out = apply_include({"include": ["b.yaml"], "services": {"db": {"image": "pg"}}}, working_dir=tmp_path,
                        load_included=load, canonical=canonical)
    assert out["services"]["db"] == DB


def test_two_includes_defining_a_name_differently_conflict(tmp_path):
    _touch(tmp_path, "b.yaml", "c.yaml")
    def load(spec: IncludeSpec) -> dict:
        return {"networks": {"n": {"driver": spec.paths[0].stem}}}

    with pytest.raises(FileError, match="networks.n: conflicts with imported resource"):
        apply_include({"include": ["b.yaml", "c.yaml"]}, working_dir=tmp_path, load_included=load)
    out = apply_include({"include": ["b.yaml", "b.yaml"]}, working_dir=Path(tmp_path), load_included=load)
    assert out == {"networks": {"n": {"driver": "b"}}}


def test_a_missing_included_file_is_reported_at_its_entry(tmp_path):
    _touch(tmp_path, "a.yaml")
    with pytest.raises(FileError, match=r"include\[1\]: included file .*nowhere.yaml not found"):
        apply_include({"include": ["a.yaml", "nowhere.yaml"]}, working_dir=tmp_path, load_included=lambda s: {})
