"""`pycompose up -d`, `ps` and `down` end to end: a three-service busybox stack in a throwaway network namespace.

The CLI runs with `nsenter --net=<test namespace>` and temporary state and run roots: its
bridges, veths, `table inet pycompose` and published ports live in that namespace, and the
page is fetched from 127.0.0.1 *of that namespace* (the host's own loopback is not involved).
Not `ip netns exec`: that gives every command its own private mount namespace, so the
namespace files and root filesystems `up` mounts would vanish with it, unseen by `down`.

Needs root and Debian's busybox-static (the image is imported from it into the roots).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.waiting import eventually

REPO = Path(__file__).resolve().parents[2]
PORT = 18080

STACK = """\
services:
  db:
    image: busybox
    command: ["sleep", "300"]
    stop_signal: SIGKILL
  api:
    image: busybox
    command: ["sleep", "300"]
    stop_signal: SIGKILL
    environment:
      COLOR: {color}
    depends_on:
      db:
        condition: service_started
  web:
    image: busybox
    command: ["sh", "-c", "mkdir -p /www && echo hello from web > /www/index.html && exec httpd -f -p 8080 -h /www"]
    stop_signal: SIGKILL
    ports:
      - "127.0.0.1:{port}:8080"
    depends_on:
      api:
        condition: service_started
"""


class Stack:
    """A throwaway namespace, temporary roots with busybox, a project directory; `cli(...)` runs pycompose."""

    def __init__(self) -> None:
        self.ns = f"pctest-{secrets.token_hex(3)}"
        self.state = Path(tempfile.mkdtemp(prefix="pycompose-test-"))
        self.run_root = Path(tempfile.mkdtemp(prefix="pycompose-test-"))
        self.project = Path(tempfile.mkdtemp(prefix="pycompose-test-"))
        self.env = {**os.environ, "PYCOMPOSE_ROOT": str(self.state), "PYCOMPOSE_RUN_ROOT": str(self.run_root),
                    "PYTHONPATH": str(REPO), "PYCOMPOSE_DNS_UPSTREAMS": ""}  # no DNS query leaves the test
        subprocess.run(["ip", "netns", "add", self.ns], check=True)
        self.inside("ip", "link", "set", "lo", "up")

    @property
    def netns(self) -> Path:
        return Path("/run/netns") / self.ns

    def inside(self, *argv: str) -> str:
        return subprocess.run(["nsenter", f"--net={self.netns}", *argv], capture_output=True, text=True,
                              check=True, timeout=30).stdout

    def write(self, color: str = "blue") -> None:
        (self.project / "compose.yaml").write_text(STACK.format(color=color, port=PORT))

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["nsenter", f"--net={self.netns}", sys.executable, "-m", "compose.cli.main",
                               "-p", "demo", *args], cwd=self.project, env=self.env, capture_output=True, text=True,
                              timeout=60, check=False)

    def ok(self, *args: str) -> subprocess.CompletedProcess[str]:
        done = self.cli(*args)
        assert done.returncode == 0, done.stderr
        return done

    def ids(self) -> dict[str, str]:
        rows = [json.loads(line) for line in self.ok("ps", "-a", "--format", "json").stdout.splitlines()]
        return {row["Service"]: row["ID"] for row in rows}

    def import_busybox(self) -> None:
        from engine.images.archives.importer import import_rootfs
        from engine.images.images import ImageService
        from engine.images.testing import busybox_rootfs, tar_dir

        scratch = Path(tempfile.mkdtemp(prefix="busybox-"))
        try:
            busybox_rootfs(scratch / "rootfs")
            with open(tar_dir(scratch / "rootfs", scratch / "rootfs.tar"), "rb") as f:
                import_rootfs(ImageService(self.state), f, "busybox")
        finally:
            shutil.rmtree(scratch)

    def stop_dns(self) -> None:
        """The run root's DNS server, if `down` left it running (a failing test)."""
        from engine.supervisor.client import wait_gone
        from netplan.dns import DnsClient
        from netplan.dns.errors import DnsUnavailable

        try:
            pid = int(DnsClient(self.run_root, timeout=2.0).ping()["pid"])
        except DnsUnavailable:
            return
        with contextlib.suppress(DnsUnavailable):
            DnsClient(self.run_root, timeout=2.0).stop()
        if not wait_gone(pid, 5.0):
            os.kill(pid, signal.SIGKILL)

    def close(self) -> None:
        """`down`, then by hand whatever a failing test left: containers, supervisor, networks, mounts."""
        from engine.cgroups.manager import Cgroup
        from engine.containers.service import ContainerService
        from engine.images.snapshots.mounts import unmount
        from engine.images.testing import mounts_under
        from engine.roots import Roots
        from engine.supervisor.client import wait_gone
        from netplan import netns
        from netplan.service import NetworkService

        if (self.project / "compose.yaml").exists():
            self.cli("down", "-t", "0")
        self.stop_dns()
        svc = ContainerService(Roots(self.state, self.run_root))
        for record in svc.store.list():
            with contextlib.suppress(Exception):
                svc.remove(record.id, force=True)
        pid = svc.supervisor.pid()
        svc.supervisor.shutdown()
        if pid is not None and not wait_gone(pid, 10.0):
            os.kill(pid, signal.SIGKILL)
        networks = NetworkService(self.state / "networks", self.run_root, host_netns=self.netns)
        for net in networks.list_networks():
            for endpoint in net.endpoints:
                with contextlib.suppress(Exception):
                    networks.detach(net.record.name, endpoint.container)
            with contextlib.suppress(Exception):
                networks.remove_network(net.record.name)
        for name in netns.names(self.run_root):
            netns.remove(self.run_root, name)
        for target in sorted(mounts_under(self.state) + mounts_under(self.run_root), key=len, reverse=True):
            unmount(target)
        Cgroup("pycompose/none").remove(parents=True)
        subprocess.run(["ip", "netns", "del", self.ns], check=False)
        left = mounts_under(self.state) + mounts_under(self.run_root)
        assert not left, f"mounts left under the test roots: {left}"
        for path in (self.state, self.run_root, self.project):
            shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def stack():  # type: ignore[no-untyped-def]
    if os.geteuid() != 0:
        pytest.fail("tests/e2e/test_up.py needs root (namespaces, mounts, cgroups, nftables)", pytrace=False)
    if shutil.which("busybox") is None or shutil.which("nsenter") is None:
        pytest.fail("busybox-static and nsenter are needed: apt-get install -y busybox-static util-linux")
    made = Stack()
    try:
        made.import_busybox()
        yield made
    finally:
        made.close()


FETCH = ("import sys, urllib.request; opener = urllib.request.build_opener(urllib.request.ProxyHandler({}));"
         "sys.stdout.write(opener.open(sys.argv[1], timeout=2).read().decode())")


def fetch(stack: Stack) -> str:
    """GET the page from 127.0.0.1 of the test namespace (no proxy; the host's loopback is another one)."""
    try:
        return stack.inside(sys.executable, "-c", FETCH, f"http://127.0.0.1:{PORT}/")
    except subprocess.CalledProcessError:
        return ""


def test_up_ps_converge_down(stack):  # type: ignore[no-untyped-def]
    stack.write("blue")
    done = stack.ok("up", "-d")
    lines = done.stderr.splitlines()
    assert " ✔ Network demo_default  Created" in lines, done.stderr
    for name in ("demo-db-1", "demo-api-1", "demo-web-1"):
        assert any(line.startswith(f" ✔ Container {name}") and line.endswith("  Started") for line in lines)
    assert lines.index(" ✔ Container demo-db-1   Started") < lines.index(" ✔ Container demo-web-1  Started")

    table = stack.ok("ps").stdout.splitlines()
    assert table[0].split() == ["NAME", "IMAGE", "COMMAND", "SERVICE", "CREATED", "STATUS", "PORTS"]
    assert [line.split()[0] for line in table[1:]] == ["demo-api-1", "demo-db-1", "demo-web-1"]
    assert all(" Up " in line for line in table[1:])
    assert f"127.0.0.1:{PORT}->8080/tcp" in table[3]
    assert stack.ok("ps", "--services").stdout.splitlines() == ["api", "db", "web"]

    assert eventually(lambda: fetch(stack), timeout=15, what="the page from web") == "hello from web\n"

    before = stack.ids()
    again = stack.ok("up", "-d")
    assert stack.ids() == before
    assert "Started" not in again.stderr and again.stderr.count("Running") == 3, again.stderr
    assert stack.ok("up", "-d", "--dry-run").stdout == ""

    stack.write("green")
    assert stack.ok("up", "-d", "--dry-run").stdout.splitlines() == [
        "DRY-RUN MODE - Container demo-api-1  Recreate", "DRY-RUN MODE - Service db  Waiting (started)",
        "DRY-RUN MODE - Container demo-api-1  Starting"]
    done = stack.ok("up", "-d")
    after = stack.ids()
    assert after["db"] == before["db"] and after["web"] == before["web"] and after["api"] != before["api"]
    assert " ✔ Container demo-api-1  Recreated" in done.stderr.splitlines(), done.stderr
    assert eventually(lambda: fetch(stack), timeout=15, what="the page after recreate") == "hello from web\n"

    done = stack.ok("down", "-t", "0")
    assert " ✔ Network demo_default  Removed" in done.stderr.splitlines(), done.stderr
    assert stack.ok("ps", "-a", "-q").stdout == ""
    from netplan import netns

    assert netns.names(stack.run_root) == []
    assert stack.inside("ip", "-br", "link").split()[0] == "lo"
    assert len(stack.inside("ip", "-br", "link").splitlines()) == 1
    assert "pycompose" not in stack.inside("nft", "list", "tables")
    from engine.supervisor.client import Supervisor

    assert Supervisor(stack.state, stack.run_root).pid() is None  # no container left: no supervisor either


def test_missing_image_and_build_are_named(stack):  # type: ignore[no-untyped-def]
    (stack.project / "compose.yaml").write_text("services:\n  app:\n    image: nosuch:1\n"
                                                "  made:\n    build: .\n")
    done = stack.cli("up", "-d", "app")
    assert done.returncode != 0
    assert "service app: image nosuch:1 is not present locally" in done.stderr
    done = stack.cli("up", "-d", "made")
    assert done.returncode != 0 and "service made: building image demo-made is not there yet" in done.stderr
    assert stack.ok("ps", "-a", "-q").stdout == ""
    assert stack.ok("network", "ls", "-q").stdout == ""


ONESHOT = """\
services:
  init:
    image: busybox
    command: ["sh", "-c", "exit 0"]
  app:
    image: busybox
    command: ["sleep", "300"]
    stop_signal: SIGKILL
    depends_on:
      init:
        condition: service_completed_successfully
"""

HEALTHY = """\
services:
  db:
    image: busybox
    command: ["sh", "-c", "sleep 0.3; touch /tmp/ready; exec sleep 300"]
    stop_signal: SIGKILL
    healthcheck:
      test: ["CMD-SHELL", "test -f /tmp/ready"]
      interval: 30s
      start_interval: 100ms
      start_period: 10s
  app:
    image: busybox
    command: ["sleep", "300"]
    stop_signal: SIGKILL
    depends_on:
      db:
        condition: service_healthy
"""

ALONE = """\
services:
  app:
    image: busybox
    command: ["sleep", "300"]
    stop_signal: SIGKILL
  bad:
    image: busybox
    command: ["/no/such/program"]
"""


def states(stack: Stack) -> dict[str, str]:
    rows = [json.loads(line) for line in stack.ok("ps", "-a", "--format", "json").stdout.splitlines()]
    return {row["Name"]: row["State"] for row in rows}


def test_no_start_completion_orphans_and_a_failing_service(stack):  # type: ignore[no-untyped-def]
    (stack.project / "compose.yaml").write_text(ONESHOT)
    stack.ok("up", "-d", "--no-start")
    assert states(stack) == {"demo-app-1": "created", "demo-init-1": "created"}

    done = stack.ok("up", "-d")
    assert " ✔ Container demo-init-1  Exited" in done.stderr.splitlines(), done.stderr
    assert states(stack) == {"demo-app-1": "running", "demo-init-1": "exited"}
    app = stack.ids()["app"]
    stack.ok("up", "-d", "--force-recreate", "--no-deps", "app")
    assert stack.ids()["app"] != app

    (stack.project / "compose.yaml").write_text(ALONE)
    done = stack.cli("up", "-d")
    assert done.returncode != 0
    assert "Found orphan containers ([demo-init-1])" in done.stderr
    assert "bad:" in done.stderr and "/no/such/program" in done.stderr, done.stderr
    assert " ✘ Container demo-bad-1  Error" in done.stderr.splitlines()
    assert "demo-bad-1" not in states(stack)  # the failed step unwound the container it made

    (stack.project / "compose.yaml").write_text(ALONE.partition("  bad:")[0])
    done = stack.ok("up", "-d", "--remove-orphans")
    assert " ✔ Container demo-init-1  Removed" in done.stderr.splitlines(), done.stderr
    assert states(stack) == {"demo-app-1": "running"}
    stack.ok("down", "-t", "0")
    assert states(stack) == {}


def test_a_dependency_gates_on_health(stack):  # type: ignore[no-untyped-def]
    (stack.project / "compose.yaml").write_text(HEALTHY)
    done = stack.ok("up", "-d")
    lines = [" ".join(line.split()) for line in done.stderr.splitlines()]  # the names are padded into a column
    assert "✔ Container demo-db-1 Healthy" in lines, done.stderr
    assert lines.index("✔ Container demo-db-1 Healthy") < lines.index("✔ Container demo-app-1 Started")
    assert states(stack) == {"demo-app-1": "running", "demo-db-1": "running"}
    stack.ok("down", "-t", "0")
    assert states(stack) == {}
