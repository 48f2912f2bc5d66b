"""`pycompose container exec` end to end: a process in a running container's namespaces and cgroup.

Root and busybox-static, like test_container_cmd.py (whose Env it uses): the module
imports busybox into temporary roots, each test removes what it made, and the
module stops its supervisor and removes its roots.
"""

from __future__ import annotations

import shutil

import pytest

from tests.waiting import eventually


@pytest.fixture
def web(env):  # type: ignore[no-untyped-def]
    """A running container `web` with hostname `box` and a file of its own, /marker."""
    done = env.cli("run", "-d", "--name", "web", "--hostname", "box", "busybox", "sh", "-c",
                   "echo mine > /marker; exec sleep 300")
    assert done.returncode == 0, done.stderr
    rootfs = env.state / "bundles" / done.stdout.strip() / "rootfs"
    eventually(lambda: (rootfs / "marker").exists(), what="the container's /marker")
    yield env
    env.remove_all()
    assert env.mounts() == []


def test_exec_prints_to_our_stdout_and_exits_with_the_program(web):
    done = web.cli("exec", "web", "echo", "hi")
    assert (done.returncode, done.stdout) == (0, "hi\n"), done.stderr
    done = web.cli("exec", "web", "sh", "-c", "echo oops >&2; exit 4")
    assert (done.returncode, done.stdout, done.stderr) == (4, "", "oops\n")


def test_exec_sees_the_containers_hostname_files_pids_and_cgroup(web):
    done = web.cli("exec", "web", "sh", "-c", "hostname; cat /marker; cat /proc/1/cmdline | tr '\\0' ' '; echo; "
                   "[ \"$(cat /proc/self/cgroup)\" = \"$(cat /proc/1/cgroup)\" ] && echo same-cgroup")
    assert done.stdout.splitlines() == ["box", "mine", "sleep 300 ", "same-cgroup"], done.stderr


def test_exec_environment_user_and_workdir(web):
    done = web.cli("exec", "-e", "A=1", "-u", "nobody", "-w", "/tmp", "web", "sh", "-c", "echo $A $HOME; id -u; pwd")
    assert done.stdout.splitlines() == ["1 /", "65534", "/tmp"]  # nobody's home in the passwd, done.stderr


def test_detached_exec_returns_at_once_and_its_program_runs(web):
    done = web.cli("exec", "-d", "web", "sh", "-c", "echo later > /detached")
    assert (done.returncode, done.stdout) == (0, ""), done.stderr
    rootfs = web.state / "bundles" / web.service().get("web").id / "rootfs"
    assert eventually(lambda: (rootfs / "detached").exists() and (rootfs / "detached").read_text()) == "later\n"


def test_exec_of_a_missing_program_is_127(web):
    done = web.cli("exec", "web", "nosuch")
    assert done.returncode == 127 and 'exec: "nosuch": executable file not found' in done.stderr


def test_exec_into_a_stopped_container_is_a_conflict(web):
    assert web.cli("stop", "-t", "0", "web").returncode == 0
    done = web.cli("exec", "web", "true")
    assert (done.returncode, done.stderr.splitlines()[0]) == (16, "container `web` is not running")


def test_exec_through_runc(env):
    """The same command line through `runc exec` (crun refuses this hybrid cgroup host outright)."""
    if shutil.which("runc") is None:
        pytest.skip("runc is not installed: exec through runc is untested")
    try:
        done = env.cli("run", "-d", "--runtime", "runc", "--name", "viarunc", "--hostname", "rc", "busybox", "sleep",
                       "300")
        assert done.returncode == 0, done.stderr
        done = env.cli("exec", "-u", "nobody", "-w", "/tmp", "viarunc", "sh", "-c",
                       "hostname; id -u; pwd; [ \"$(cat /proc/self/cgroup)\" = \"$(cat /proc/1/cgroup)\" ] && exit 3")
        assert (done.returncode, done.stdout.splitlines()) == (3, ["rc", "65534", "/tmp"]), done.stderr
    finally:
        env.remove_all()
    assert env.mounts() == []
