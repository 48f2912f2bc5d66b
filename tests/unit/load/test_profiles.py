"""Profiles and services named on the command line, each case checked with `docker compose config` (v2.40.3)."""

from __future__ import annotations

import pytest

from compose.errors import FileError, ServiceNotFound
from compose.load.profiles import all_profiles, select


def dep(required: bool = True) -> dict:
    return {"condition": "service_started", "required": required}


PROJECT = {"name": "p", "services": {
    "web": {"image": "x", "depends_on": {"db": dep(required=False)}},
    "db": {"image": "x", "profiles": ["dbp"], "depends_on": {"cache": dep()}},
    "cache": {"image": "x", "profiles": ["cp"]},
    "tool": {"image": "x", "profiles": ["tools", "debug"], "depends_on": {"plain": dep()}},
    "plain": {"image": "x"},
    "solo": {"image": "x", "depends_on": {"plain": dep()}},
}}


def names(profiles=(), services=(), project=PROJECT) -> list[str]:
    return sorted(select(project, profiles=profiles, services=services)["services"])


def test_services_without_profiles_are_active():
    assert names() == ["plain", "solo", "web"]
    # an optional dependency on an inactive service stays written, as in compose
    assert select(PROJECT, profiles=[], services=[])["services"]["web"]["depends_on"] == {"db": dep(required=False)}


def test_a_profile_enables_its_services():
    assert names(["cp"]) == ["cache", "plain", "solo", "web"]
    assert names(["dbp", "cp"]) == ["cache", "db", "plain", "solo", "web"]
    assert names(["*"]) == ["cache", "db", "plain", "solo", "tool", "web"]


def test_requiring_an_inactive_service_is_an_error():
    with pytest.raises(FileError, match='service "db" depends on service "cache", which is not enabled') as caught:
        names(["dbp"])
    assert caught.value.path == ("services", "db", "depends_on", "cache")


def test_named_services_keep_only_themselves_and_their_dependencies():
    assert names(services=["solo"]) == ["plain", "solo"]
    assert names(services=["tool", "web"]) == ["plain", "tool", "web"]
    assert names(["debug"], services=["solo"]) == ["plain", "solo"]


def test_a_named_service_drops_optional_dependencies_left_out():
    out = select(PROJECT, profiles=[], services=["web"])["services"]
    assert out == {"web": {"image": "x"}}


def test_a_named_service_enables_its_profiles():
    project = {"services": {"db": {"image": "x", "profiles": ["dbp"], "depends_on": {"cache": dep()}},
                            "cache": {"image": "x", "profiles": ["dbp"]},
                            "x": {"image": "x", "profiles": ["other"]}}}
    assert names(services=["db"], project=project) == ["cache", "db"]


def test_a_required_dependency_still_inactive_is_not_found():
    with pytest.raises(ServiceNotFound, match="^no such service: cache$"):
        names(services=["db"])


def test_unknown_named_service():
    with pytest.raises(ServiceNotFound, match="^no such service: nope$"):
        names(services=["nope"])


def test_all_profiles_sorted():
    assert all_profiles(PROJECT) == ["cp", "dbp", "debug", "tools"]


def test_input_is_not_mutated():
    before = repr(PROJECT)
    select(PROJECT, profiles=["*"], services=["web"])
    assert repr(PROJECT) == before
