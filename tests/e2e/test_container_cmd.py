"""`pycompose container ...` end to end: the CLI as a subprocess, a busybox image imported into temporary roots.

Needs root (mounts, namespaces, cgroups) and Debian's busybox-static. Everything a
test makes is removed after it (containers, mounts, cgroups); the module stops its
supervisor and removes its roots.
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

from tests.e2e.engine_env import REPO, Env  # noqa: F401 - Env for the tests that use it directly
from tests.waiting import eventually


def test_run_rm_prints_output_and_exits_zero(cli):
    done = cli.cli("run", "--rm", "busybox", "echo", "hello")
    assert (done.returncode, done.stdout) == (0, "hello\n"), done.stderr
    assert cli.cli("ls", "-a", "-q").stdout == ""


def test_run_exits_with_the_program_code(cli):
    done = cli.cli("run", "--rm", "busybox", "sh", "-c", "echo oops >&2; exit 3")
    assert (done.returncode, done.stderr) == (3, "oops\n")


def test_run_of_a_missing_program_is_127_with_dockers_message(cli):
    done = cli.cli("run", "--rm", "busybox", "nosuch")
    assert done.returncode == 127
    assert 'exec: "nosuch": executable file not found in $PATH' in done.stderr
    assert cli.cli("ls", "-a", "-q").stdout == ""


def test_run_environment_user_and_workdir(cli):
    done = cli.cli("run", "--rm", "-e", "A=1", "-u", "nobody", "-w", "/tmp", "busybox", "sh", "-c", "env; id -u; pwd")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "A=1" in lines and lines[-2:] == ["65534", "/tmp"]


def test_entrypoint_replaces_the_program(cli):
    done = cli.cli("run", "--rm", "--entrypoint", "echo", "busybox", "from", "entrypoint")
    assert (done.returncode, done.stdout) == (0, "from entrypoint\n"), done.stderr


def test_detached_container_lives_logs_stops_and_goes(cli):
    from engine import logs

    done = cli.cli("run", "-d", "--name", "web", "busybox", "sh", "-c", "echo started; exec sleep 300")
    assert done.returncode == 0, done.stderr
    cid = done.stdout.strip()
    record = cli.service().get(cid)
    eventually(lambda: logs.read(cli.service().log_path(record)), what="the container's first line")
    listed = cli.cli("ls").stdout.splitlines()
    assert listed[0].split()[:3] == ["CONTAINER", "ID", "IMAGE"]
    assert cid[:12] in listed[1] and "Up " in listed[1] and listed[1].endswith("web")
    row = json.loads(cli.cli("ls", "--format", "json").stdout)
    assert (row["Names"], row["State"], row["Image"]) == ("web", "running", "busybox")
    assert cli.cli("logs", "web").stdout == "started\n"
    state = json.loads(cli.cli("inspect", "web").stdout)[0]
    assert (state["Id"], state["Name"], state["State"]["Running"]) == (cid, "/web", True)
    assert state["State"]["Pid"] > 0 and state["Config"]["Image"] == "busybox"
    cgroup = Path("/sys/fs/cgroup/memory/pycompose") / cid
    assert cli.cli("stop", "-t", "1", "web").returncode == 0
    assert "Exited (137)" in cli.cli("ls", "-a").stdout
    assert cli.cli("ls", "-q").stdout == ""
    assert cli.cli("wait", "web").stdout == "137\n"
    assert cli.cli("rm", "web").stdout == "web\n"
    assert cli.cli("ls", "-a", "-q").stdout == ""
    assert cli.mounts() == [] and not cgroup.exists()
    assert not (cli.state / "bundles" / cid).exists()


def _mount_options(target) -> str:
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        if line.split()[4] == str(target):
            return line
    raise AssertionError(f"{target} is not mounted")


def test_run_detached_with_rm_is_removed_by_its_supervisor_once_it_exits(cli):
    before = set(cli.pycompose("volume", "ls", "-q").stdout.split())
    done = cli.cli("run", "-d", "--rm", "--name", "brief", "-v", "/scratch", "busybox", "sh", "-c",
                   "exec sleep 300")
    assert done.returncode == 0, done.stderr
    cid = done.stdout.strip()
    state = json.loads(cli.cli("inspect", "brief").stdout)[0]
    assert state["HostConfig"]["AutoRemove"] is True and state["State"]["Running"] is True
    made = set(cli.pycompose("volume", "ls", "-q").stdout.split()) - before
    assert len(made) == 1  # /scratch's anonymous volume
    # What is removed when it exits keeps nothing: its root is mounted volatile (no sync on its unmount)
    assert "volatile" in _mount_options(cli.state / "bundles" / cid / "rootfs")
    kept = cli.cli("run", "-d", "busybox", "sleep", "300").stdout.strip()
    assert "volatile" not in _mount_options(cli.state / "bundles" / kept / "rootfs")
    assert cli.cli("rm", "-f", kept).returncode == 0
    assert cli.cli("stop", "-t", "0", "brief").returncode == 0
    eventually(lambda: cli.cli("ls", "-a", "-q").stdout == "", what="the stopped --rm container's removal")
    assert set(cli.pycompose("volume", "ls", "-q").stdout.split()) == before  # its anonymous volume too
    assert cli.mounts() == [] and not (cli.state / "bundles" / cid).exists()
    quick = cli.cli("run", "-d", "--rm", "busybox", "true")  # ends at once: gone without a stop
    assert quick.returncode == 0, quick.stderr
    eventually(lambda: cli.cli("ls", "-a", "-q").stdout == "", what="the ended --rm container's removal")
    refused = cli.cli("run", "-d", "--rm", "--restart", "always", "busybox", "true")
    assert refused.returncode != 0 and "conflicting options: --restart and --rm" in refused.stderr


def test_memory_limit_oom_kills(cli):
    done = cli.cli("run", "--rm", "--memory", "16m", "busybox", "sh", "-c",
                   "a=aaaaaaaaaaaaaaaa; while :; do a=$a$a; done")
    assert done.returncode == 137, done.stderr


def test_a_taken_name_is_a_conflict_naming_it(cli):
    assert cli.cli("create", "--name", "dup", "busybox", "true").returncode == 0
    done = cli.cli("create", "--name", "dup", "busybox", "true")
    assert done.returncode == 16 and "`dup`" in done.stderr
    assert len(cli.cli("ls", "-a", "-q").stdout.split()) == 1


def test_wait_and_inspect_after_exit(cli):
    cid = cli.cli("run", "-d", "busybox", "sh", "-c", "exit 5").stdout.strip()
    assert cli.cli("wait", cid).stdout == "5\n"
    state = json.loads(cli.cli("inspect", cid[:12]).stdout)[0]["State"]
    assert (state["Status"], state["ExitCode"], state["Running"]) == ("exited", 5, False)
    assert cli.cli("rm", cid).returncode == 0


def test_rm_of_a_running_container_needs_force(cli):
    cli.cli("run", "-d", "--name", "busy", "busybox", "sleep", "300")
    done = cli.cli("rm", "busy")
    assert done.returncode == 16 and "busy" in done.stderr
    assert cli.cli("rm", "-f", "busy").returncode == 0
    assert cli.cli("ls", "-a", "-q").stdout == ""


def test_killing_the_supervisor_leaves_the_container_running(cli):
    from engine.state.liveness import start_time
    from engine.supervisor.client import wait_gone

    cid = cli.cli("run", "-d", "--name", "survivor", "busybox", "sleep", "300").stdout.strip()
    sup = cli.service().supervisor
    pid = sup.pid()
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    assert wait_gone(pid, 10.0)
    record = cli.service().store.get(cid)
    assert start_time(record.pid) == record.pid_start  # the runtime, and its container, still run
    assert "Up " in cli.cli("ls").stdout
    assert cli.cli("kill", "-s", "KILL", "survivor").returncode == 0  # a new supervisor adopts it
    eventually(lambda: "Exited" in cli.cli("ls", "-a").stdout, what="the container to be seen exited")
    assert cli.cli("rm", "survivor").returncode == 0


def test_containers_run_under_dockers_seccomp_profile_exec_too(cli):
    # unshare(CLONE_NEWUSER) needs no capability: only the seccomp filter refuses it, as Docker's does.
    probe = "grep '^Seccomp:' /proc/self/status; unshare -U true 2>/dev/null || echo refused"
    done = cli.cli("run", "--rm", "busybox", "sh", "-c", probe)
    assert (done.returncode, done.stdout.split()) == (0, ["Seccomp:", "2", "refused"]), done.stderr
    started = cli.cli("run", "-d", "--name", "confined", "busybox", "sleep", "300")
    assert started.returncode == 0, started.stderr
    done = cli.cli("exec", "confined", "sh", "-c", probe)
    assert (done.returncode, done.stdout.split()) == (0, ["Seccomp:", "2", "refused"]), done.stderr


def test_a_container_left_half_made_is_dead_until_made_and_rm_takes_it_whole(cli):
    from engine.containers.options import RunOptions

    svc = cli.service()
    record = svc.create(RunOptions(image="busybox", command=("true",), name="halfway"), whole=False)
    assert svc.get(record.id).state == "dead"  # what a create killed before its networks were plumbed leaves
    assert "Dead" in cli.cli("ls", "-a").stdout
    assert cli.cli("start", "halfway").returncode != 0  # never started without its plumbing
    assert svc.made(record.id).state == "created"
    assert cli.cli("rm", "halfway").returncode == 0
    broken = svc.create(RunOptions(image="busybox", command=("true",), name="broken"), whole=False)
    assert cli.cli("rm", "broken").returncode == 0 and cli.cli("ls", "-a", "-q").stdout == ""
    assert cli.mounts() == [] and not (cli.state / "bundles" / broken.id).exists()
    # killed while its snapshot was being made: not mounted yet, its snapshot without its list of layers
    from engine.images.snapshots.mounts import unmount

    cut = svc.create(RunOptions(image="busybox", command=("true",), name="cut"), whole=False)
    unmount(cli.state / "bundles" / cut.id / "rootfs")
    (cli.state / "snapshots" / cut.id / "layers").unlink()
    done = cli.cli("rm", "cut")
    assert done.returncode == 0, done.stderr
    assert cli.cli("ls", "-a", "-q").stdout == "" and not (cli.state / "snapshots" / cut.id).exists()
