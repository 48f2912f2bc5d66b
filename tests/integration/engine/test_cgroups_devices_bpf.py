"""Device rules as a BPF program on a real cgroup2 hierarchy: the kernel refuses what the rules deny.

The engine attaches a device program wherever a container's cgroup lives in a v2
hierarchy with no v1 devices controller. This host may be hybrid: the tests take its
cgroup2 mount alone (a v2-only view of its layout), which is what a pure v2 host gives
the manager; the kernel runs the cgroup's device programs whatever v1 says.
"""

from __future__ import annotations

import dataclasses
import os
import secrets

import pytest

from engine.cgroups.detect import detect
from engine.cgroups.manager import Cgroup
from engine.cgroups.resources import DEFAULT_DEVICE_RULES, DeviceRule, Resources
from engine.cgroups.v2 import bpf
from tests.integration.engine import cgroups_real as real
from tests.integration.engine.cgroups_real import read_line

OPEN = """
for path, mode in (("/dev/null", "rb"), ("/dev/null", "wb"), ("/dev/kmsg", "rb")):
    try:
        open(path, mode, buffering=0).close()
        print(path, mode, "ok", flush=True)
    except PermissionError:
        print(path, mode, "denied", flush=True)
"""
NULL_WRITE_ONLY = (DeviceRule(False, "a"), DeviceRule(True, "c", 1, 3, "w"))


@pytest.fixture
def v2_cgroup():
    """make(resources) -> a Cgroup on the host's cgroup2 hierarchy only; removed (with its parent) after."""
    real.needs_root()
    layout = detect()
    if layout.unified is None:
        pytest.skip("SKIPPED: this host mounts no cgroup2 hierarchy")
    v2_only = dataclasses.replace(layout, v1={}, named={})
    made: list[Cgroup] = []

    def make(resources: Resources) -> Cgroup:
        cg = Cgroup.create(f"pycompose-test-{secrets.token_hex(4)}/devices", resources, v2_only)
        made.append(cg)
        return cg

    yield make
    for cg in made:
        cg.remove(timeout=10, parents=True)
        assert not cg.exists()


@pytest.fixture
def children():
    with real.children() as kids:
        yield kids


def outcome(children, cg: Cgroup) -> list[str]:
    proc = children.spawn(cg, OPEN)
    lines = [read_line(proc) for _ in range(3)]
    assert proc.wait(timeout=10) == 0
    return lines


def test_dockers_default_rules_refuse_kmsg_and_allow_null(v2_cgroup, children):
    cg = v2_cgroup(Resources(devices=DEFAULT_DEVICE_RULES))
    assert outcome(children, cg) == ["/dev/null rb ok", "/dev/null wb ok", "/dev/kmsg rb denied"]


def test_a_rule_can_refuse_reading_dev_null(v2_cgroup, children):
    cg = v2_cgroup(Resources(devices=NULL_WRITE_ONLY))
    assert outcome(children, cg) == ["/dev/null rb denied", "/dev/null wb ok", "/dev/kmsg rb denied"]


def test_update_replaces_the_program(v2_cgroup, children):
    cg = v2_cgroup(Resources(devices=NULL_WRITE_ONLY))
    cg.apply(Resources(devices=DEFAULT_DEVICE_RULES))
    directory = cg.dirs()["unified"]
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        assert len(bpf.attached(fd)) == 1
    finally:
        os.close(fd)
    assert outcome(children, cg)[0] == "/dev/null rb ok"


def test_no_rules_no_program(v2_cgroup, children):
    cg = v2_cgroup(Resources())
    assert outcome(children, cg) == ["/dev/null rb ok", "/dev/null wb ok", "/dev/kmsg rb ok"]
