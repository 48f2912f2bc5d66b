"""A lab for the links tests: throwaway namespaces under a temporary run root, echo servers, a client.

Everything lives in namespaces the test made: the "host" is one of them, so bridges and veth
host ends never appear on the real host. Traffic goes only to addresses inside them. The
`lab` fixture closes every socket and removes every namespace and the run root afterwards,
even when the test fails (the run root's name holds `pycompose`, so the session leak check
would see a mount left behind).
"""

from __future__ import annotations

import contextlib
import secrets
import shutil
import socket
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest

from netplan import netns
from netplan.links.kernel import iproute

PORT = 7000
UNREACHABLE = "unreachable"


def run_in(where: Path, *argv: str) -> str:
    """A program's output, run inside the namespace at `where`; it must succeed."""
    done = subprocess.run(["nsenter", f"--net={where}", *argv], capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{' '.join(argv)} in {where}: {done.stderr.strip()}"
    return done.stdout


class Lab:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="pycompose-links-"))
        self.tag = secrets.token_hex(3)
        self.names: list[str] = []
        self.servers: list[tuple[socket.socket, threading.Thread]] = []

    def netns(self, role: str) -> Path:
        """A new namespace (only `lo`, up); removed by the fixture."""
        name = f"pctest-{self.tag}-{role}"
        path = netns.create(self.root, name)
        self.names.append(name)
        return path

    def bridge(self, suffix: str) -> str:
        return f"pct{self.tag}{suffix}"

    def serve(self, where: Path, address: str, answer: str, port: int = PORT) -> None:
        """A TCP server inside `where` on `address:port` that answers `answer` to every connection."""
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        listener = netns.inside(where, lambda: socket.create_server((address, port), family=family))

        def loop() -> None:
            while True:
                try:
                    conn, _ = listener.accept()
                except OSError:  # the fixture shut the listener down
                    return
                with conn:
                    conn.sendall(answer.encode())

        thread = threading.Thread(target=loop, daemon=True)
        thread.start()
        self.servers.append((listener, thread))

    def reach(self, where: Path, address: str, port: int = PORT, timeout: float = 5.0) -> str:
        """What the server at `address:port` answers to a client inside `where`, or "unreachable".

        The generous default keeps a loaded machine from failing a check that should pass; a check
        that expects "unreachable" passes a short `timeout` (a dropped packet answers nothing).
        """
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        with netns.inside(where, socket.socket, family, socket.SOCK_STREAM) as client:
            client.settimeout(timeout)
            try:
                client.connect((address, port))
                return client.recv(64).decode()
            except OSError:
                return UNREACHABLE

    def links(self, where: Path) -> dict[str, dict]:
        """The links in `where`, by name: kind, MTU, MAC, state, master's name, addresses."""
        with iproute(where) as ipr:
            raw = list(ipr.get_links())
            names = {link["index"]: link.get("IFLA_IFNAME") for link in raw}
            addresses: dict[int, list[str]] = {}
            for a in ipr.get_addr():
                addresses.setdefault(a["index"], []).append(f"{a.get('IFA_ADDRESS')}/{a['prefixlen']}")
        return {link.get("IFLA_IFNAME"): {
            "kind": link.get_nested("IFLA_LINKINFO", "IFLA_INFO_KIND"),
            "mtu": link.get("IFLA_MTU"),
            "mac": link.get("IFLA_ADDRESS"),
            "up": bool(link["flags"] & 1),
            "master": names.get(link.get("IFLA_MASTER")),
            "addresses": sorted(addresses.get(link["index"], [])),
        } for link in raw}

    def routes(self, where: Path, family: int = socket.AF_INET) -> dict[str, str]:
        """The main table of `where`: destination -> gateway (or "link")."""
        with iproute(where) as ipr:
            return {f"{r.get('RTA_DST') or 'default'}": r.get("RTA_GATEWAY") or "link"
                    for r in ipr.get_routes(family=family, table=254)
                    if r.get("RTA_DST") is None or not str(r.get("RTA_DST")).startswith("fe80")}

    def close(self) -> None:
        for listener, thread in self.servers:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            thread.join(timeout=5)
            listener.close()
        for name in reversed(self.names):
            netns.remove(self.root, name)
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def lab():
    made = Lab()
    try:
        yield made
    finally:
        made.close()
