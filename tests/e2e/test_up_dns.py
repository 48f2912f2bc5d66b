"""Service names resolve inside a stack, end to end: `client` finds `server` by name, not `lonely` on another network.

The harness is test_up's (a throwaway network namespace, temporary roots, busybox). The DNS server
forwards nothing (PYCOMPOSE_DNS_UPSTREAMS is empty): every name asked here is the stack's own.
"""

from __future__ import annotations

import subprocess

import pytest

from tests.e2e.stack import Stack, open_stack
from tests.waiting import eventually

DNS_STACK = """\
services:
  server:
    image: busybox
    command: ["sh", "-c", "mkdir -p /www && echo hello by name > /www/index.html && exec httpd -f -p 8080 -h /www"]
    stop_signal: SIGKILL
    networks: [front]
  client:
    image: busybox
    command: ["sleep", "300"]
    stop_signal: SIGKILL
    networks: [front]
    depends_on: [server]
  lonely:
    image: busybox
    command: ["sleep", "300"]
    stop_signal: SIGKILL
    networks:
      back:
        aliases: [hermit]
networks:
  front:
  back:
"""


def dns_processes() -> list[str]:
    found = subprocess.run(["pgrep", "-af", "pycompose-dns"], capture_output=True, text=True, check=False)
    return [line for line in found.stdout.splitlines() if "pgrep" not in line]


@pytest.fixture
def stack():  # type: ignore[no-untyped-def]
    yield from open_stack("tests/e2e/test_up_dns.py", DNS_STACK)


def run_in(stack: Stack, service: str, *argv: str) -> subprocess.CompletedProcess[str]:
    return stack.cli("container", "exec", f"demo-{service}-1", *argv)


def test_service_names_resolve_on_shared_networks_only(stack):  # type: ignore[no-untyped-def]
    stack.ok("up", "-d")
    mine = [line for line in dns_processes() if str(stack.run_root) in line]
    assert len(mine) == 1, mine

    resolv = run_in(stack, "client", "cat", "/etc/resolv.conf").stdout
    assert "nameserver 127.0.0.11" in resolv.splitlines() and "options ndots:0" in resolv.splitlines(), resolv
    hosts = run_in(stack, "server", "cat", "/etc/hosts").stdout.splitlines()
    server_ip = hosts[-1].split("\t")[0]
    assert hosts[0] == "127.0.0.1\tlocalhost" and server_ip.count(".") == 3, hosts

    looked = run_in(stack, "client", "nslookup", "server")
    assert looked.returncode == 0 and f"Address: {server_ip}" in looked.stdout, looked.stdout + looked.stderr
    by_container = run_in(stack, "client", "nslookup", "demo-server-1")
    assert f"Address: {server_ip}" in by_container.stdout, by_container.stdout + by_container.stderr

    def page() -> str:
        return run_in(stack, "client", "wget", "-qO-", "http://server:8080/").stdout

    assert eventually(page, timeout=15, what="the page from server, by name") == "hello by name\n"

    for name in ("lonely", "hermit", "demo-lonely-1"):
        missed = run_in(stack, "client", "nslookup", name)
        assert missed.returncode != 0 and "Address: 172." not in missed.stdout, missed.stdout
    assert run_in(stack, "lonely", "nslookup", "server").returncode != 0
    assert run_in(stack, "lonely", "nslookup", "hermit").returncode == 0

    stack.ok("down", "-t", "0")
    assert [line for line in dns_processes() if str(stack.run_root) in line] == []
    assert not (stack.run_root / "etc").exists() or not any((stack.run_root / "etc").iterdir())
