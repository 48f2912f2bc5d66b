"""Network namespaces as files under a run root: made, entered, removed, with nothing left over."""

import os
import socket
from pathlib import Path

import pytest

from netplan import netns
from netplan.links import LinkConflict, LinkInvalid, LinkNotFound
from tests.integration.netplan import links_lab

if os.geteuid() != 0:  # loud, not skipped: a skipped namespace suite looks green
    pytest.fail("tests/integration/netplan/test_netns.py needs root", pytrace=False)

lab = links_lab.lab


def _mounted(path: Path) -> bool:
    return any(line.split()[4] == str(path) for line in Path("/proc/self/mountinfo").read_text().splitlines())


def test_a_new_namespace_has_only_lo_and_lo_carries_traffic(lab):
    box = lab.netns("box")
    assert box == lab.root / "netns" / f"pctest-{lab.tag}-box" and _mounted(box)
    assert netns.inside(box, socket.if_nameindex) == [(1, "lo")]
    lab.serve(box, "127.0.0.1", "box")
    assert lab.reach(box, "127.0.0.1") == "box"
    assert lab.reach(lab.netns("other"), "127.0.0.1", timeout=0.3) == "unreachable"   # another namespace's loopback


def test_names_lists_what_is_kept_and_remove_leaves_nothing(lab):
    a, b = lab.netns("a"), lab.netns("b")
    assert netns.names(lab.root) == sorted([a.name, b.name])
    netns.remove(lab.root, a.name)
    netns.remove(lab.root, a.name)                      # gone already: fine
    assert not a.exists() and not _mounted(a)
    assert netns.names(lab.root) == [b.name]


def test_creating_an_existing_namespace_is_a_conflict_that_keeps_the_first(lab):
    box = lab.netns("box")
    with pytest.raises(LinkConflict, match=f"create network namespace `{box.name}`: .* exists already"):
        netns.create(lab.root, box.name)
    assert _mounted(box) and netns.inside(box, socket.if_nameindex) == [(1, "lo")]


@pytest.mark.parametrize("name", ["", "../escape", "a/b", ".hidden", "x" * 65])
def test_bad_names_are_refused_before_anything_is_made(lab, name):
    with pytest.raises(LinkInvalid, match="name network namespace"):
        netns.create(lab.root, name)
    assert netns.names(lab.root) == []


def test_a_container_namespace_is_named_pc_and_its_short_id():
    assert netns.name_for("9f8e7d6c5b4a3f2e1d") == "pc9f8e7d6c5b4a"
    with pytest.raises(LinkInvalid):
        netns.name_for("../x")


def test_inside_returns_and_raises_what_the_function_does(lab):
    box = lab.netns("box")
    assert netns.inside(box, lambda x: x + 1, 41) == 42
    with pytest.raises(ZeroDivisionError):
        netns.inside(box, lambda: 1 / 0)
    mine = os.readlink("/proc/thread-self/ns/net")
    assert netns.inside(box, os.readlink, "/proc/thread-self/ns/net") != mine
    assert os.readlink("/proc/thread-self/ns/net") == mine              # the caller's thread never moves


def test_entering_what_is_not_a_namespace_is_not_found(lab):
    with pytest.raises(LinkNotFound, match="not a network namespace"):
        netns.inside(Path("/proc/self/stat"), print)
    with pytest.raises(LinkNotFound, match="enter network namespace `.*missing`"):
        netns.inside(lab.root / "netns" / "missing", print)
