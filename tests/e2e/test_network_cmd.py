"""`pycompose network` driven as a user would, inside a throwaway network namespace.

The CLI runs under `ip netns exec <test namespace>` with temporary state and run roots, so
its bridges and `table inet pycompose` live in that namespace; the fixture removes what is
left explicitly, then the namespace.
"""

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from netplan.service import NetworkService

if os.geteuid() != 0:  # loud, not skipped: a skipped network suite looks green
    pytest.fail("tests/e2e/test_network_cmd.py needs root (network namespaces, nftables)", pytrace=False)

SOURCE = Path(__file__).resolve().parents[2]


class Host:
    """A throwaway "host" namespace and roots; `cli(...)` runs `pycompose` there."""

    def __init__(self) -> None:
        self.name = f"pctest-{secrets.token_hex(3)}"
        self.others: list[str] = []
        self.dir = Path(tempfile.mkdtemp(prefix="pycompose-e2e-"))
        self.env = dict(os.environ, PYCOMPOSE_ROOT=str(self.dir / "state"), PYCOMPOSE_RUN_ROOT=str(self.dir / "run"),
                        PYTHONPATH=str(SOURCE))
        subprocess.run(["ip", "netns", "add", self.name], check=True)

    @property
    def path(self) -> Path:
        return Path("/run/netns") / self.name

    def cli(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(["ip", "netns", "exec", self.name, sys.executable, "-m", "compose.cli.main", *args],
                              capture_output=True, text=True, env=self.env, input=stdin, check=False, cwd=SOURCE)

    def ok(self, *args: str, stdin: str = "") -> str:
        done = self.cli(*args, stdin=stdin)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def service(self) -> NetworkService:
        return NetworkService(self.dir / "state" / "networks", self.dir / "run", host_netns=self.path)

    def box(self, suffix: str) -> Path:
        name = f"{self.name}-{suffix}"
        subprocess.run(["ip", "netns", "add", name], check=True)
        self.others.append(name)
        return Path("/run/netns") / name

    def run(self, *argv: str) -> str:
        return subprocess.run(["ip", "netns", "exec", self.name, *argv], capture_output=True, text=True,
                              check=True).stdout

    def close(self) -> None:
        service = self.service()
        for net in service.list_networks():
            for endpoint in net.endpoints:
                service.detach(net.record.name, endpoint.container)
            service.remove_network(net.record.name)
        for name in [*self.others, self.name]:
            subprocess.run(["ip", "netns", "del", name], check=False)
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def host():
    made = Host()
    try:
        yield made
    finally:
        made.close()


def test_create_ls_inspect_rm(host):
    net_id = host.ok("network", "create", "--subnet", "10.93.0.0/24", "--gateway", "10.93.0.254",
                     "--ip-range", "10.93.0.128/25", "--label", "tier=front", "-o",
                     "com.docker.network.driver.mtu=1400", "front").strip()
    assert len(net_id) == 64 and int(net_id, 16) >= 0
    host.ok("network", "create", "--internal", "--ipv6", "back")
    assert host.ok("network", "ls").splitlines() == [
        "NETWORK ID     NAME    DRIVER   SCOPE",
        f"{host.ok('network', 'ls', '-q', '-f', 'name=back').strip()}   back    bridge   local",
        f"{net_id[:12]}   front   bridge   local",
    ]
    assert host.ok("network", "ls", "-q", "-f", "label=tier=front") == f"{net_id[:12]}\n"

    (shown,) = json.loads(host.ok("network", "inspect", net_id[:6]))
    assert {k: shown[k] for k in ("Name", "Id", "Driver", "EnableIPv6", "Internal", "Labels", "Containers")} == {
        "Name": "front", "Id": net_id, "Driver": "bridge", "EnableIPv6": False, "Internal": False,
        "Labels": {"tier": "front"}, "Containers": {}}
    assert shown["IPAM"]["Config"] == [{"Subnet": "10.93.0.0/24", "Gateway": "10.93.0.254",
                                        "IPRange": "10.93.0.128/25"}]
    assert shown["Created"].endswith("Z")
    back = json.loads(host.ok("network", "inspect", "back"))[0]
    assert (back["Internal"], back["EnableIPv6"], len(back["IPAM"]["Config"])) == (True, True, 2)
    assert f"pc{net_id[:12]}" in host.run("ip", "-br", "link")
    assert "mtu 1400" in host.run("ip", "link", "show", f"pc{net_id[:12]}")

    assert host.ok("network", "rm", "front", "back") == "front\nback\n"
    assert host.ok("network", "ls") == "NETWORK ID   NAME   DRIVER   SCOPE\n"
    assert host.run("nft", "list", "ruleset") == ""
    assert host.run("ip", "-br", "link").split()[0] == "lo" and len(host.run("ip", "-br", "link").splitlines()) == 1


def test_mistakes_read_well_and_exit_with_their_kind(host):
    done = host.cli("network", "create", "--gateway", "10.1.0.1", "x")
    assert (done.returncode, done.stderr) == (15, "create network `x`: no matching subnet for gateway 10.1.0.1\n")
    done = host.cli("network", "create", "-d", "overlay", "x")
    assert done.returncode == 15 and "driver 'overlay' is not supported" in done.stderr
    done = host.cli("network", "create", "--subnet", "10.1.0.1/24", "x")
    assert done.returncode == 15 and "hint: did you mean 10.1.0.0/24?" in done.stderr
    host.ok("network", "create", "--subnet", "10.94.0.0/24", "x")
    done = host.cli("network", "create", "--subnet", "10.94.0.0/25", "y")
    assert done.returncode == 16 and "overlaps 10.94.0.0/24 of network `x`" in done.stderr
    done = host.cli("network", "rm", "nope", "x")
    assert (done.returncode, done.stdout, done.stderr) == (14, "x\n", "remove network `nope`: no such network\n")
    assert host.ok("network", "rm", "-f", "nope") == ""


def test_rm_and_prune_leave_a_network_in_use_alone(host):
    host.ok("network", "create", "--subnet", "10.95.0.0/24", "used")
    host.ok("network", "create", "--label", "keep=1", "spare")
    host.ok("network", "create", "idle")
    host.service().attach("used", "c1", host.box("c1"), name="demo-web-1")

    done = host.cli("network", "rm", "used")
    assert done.returncode == 16 and done.stderr.startswith("remove network `used`: `demo-web-1` still attached")
    shown = json.loads(host.ok("network", "inspect", "used"))[0]["Containers"]
    assert shown == {"c1": {"Name": "demo-web-1", "EndpointID": shown["c1"]["EndpointID"],
                            "MacAddress": "02:42:0a:5f:00:02", "IPv4Address": "10.95.0.2/24", "IPv6Address": ""}}

    assert host.cli("network", "prune", stdin="n\n").stdout == ""
    assert host.ok("network", "prune", "-f", "--filter", "label=keep") == "Deleted Networks:\nspare\n"
    assert host.ok("network", "prune", "-f") == "Deleted Networks:\nidle\n"
    host.service().detach("used", "c1")
    assert host.ok("network", "prune", "-f") == "Deleted Networks:\nused\n"
    assert host.run("nft", "list", "ruleset") == ""
