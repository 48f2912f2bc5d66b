"""A compose project in a throwaway network namespace with temporary roots, for end-to-end tests.

`Stack.cli(...)` runs pycompose with `nsenter --net=<test namespace>` and temporary state and run
roots: its bridges, veths, `table inet pycompose` and published ports live in that namespace, and
pages are fetched from 127.0.0.1 *of that namespace* (the host's own loopback is not involved).
Not `ip netns exec`: that gives every command its own private mount namespace, so the namespace
files and root filesystems `up` mounts would vanish with it, unseen by `down`.

    @pytest.fixture(scope="module")
    def stack():
        yield from open_stack("tests/e2e/test_mine.py")

Needs root, nsenter and Debian's busybox-static (the `busybox` image is imported from it).
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
from collections.abc import Iterator
from pathlib import Path

import pytest

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


_FETCH = ("import sys, urllib.request; opener = urllib.request.build_opener(urllib.request.ProxyHandler({}));"
          "sys.stdout.write(opener.open(sys.argv[1], timeout=2).read().decode())")


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

    def fetch(self, url: str = f"http://127.0.0.1:{PORT}/") -> str:
        """GET `url` from inside the test namespace (no proxy); "" when nothing answers."""
        try:
            return self.inside(sys.executable, "-c", _FETCH, url)
        except subprocess.CalledProcessError:
            return ""

    def write(self, color: str = "blue") -> None:
        """The three-service stack of STACK, with `color` in api's environment."""
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
        from engine.images.testing import import_busybox

        import_busybox(self.state)

    def close(self) -> None:
        """`down`, then by hand whatever a failing test left (scrub), then the namespace and the roots."""
        from engine.images.testing import mounts_under

        if (self.project / "compose.yaml").exists():
            self.cli("down", "-t", "0")
        scrub(self.state, self.run_root, self.netns)
        subprocess.run(["ip", "netns", "del", self.ns], check=False)
        left = mounts_under(self.state) + mounts_under(self.run_root)
        assert not left, f"mounts left under the test roots: {left}"
        for path in (self.state, self.run_root, self.project):
            shutil.rmtree(path, ignore_errors=True)


def scrub(state: Path, run_root: Path, host_netns: Path | None = None) -> None:
    """Remove what pycompose made under these roots and that `down` left: the DNS server, containers and
    supervisor, the userland proxy, networks, namespaces, mounts, cgroups. `host_netns`: where the networks'
    bridges live."""
    from engine.cgroups.manager import Cgroup
    from engine.containers.service import ContainerService
    from engine.images.snapshots.mounts import unmount
    from engine.images.testing import mounts_under
    from engine.roots import Roots
    from engine.supervisor.client import wait_gone
    from netplan import netns
    from netplan.dns import DnsClient
    from netplan.dns.errors import DnsUnavailable
    from netplan.service import NetworkService

    with contextlib.suppress(DnsUnavailable, KeyError, ValueError):
        pid = int(DnsClient(run_root, timeout=2.0).ping()["pid"])
        DnsClient(run_root, timeout=2.0).stop()
        if not wait_gone(pid, 5.0):
            os.kill(pid, signal.SIGKILL)
    svc = ContainerService(Roots(state, run_root))
    for record in svc.store.list():
        with contextlib.suppress(Exception):
            svc.remove(record.id, force=True)
    pid = svc.supervisor.pid()
    svc.supervisor.shutdown()
    if pid is not None and not wait_gone(pid, 10.0):
        os.kill(pid, signal.SIGKILL)
    from compose.reconcile import proxy

    proxy.stop(run_root, host_netns)          # the userland proxy, when a failing test left ports published
    networks = NetworkService(state / "networks", run_root, host_netns=host_netns)
    for net in networks.list_networks():
        for endpoint in net.endpoints:
            with contextlib.suppress(Exception):
                networks.detach(net.record.name, endpoint.container)
        with contextlib.suppress(Exception):
            networks.remove_network(net.record.name)
    for name in netns.names(run_root):
        netns.remove(run_root, name)
    for target in sorted(mounts_under(state) + mounts_under(run_root), key=len, reverse=True):
        unmount(target)
    Cgroup("pycompose/none").remove(parents=True)


def open_stack(who: str, compose_yaml: str | None = None) -> Iterator[Stack]:
    """A Stack with busybox imported (and `compose_yaml` written), closed afterwards; fails loudly without root."""
    if os.geteuid() != 0:
        pytest.fail(f"{who} needs root (namespaces, mounts, cgroups, nftables)", pytrace=False)
    if shutil.which("busybox") is None or shutil.which("nsenter") is None:
        pytest.fail("busybox-static and nsenter are needed: apt-get install -y busybox-static util-linux",
                    pytrace=False)
    made = Stack()
    try:
        made.import_busybox()
        if compose_yaml is not None:
            (made.project / "compose.yaml").write_text(compose_yaml)
        yield made
    finally:
        made.close()
