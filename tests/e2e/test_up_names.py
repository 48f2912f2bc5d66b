"""What a stack's containers see of names, end to end: `dns` (the embedded server forwards to it: a stub on
127.0.0.1:53 of the test's namespace), `dns_search`, `dns_opt`, `extra_hosts` with `host-gateway`, and a
recreated container with a new address answered by name as soon as `up` returns.

No DNS query leaves the test: PYCOMPOSE_DNS_UPSTREAMS is empty, and the only upstream is the stub.
"""

from __future__ import annotations

import socket
import subprocess

import pytest

from netplan import netns
from tests.e2e.stack import Stack, open_stack
from tests.unit.netplan.test_dns_support import STUB_ANSWER, StubResolver

COMPOSE = """\
services:
  server:
    image: busybox
    command: ["sleep", "300"]
    stop_signal: SIGKILL
    hostname: db-host
    networks:
      front:
        ipv4_address: {address}
  client:
    image: busybox
    command: ["sleep", "300"]
    stop_signal: SIGKILL
    dns: [127.0.0.1]
    dns_search: [example.test]
    dns_opt: ["timeout:2"]
    extra_hosts: ["gw:host-gateway", "fixed=10.1.2.3"]
    networks: [front]
  watcher:
    image: busybox
    command: ["sleep", "300"]
    stop_signal: SIGKILL
    networks: [front]
networks:
  front:
    ipam:
      config:
        - subnet: 10.76.0.0/24
"""


class Port53Stub(StubResolver):
    """The stub resolver on 127.0.0.1:53 (UDP and TCP) of the namespace it is made in."""

    @staticmethod
    def _bind_pair() -> tuple[socket.socket, socket.socket]:
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        udp.bind(("127.0.0.1", 53))
        tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        tcp.bind(("127.0.0.1", 53))
        tcp.listen(8)
        return udp, tcp


@pytest.fixture
def stack():  # type: ignore[no-untyped-def]
    yield from open_stack("tests/e2e/test_up_names.py", COMPOSE.format(address="10.76.0.10"))


def run_in(stack: Stack, service: str, *argv: str) -> subprocess.CompletedProcess[str]:
    return stack.cli("container", "exec", f"demo-{service}-1", *argv)


def lookup(stack: Stack, service: str, name: str) -> list[str]:
    looked = run_in(stack, service, "nslookup", name)
    return [line.split()[-1] for line in looked.stdout.splitlines()[2:] if line.startswith("Address")]


def test_dns_options_and_extra_hosts_as_the_container_sees_them(stack):  # type: ignore[no-untyped-def]
    stub = netns.inside(stack.netns, Port53Stub)
    try:
        stack.ok("up", "-d")
        resolv = run_in(stack, "client", "cat", "/etc/resolv.conf").stdout.splitlines()
        assert "nameserver 127.0.0.11" in resolv and "search example.test" in resolv, resolv
        assert "options ndots:0 timeout:2" in resolv, resolv
        hosts = run_in(stack, "client", "cat", "/etc/hosts").stdout.splitlines()
        assert "10.76.0.1\tgw" in hosts and "10.1.2.3\tfixed" in hosts, hosts
        assert set(lookup(stack, "client", "elsewhere.test")) == {STUB_ANSWER}   # forwarded to its `dns`
        assert lookup(stack, "server", "elsewhere.test") == []              # no dns: no upstream in this test
        assert "elsewhere.test" in stub.seen[0]
    finally:
        stub.close()


def test_a_recreated_container_is_answered_with_its_new_address_when_up_returns(stack):  # type: ignore[no-untyped-def]
    stack.ok("up", "-d")
    assert lookup(stack, "watcher", "server") == ["10.76.0.10"]
    assert lookup(stack, "watcher", "db-host") == ["10.76.0.10"]       # its hostname names it on its networks
    (stack.project / "compose.yaml").write_text(COMPOSE.format(address="10.76.0.20"))
    stack.ok("up", "-d")
    assert lookup(stack, "watcher", "server") == ["10.76.0.20"]       # the first answer after up, no retry
    assert lookup(stack, "watcher", "demo-server-1") == ["10.76.0.20"]
