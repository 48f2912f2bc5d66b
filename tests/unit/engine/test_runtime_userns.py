"""User namespaces in the native runtime's plan: made first and on their own, joined first, mapped by the launcher."""

from __future__ import annotations

import pytest

from engine.runtime import namespaces, spec
from engine.runtime import syscalls as sc
from engine.runtime.errors import BundleInvalid
from engine.runtime.spec import Namespace


def test_a_new_user_namespace_is_planned_apart_from_the_others():
    plan = namespaces.plan([Namespace("pid"), Namespace("mount"), Namespace("user"), Namespace("network", "/n")])
    assert plan.new_user and plan.has("user") and plan.new_pid
    assert plan.new == sc.CLONE_NEWNS and plan.joins == (("/n", sc.CLONE_NEWNET),)
    with sc.recording() as calls:
        namespaces.enter_pid(plan)  # the child makes the PID namespace, inside the user namespace
    assert calls == []


def test_a_user_namespace_path_is_joined_first():
    plan = namespaces.plan([Namespace("network", "/n"), Namespace("user", "/u"), Namespace("mount")])
    assert not plan.new_user and plan.joins == (("/u", sc.CLONE_NEWUSER), ("/n", sc.CLONE_NEWNET))
    assert namespaces.JOIN_ORDER[0] == "user"


def test_a_new_user_namespace_cannot_join_a_pid_namespace():
    with pytest.raises(BundleInvalid, match="cannot join an existing pid namespace"):
        namespaces.plan([Namespace("user"), Namespace("pid", "/p")])


def test_mappings_are_read_and_written_one_line_each(tmp_path, monkeypatch):
    s = spec.from_dict({"process": {"args": ["sh"]}, "linux": {
        "uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
        "gidMappings": [{"containerID": 0, "hostID": 200000, "size": 1}, {"containerID": 5, "hostID": 5, "size": 1}]}},
        "/b")
    assert s.uid_mappings == (spec.IdMapping(0, 100000, 65536),)
    written: dict[str, str] = {}

    class Sink:
        def __init__(self, path: str) -> None:
            self.path = path

        def __enter__(self) -> Sink:
            return self

        def __exit__(self, *exc: object) -> None:
            pass

        def write(self, text: str) -> None:
            assert self.path not in written, "a map is written once, whole"
            written[self.path] = text

    monkeypatch.setattr(namespaces, "open", lambda path, mode="r": Sink(path), raising=False)
    namespaces.write_id_maps(42, s.uid_mappings, s.gid_mappings)
    assert written == {"/proc/42/uid_map": "0 100000 65536\n", "/proc/42/gid_map": "0 200000 1\n5 5 1\n"}


def test_a_user_namespace_without_mappings_is_refused():
    with pytest.raises(BundleInvalid, match="uidMappings: a user namespace needs at least one mapping"):
        namespaces.write_id_maps(42, (), ())
