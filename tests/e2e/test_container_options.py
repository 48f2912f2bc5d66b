"""`pycompose container run` with Docker's options, end to end, on every runtime installed (the native one,
runc, crun): each option checked as a user would check it, from inside the container or from the host.

Needs root and Debian's busybox-static; the fixtures of test_container_cmd (temporary roots with busybox,
everything removed after each test).
"""

from __future__ import annotations

import json
import os
import shutil

import pytest

from tests.waiting import eventually

RUNTIMES = ["native", "runc", "crun"]


@pytest.fixture(params=RUNTIMES)
def rt(request, cli):  # type: ignore[no-untyped-def]
    """`run --rm --runtime <name> busybox ...` on one runtime: (exit code, stdout + stderr)."""
    name = request.param
    if name != "native" and shutil.which(name) is None:
        pytest.skip(f"SKIPPED {name}: not installed (apt-get install -y {name})")

    def run(*args: str) -> tuple[int, str]:
        done = cli.cli("run", "--rm", "--runtime", name, *args)
        return done.returncode, done.stdout + done.stderr

    return run


def status(text: str, field: str) -> str:
    return next(line.split()[1] for line in text.splitlines() if line.startswith(field + ":"))


def host_bounding() -> int:
    with open("/proc/self/status") as f:
        return int(status(f.read(), "CapBnd"), 16)


def test_cap_add_and_cap_drop(rt):  # type: ignore[no-untyped-def]
    code, out = rt("--cap-drop", "ALL", "--cap-add", "chown", "busybox", "grep", "Cap", "/proc/self/status")
    assert code == 0, out
    assert (status(out, "CapEff"), status(out, "CapBnd")) == ("0000000000000001", "0000000000000001")
    code, out = rt("--cap-add", "NET_ADMIN", "--cap-drop", "cap_chown", "busybox", "grep", "CapEff",
                   "/proc/self/status")
    bits = int(status(out, "CapEff"), 16)
    assert bits & (1 << 12) and not bits & 1  # NET_ADMIN in, CHOWN out


def test_privileged_has_every_capability_and_a_writable_sys(rt):  # type: ignore[no-untyped-def]
    code, out = rt("--privileged", "busybox", "sh", "-c", "grep CapEff /proc/self/status; grep ' /sys ' /proc/mounts")
    assert code == 0, out
    assert int(status(out, "CapEff"), 16) == host_bounding()
    assert " rw," in out.splitlines()[1]


def test_read_only_root_and_no_new_privileges(rt):  # type: ignore[no-untyped-def]
    code, out = rt("--read-only", "--security-opt", "no-new-privileges", "busybox", "sh", "-c",
                   "grep NoNewPrivs /proc/self/status; touch /etc/x; echo shm > /dev/shm/ok && cat /dev/shm/ok")
    assert "NoNewPrivs:\t1" in out and "touch: /etc/x: Read-only file system" in out and "shm" in out


def test_sysctls_ulimits_shm_and_oom_score(rt):  # type: ignore[no-untyped-def]
    code, out = rt("--sysctl", "kernel.shmmax=12345678", "--sysctl", "net.ipv4.ip_forward=1",
                   "--ulimit", "nofile=1024:2048", "--shm-size", "16m", "--oom-score-adj", "500", "busybox", "sh",
                   "-c", "cat /proc/sys/kernel/shmmax /proc/sys/net/ipv4/ip_forward /proc/self/oom_score_adj; "
                         "ulimit -n; ulimit -Hn; df -k /dev/shm | tail -1")
    assert code == 0, out
    lines = out.splitlines()
    assert lines[:5] == ["12345678", "1", "500", "1024", "2048"]
    assert lines[5].split()[1] == "16384"


def test_pid_and_uts_of_the_host(rt):  # type: ignore[no-untyped-def]
    code, out = rt("--pid", "host", "--uts", "host", "busybox", "sh", "-c", "readlink /proc/self/ns/pid; hostname")
    assert out.splitlines() == [os.readlink("/proc/self/ns/pid"), os.uname().nodename]


def test_init_is_pid_1_and_the_domain_name_is_set(rt):  # type: ignore[no-untyped-def]
    code, out = rt("--init", "--domainname", "example.org", "busybox", "sh", "-c",
                   "cat /proc/1/cmdline | tr '\\0' ' '; echo; cat /proc/sys/kernel/domainname")
    assert code == 0, out
    first, domain = out.splitlines()[:2]
    assert first.startswith("/sbin/docker-init -- sh -c") and domain == "example.org"


def test_a_device_with_its_permissions_and_a_cgroup_rule(rt):  # type: ignore[no-untyped-def]
    if not os.path.exists("/dev/fuse"):
        pytest.skip("SKIPPED: this host has no /dev/fuse to map")
    code, out = rt("--device", "/dev/fuse:/dev/f:r", "busybox", "sh", "-c", ": < /dev/f && echo readable")
    assert out == "readable\n"
    code, out = rt("--device", "/dev/fuse:/dev/f:r", "busybox", "sh", "-c", ": > /dev/f")
    assert "can't create /dev/f: Operation not permitted" in out  # `r` only: the device cgroup refuses writing
    code, out = rt("busybox", "sh", "-c", "mknod /dev/g c 10 229; : < /dev/g && echo readable")
    assert "Operation not permitted" in out  # no rule: the device cgroup refuses it
    code, out = rt("--device-cgroup-rule", "c 10:229 r", "busybox", "sh", "-c",
                   "mknod /dev/g c 10 229; : < /dev/g && echo readable")
    assert "readable" in out


def test_groups_and_group_add(rt):  # type: ignore[no-untyped-def]
    code, out = rt("-u", "nobody", "--group-add", "root", "--group-add", "4242", "busybox", "id", "-G")
    assert out.split() == ["65534", "0", "4242"]


def test_ipc_shareable_and_joined(cli):  # type: ignore[no-untyped-def]
    assert cli.cli("run", "-d", "--name", "donor", "--ipc", "shareable", "--sysctl", "kernel.shmmax=7654321",
                   "busybox", "sh", "-c", "echo hi > /dev/shm/note; exec sleep 300").returncode == 0
    eventually(lambda: cli.cli("exec", "donor", "cat", "/dev/shm/note").stdout == "hi\n", what="donor's note")
    done = cli.cli("run", "--rm", "--ipc", "container:donor", "busybox", "sh", "-c",
                   "cat /proc/sys/kernel/shmmax /dev/shm/note; readlink /proc/self/ns/ipc")
    donor_ns = cli.cli("exec", "donor", "readlink", "/proc/self/ns/ipc").stdout
    assert done.stdout.splitlines()[:2] == ["7654321", "hi"] and done.stdout.splitlines()[2] == donor_ns.strip()
    assert cli.cli("run", "-d", "--name", "private", "busybox", "sleep", "300").returncode == 0
    refused = cli.cli("run", "--rm", "--ipc", "container:private", "busybox", "true")
    assert refused.returncode != 0 and "non-shareable IPC" in refused.stderr
    assert cli.cli("ls", "-a", "-q").stdout.count("\n") == 2  # nothing left of the refused one


def test_pid_of_another_container(cli):  # type: ignore[no-untyped-def]
    cli.cli("run", "-d", "--name", "target", "busybox", "sleep", "300")
    done = cli.cli("run", "--rm", "--pid", "container:target", "busybox", "ps", "-o", "comm")
    assert done.stdout.split()[1:3] == ["sleep", "ps"]
    cli.cli("stop", "-t", "0", "target")
    refused = cli.cli("run", "--rm", "--pid", "container:target", "busybox", "true")
    assert "cannot join PID of a non running container: target" in refused.stderr


def test_volumes_from_read_only(cli):  # type: ignore[no-untyped-def]
    cli.cli("run", "-d", "--name", "keeper", "-v", "/data", "busybox", "sh", "-c", "echo kept > /data/f; sleep 300")
    eventually(lambda: cli.cli("exec", "keeper", "cat", "/data/f").stdout == "kept\n", what="keeper's file")
    done = cli.cli("run", "--rm", "--volumes-from", "keeper:ro", "busybox", "sh", "-c", "cat /data/f; touch /data/g")
    assert "kept" in done.stdout and "Read-only file system" in done.stderr


def test_resources_reach_the_cgroup(cli):  # type: ignore[no-untyped-def]
    from engine.cgroups.manager import Cgroup

    cid = cli.cli("run", "-d", "--cpu-shares", "512", "--memory", "64m", "--memory-reservation", "32m",
                  "--pids-limit", "20", "--cgroup-parent", "optest", "busybox", "sleep", "300").stdout.strip()
    launch = cli.service().get(cid).config.launch
    assert launch["cgroup"] == f"pycompose/optest/{cid}"
    dirs = Cgroup(launch["cgroup"]).dirs()

    def read(v1: tuple[str, str], v2: str) -> str:
        path = dirs[v1[0]] / v1[1] if v1[0] in dirs else dirs["unified"] / v2
        return path.read_text().strip()

    assert read(("cpu", "cpu.shares"), "cpu.weight") in ("512", "20")
    assert read(("memory", "memory.soft_limit_in_bytes"), "memory.low") == str(32 << 20)
    assert read(("memory", "memory.limit_in_bytes"), "memory.max") == str(64 << 20)
    assert read(("pids", "pids.max"), "pids.max") == "20"
    host = json.loads(cli.cli("inspect", cid).stdout)[0]["HostConfig"]
    assert (host["CpuShares"], host["MemoryReservation"], host["CgroupParent"]) == (512, 32 << 20, "optest")
    assert cli.cli("rm", "-f", cid).returncode == 0
    assert not any(d.exists() for d in dirs.values())
    assert not any((d.parent).exists() for d in dirs.values())  # the parent made for it goes with it


def test_json_file_rotation_keeps_three_files(cli):  # type: ignore[no-untyped-def]
    from engine import logs

    cid = cli.cli("run", "-d", "--log-opt", "max-size=2k", "--log-opt", "max-file=3", "busybox", "sh", "-c",
                  "i=0; while [ $i -lt 300 ]; do echo line $i; i=$((i+1)); done").stdout.strip()
    assert cli.cli("wait", cid).stdout == "0\n"
    path = cli.service().log_path(cli.service().get(cid))
    assert logs.log_files(path) == [f"{path}.2", f"{path}.1", path]
    assert all(os.path.getsize(p) <= 2000 for p in logs.log_files(path))
    lines = cli.cli("logs", cid).stdout.splitlines()
    assert lines[-1] == "line 299" and "line 0" not in lines  # the oldest rotated away
    assert [int(line.split()[1]) for line in lines] == list(range(300 - len(lines), 300))


def test_a_none_log_driver_keeps_nothing(cli):  # type: ignore[no-untyped-def]
    cid = cli.cli("run", "-d", "--log-driver", "none", "busybox", "echo", "gone").stdout.strip()
    assert cli.cli("wait", cid).stdout == "0\n"
    done = cli.cli("logs", cid)
    assert done.returncode != 0 and "configured logging driver does not support reading" in done.stderr


def test_annotations_expose_and_inspect(cli):  # type: ignore[no-untyped-def]
    cid = cli.cli("create", "--annotation", "org.example/team=core", "--expose", "8080", "--privileged",
                  "--ulimit", "nproc=64", "--ipc", "none", "busybox", "true").stdout.strip()
    config = json.loads((cli.service().bundle(cid) / "config.json").read_text())
    assert config["annotations"]["org.example/team"] == "core"
    inspected = json.loads(cli.cli("inspect", cid).stdout)[0]
    assert inspected["Config"]["ExposedPorts"] == {"8080/tcp": {}}
    host = inspected["HostConfig"]
    assert (host["Privileged"], host["IpcMode"], host["Ulimits"]) == (True, "none", [
        {"Name": "nproc", "Hard": 64, "Soft": 64}])


@pytest.mark.parametrize(("args", "message"), [
    (("--cap-add", "fly"), 'unknown capability: "CAP_FLY"'),
    (("--sysctl", "kernel.panic=1"), "sysctl 'kernel.panic=1' is not allowed"),
    (("--ulimit", "nofile=10:5"), "ulimit soft limit must be less than or equal to hard limit"),
    (("--ipc", "shared"), "--ipc: invalid IPC mode"),
    (("--userns", "remap"), "--userns: invalid USER mode"),
    (("--device", "/etc/passwd"), "not a device node"),
    (("--log-driver", "syslog"), "logging driver `syslog` is not supported"),
    (("--memory-swap", "1g"), "You should always set the Memory limit when using Memoryswap limit"),
])
def test_bad_options_are_one_line_and_leave_nothing(cli, args, message):  # type: ignore[no-untyped-def]
    done = cli.cli("run", "--rm", *args, "busybox", "true")
    assert done.returncode != 0 and message in done.stderr and "Traceback" not in done.stderr
    assert cli.cli("ls", "-a", "-q").stdout == ""
