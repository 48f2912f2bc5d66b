"""examples/stacks/hardened, end to end: many service attributes at once, each checked as a user would,
from inside the containers (exec) and from the host (the containers' cgroups, their logs)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from tests.e2e.stack import REPO, Stack, open_stack
from tests.waiting import eventually

HARDENED = (REPO / "examples" / "stacks" / "hardened" / "compose.yaml").read_text()


@pytest.fixture(scope="module")
def stack():  # type: ignore[no-untyped-def]
    for made in open_stack("tests/e2e/test_up_hardened.py", HARDENED):
        made.env["HARDENED_IMAGE"] = "busybox"
        made.ok("up", "-d")
        yield made


def sh(stack: Stack, service: str, script: str, ok: bool = True) -> str:
    done = stack.cli("exec", service, "sh", "-c", script)
    assert (done.returncode == 0) == ok, done.stderr
    return done.stdout if ok else done.stderr


def record(stack: Stack, service: str):  # type: ignore[no-untyped-def]
    from engine.containers.service import ContainerService
    from engine.roots import Roots

    svc = ContainerService(Roots(stack.state, stack.run_root))
    return svc, svc.get(f"demo-{service}-1")


def cgroup_file(stack: Stack, service: str, v1: tuple[str, str], v2: str) -> str:
    """A file of the service's container cgroup: the v1 controller's where there is one, else the unified one."""
    from engine.cgroups.manager import Cgroup

    _, rec = record(stack, service)
    dirs = Cgroup(rec.config.launch["cgroup"]).dirs()
    path = dirs[v1[0]] / v1[1] if v1[0] in dirs else dirs["unified"] / v2
    return path.read_text().strip()


def test_store_is_locked_down(stack):  # type: ignore[no-untyped-def]
    status = sh(stack, "store", "grep CapEff /proc/self/status; grep NoNewPrivs /proc/self/status")
    assert "CapEff:\t00000000000000c1" in status  # CHOWN, SETGID, SETUID: every other capability dropped
    assert "NoNewPrivs:\t1" in status
    assert "Read-only file system" in sh(stack, "store", "touch /etc/x", ok=False)
    assert sh(stack, "store", "touch /tmp/x && echo tmpfs-writable") == "tmpfs-writable\n"


def test_store_sysctls_ulimits_and_shm(stack):  # type: ignore[no-untyped-def]
    out = sh(stack, "store", "cat /proc/sys/kernel/shmmax /proc/sys/net/core/somaxconn; ulimit -n; ulimit -Hn; "
                             "ulimit -u; df -k /dev/shm | tail -1")
    lines = out.splitlines()
    assert lines[:5] == ["268435456", "1024", "1024", "2048", "256"]
    assert lines[5].split()[1] == "32768"  # 32 MiB of /dev/shm


def test_store_limits_reach_its_cgroup_under_the_parent(stack):  # type: ignore[no-untyped-def]
    _, rec = record(stack, "store")
    assert rec.config.launch["cgroup"] == f"pycompose/hardened/{rec.id}"
    assert cgroup_file(stack, "store", ("memory", "memory.limit_in_bytes"), "memory.max") == str(64 << 20)
    assert cgroup_file(stack, "store", ("memory", "memory.soft_limit_in_bytes"), "memory.low") == str(16 << 20)
    assert cgroup_file(stack, "store", ("pids", "pids.max"), "pids.max") == "64"
    assert cgroup_file(stack, "store", ("cpu", "cpu.cfs_quota_us"), "cpu.max").split()[0] == "50000"
    shares = cgroup_file(stack, "store", ("cpu", "cpu.shares"), "cpu.weight")
    assert shares in ("512", "20")  # v1 shares, or the v2 weight they convert to


def test_post_start_hook_ran_with_its_environment(stack):  # type: ignore[no-untyped-def]
    assert sh(stack, "store", "cat /data/hook") == "started by post_start\n"


def test_app_joins_the_ipc_and_pid_namespaces_of_store(stack):  # type: ignore[no-untyped-def]
    out = sh(stack, "app", "cat /dev/shm/ready /proc/sys/kernel/shmmax; readlink /proc/self/ns/ipc; ps -o comm")
    lines = out.splitlines()
    assert lines[:2] == ["ready", "268435456"]  # store's /dev/shm, and the IPC namespace store's sysctl set
    assert lines[2] == sh(stack, "store", "readlink /proc/self/ns/ipc").strip()
    assert "docker-init" in lines[3:]  # store's PID 1, seen from app


def test_app_reads_stores_volume_read_only(stack):  # type: ignore[no-untyped-def]
    assert sh(stack, "app", "cat /data/hook") == "started by post_start\n"
    assert "Read-only file system" in sh(stack, "app", "echo x > /data/y", ok=False)


def test_app_identity_hosts_device_and_groups(stack):  # type: ignore[no-untyped-def]
    out = sh(stack, "app", "hostname; cat /proc/sys/kernel/domainname; grep legacy /etc/hosts; id -G; "
                           ": < /dev/fuse && echo readable")
    assert out.split("\n")[:5] == ["app", "example.internal", "10.1.2.3\tlegacy", "0 65534", "readable"]
    assert "Operation not permitted" in sh(stack, "app", ": > /dev/fuse", ok=False)  # the device is `r` only


def test_app_metadata_in_inspect_and_oom_score(stack):  # type: ignore[no-untyped-def]
    svc, rec = record(stack, "app")
    inspected = json.loads(stack.ok("container", "inspect", "demo-app-1").stdout)[0]
    assert inspected["Config"]["ExposedPorts"] == {"8080/tcp": {}}
    assert inspected["Config"]["Domainname"] == "example.internal"
    host = inspected["HostConfig"]
    assert host["IpcMode"] == host["PidMode"] == f"container:{record(stack, 'store')[1].id}"
    assert host["Annotations"] == {"org.example.tier": "backend"} and host["OomScoreAdj"] == 500
    assert Path(f"/proc/{svc.container_pid(rec)}/oom_score_adj").read_text().strip() == "500"


def test_a_none_log_driver_keeps_nothing(stack):  # type: ignore[no-untyped-def]
    eventually(lambda: record(stack, "audit")[1].state == "exited", what="audit to finish")
    done = stack.cli("container", "logs", "demo-audit-1")
    assert done.returncode != 0 and "configured logging driver does not support reading" in done.stderr


def test_stop_and_start_run_the_hooks(stack):  # type: ignore[no-untyped-def]
    volume = Path(json.loads(stack.ok("volume", "inspect", "demo_data").stdout)[0]["Mountpoint"])
    (volume / "hook").unlink()
    stack.ok("stop", "store")
    assert (volume / "stopped").read_text() == "stopping\n"
    (volume / "stopped").unlink()
    stack.ok("start", "store")
    assert (volume / "hook").read_text() == "started by post_start\n"


def test_pre_stop_runs_before_down(stack):  # type: ignore[no-untyped-def]
    volume = json.loads(stack.ok("volume", "inspect", "demo_data").stdout)[0]["Mountpoint"]
    stack.ok("down")
    assert (Path(volume) / "stopped").read_text() == "stopping\n"


@pytest.fixture
def other(tmp_path):  # type: ignore[no-untyped-def]
    yield from open_stack("tests/e2e/test_up_hardened.py")


def test_what_cannot_work_here_is_refused_before_anything_is_made(other):  # type: ignore[no-untyped-def]
    (other.project / "compose.yaml").write_text(textwrap.dedent("""\
        services:
          ok: {image: busybox, command: ["sleep", "300"]}
          gpu:
            image: busybox
            deploy:
              resources:
                reservations:
                  devices: [{driver: nvidia, count: 1, capabilities: [gpu]}]
        """))
    done = other.cli("up", "-d")
    assert done.returncode != 0
    assert "service gpu: deploy.resources.reservations.devices" in done.stderr
    assert other.ok("ps", "-a", "-q").stdout == ""
    assert "demo_default" not in other.ok("network", "ls").stdout


def test_a_failing_post_start_fails_the_service(other):  # type: ignore[no-untyped-def]
    (other.project / "compose.yaml").write_text(textwrap.dedent("""\
        services:
          web:
            image: busybox
            command: ["sleep", "300"]
            stop_signal: SIGKILL
            post_start:
              - command: ["sh", "-c", "exit 3"]
        """))
    done = other.cli("up", "-d")
    assert done.returncode != 0 and "web hook exited with status 3" in done.stderr
