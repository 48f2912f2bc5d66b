"""Published ports of a stack in Docker's two modes, fetched over 127.0.0.1 and ::1 of the test's namespace:

    userland proxy (default)   127.0.0.1 and ::1 answer; one `pycompose-proxy` serves the run root while
                               anything is published, and `down` leaves no process
    PYCOMPOSE_USERLAND_PROXY=false
                               pure NAT: 127.0.0.1 answers (route_localnet), ::1 does not, as with
                               Docker's `--userland-proxy=false`; no proxy process at all

The same stack also shows an ephemeral host port (reported by `port` and `ps`) and a host range.
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest

from tests.e2e.stack import open_stack
from tests.waiting import eventually

PORT = 18091
COMPOSE = f"""\
services:
  web:
    image: busybox
    command: ["sh", "-c", "mkdir -p /www && echo hello from web > /www/index.html && exec httpd -f -p 8080 -h /www"]
    stop_signal: SIGKILL
    ports:
      - "127.0.0.1:{PORT}:8080"
      - target: 8080
        host_ip: "::1"
        published: "{PORT}"
      - "127.0.0.1::80"
      - "127.0.0.1:{PORT + 1}-{PORT + 3}:81"
networks:
  default:
    enable_ipv6: true
    ipam:
      config:
        - subnet: 10.78.0.0/24
        - subnet: fd78::/64
"""


@pytest.fixture(scope="module")
def stack():  # type: ignore[no-untyped-def]
    yield from open_stack("tests/e2e/test_up_ports.py", COMPOSE)


def _proxies(stack) -> list[int]:  # type: ignore[no-untyped-def]
    """The pids of the proxy processes serving this stack's run root."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"pycompose-proxy" in argv and str(stack.run_root / "proxy").encode() in argv:
            found.append(int(entry.name))
    return found


def _page(stack, host: str) -> str:  # type: ignore[no-untyped-def]
    return stack.fetch(f"http://{host}:{PORT}/").strip()


def test_the_userland_proxy_serves_both_loopbacks_and_goes_with_down(stack):  # type: ignore[no-untyped-def]
    stack.env.pop("PYCOMPOSE_USERLAND_PROXY", None)
    stack.ok("up", "-d")
    try:
        assert _page(stack, "127.0.0.1") == "hello from web"
        assert _page(stack, "[::1]") == "hello from web"
        assert len(_proxies(stack)) == 1
        ephemeral = stack.ok("port", "web", "80").stdout.strip()
        host, _, number = ephemeral.rpartition(":")
        assert host == "127.0.0.1" and int(number) > 0
        (row,) = [json.loads(line) for line in stack.ok("ps", "--format", "json").stdout.splitlines()]
        published = {(p["URL"], p["PublishedPort"], p["TargetPort"]) for p in row["Publishers"]}
        assert ("127.0.0.1", int(number), 80) in published
        assert ("127.0.0.1", PORT + 1, 81) in published            # the first port of the range
        (pid,) = _proxies(stack)
        os.kill(pid, signal.SIGKILL)                               # a proxy that dies comes back on restart
        eventually(lambda: _page(stack, "127.0.0.1") == "", timeout=10, what="the killed proxy to stop answering")
        stack.ok("restart", "web")
        assert _page(stack, "[::1]") == "hello from web" and len(_proxies(stack)) == 1
    finally:
        stack.ok("down", "-t", "0")
    assert _proxies(stack) == []


def test_pure_nat_serves_127_0_0_1_but_not_the_ipv6_loopback(stack):  # type: ignore[no-untyped-def]
    stack.env["PYCOMPOSE_USERLAND_PROXY"] = "false"
    try:
        stack.ok("up", "-d")
        assert _page(stack, "127.0.0.1") == "hello from web"
        assert _page(stack, "[::1]") == ""
        assert _proxies(stack) == []
        assert "ip daddr 127.0.0.0/8 return" not in stack.inside("nft", "list", "table", "inet", "pycompose")
    finally:
        stack.ok("down", "-t", "0")
        stack.env.pop("PYCOMPOSE_USERLAND_PROXY")


def test_turning_the_proxy_off_while_ports_are_published_leaves_nat_serving(stack):  # type: ignore[no-untyped-def]
    stack.ok("up", "-d")
    try:
        assert len(_proxies(stack)) == 1
        stack.env["PYCOMPOSE_USERLAND_PROXY"] = "false"
        stack.ok("ps")                                   # any command: the stale proxy goes, NAT takes loopback
        assert _proxies(stack) == []
        assert _page(stack, "127.0.0.1") == "hello from web"
        assert _page(stack, "[::1]") == ""
    finally:
        stack.ok("down", "-t", "0")
        stack.env.pop("PYCOMPOSE_USERLAND_PROXY", None)


def test_a_port_in_use_fails_up_before_anything_is_made_naming_the_holder(stack):  # type: ignore[no-untyped-def]
    import re
    import socket

    from netplan import netns

    with netns.inside(stack.netns, socket.create_server, ("127.0.0.1", PORT)):
        done = stack.cli("up", "-d")
    assert done.returncode != 0
    assert re.search(rf"^publish 127.0.0.1:{PORT}/tcp: port is already in use by \S+ \(pid {os.getpid()}\)$",
                     done.stderr, re.MULTILINE), done.stderr
    assert stack.ok("ps", "-a", "-q").stdout == ""
    assert stack.ok("network", "ls", "-q", "-f", "name=demo_default").stdout == ""
    assert _proxies(stack) == []
