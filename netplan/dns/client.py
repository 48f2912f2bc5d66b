"""Starting, driving and stopping the DNS server from another process.

Lifecycle: `start(run_root, upstreams)` runs `python -m netplan.dns pycompose-dns ...` in its
own session (it outlives the caller) and returns once the control socket answers. A
`DnsClient(run_root)` then sets records and listeners; `client.stop()` ends the server.

    >>> server = start(run_root, ["127.0.0.1:5353"])            # doctest: +SKIP
    >>> client = DnsClient(run_root)                               # doctest: +SKIP
    >>> client.put_endpoint("demo_back", Endpoint("c1", ("db",), (ip_address("172.18.0.2"),)))  # doctest: +SKIP
    >>> client.listen("c1", "127.0.0.11", networks=["demo_back"], netns="/run/pycompose/netns/c1")  # doctest: +SKIP
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from netplan.dns.errors import DnsRefused, DnsUnavailable
from netplan.dns.protocol import endpoint_json, socket_path
from netplan.dns.records import Endpoint


class DnsClient:
    """One request per connection: simple, and a restarted server is picked up at once."""

    def __init__(self, run_root: str | Path, *, timeout: float = 5.0):
        self.path = socket_path(run_root)
        self.timeout = timeout

    def call(self, op: str, **fields: Any) -> dict[str, Any]:
        what = f"{op} on the DNS server at {self.path}"
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(self.timeout)
                sock.connect(str(self.path))
                sock.sendall(json.dumps({"op": op, **fields}).encode() + b"\n")
                reply = sock.makefile("rb").readline()
        except OSError as failed:
            raise DnsUnavailable(f"{what}: {failed.strerror or failed}",
                                 hint="is the pycompose DNS server running?") from None
        if not reply:
            raise DnsUnavailable(f"{what}: the server closed the connection without an answer")
        answer: dict[str, Any] = json.loads(reply)
        if not answer.get("ok"):
            raise DnsRefused(f"{what}: {answer.get('error')}")
        return answer

    def ping(self) -> dict[str, Any]:
        return self.call("ping")

    def set_network(self, network: str, endpoints: Iterable[Endpoint]) -> None:
        self.call("set_network", network=network, endpoints=[endpoint_json(e) for e in endpoints])

    def remove_network(self, network: str) -> None:
        self.call("remove_network", network=network)

    def put_endpoint(self, network: str, endpoint: Endpoint) -> None:
        self.call("put_endpoint", network=network, endpoint=endpoint_json(endpoint))

    def drop_endpoint(self, network: str, container: str) -> None:
        self.call("drop_endpoint", network=network, container=container)

    def listen(self, key: str, address: str, *, networks: Sequence[str], port: int = 53,
               netns: str | None = None, upstreams: Sequence[str] | None = None) -> int:
        """Answer on address:port (UDP and TCP) from `networks`; returns the port (useful with 0)."""
        reply = self.call("listen", key=key, address=address, port=port, networks=list(networks), netns=netns,
                          upstreams=None if upstreams is None else list(upstreams))
        return int(reply["port"])

    def unlisten(self, key: str) -> None:
        self.call("unlisten", key=key)

    def stop(self) -> None:
        self.call("stop")


class DnsProcess:
    """The started server; `stop()` asks it to exit and reaps it (a caller may also just drop it)."""

    def __init__(self, popen: subprocess.Popen[bytes], run_root: Path):
        self.popen, self.run_root = popen, run_root
        self.pid = popen.pid

    def stop(self, timeout: float = 5.0) -> None:
        if self.popen.poll() is None:
            try:
                DnsClient(self.run_root, timeout=timeout).stop()
            except DnsUnavailable:
                self.popen.terminate()
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()


def start(run_root: str | Path, upstreams: Sequence[str], *, timeout: float = 2.0, ttl: int = 0,
          ready_within: float = 10.0) -> DnsProcess:
    """Run the server for `run_root`, forwarding to `upstreams`; return once it answers."""
    root = Path(run_root)
    root.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "netplan.dns", "pycompose-dns", "--run-root", str(root),
            "--timeout", str(timeout), "--ttl", str(ttl), *(f"--upstream={u}" for u in upstreams)]
    if not upstreams:
        argv.append("--no-upstream")
    log = root / "dns.log"
    with log.open("ab") as err:
        popen = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                                 start_new_session=True, cwd=str(Path(__file__).resolve().parents[2]))
    client = DnsClient(root, timeout=1.0)
    deadline = time.monotonic() + ready_within
    while time.monotonic() < deadline:
        if popen.poll() is not None:
            said = log.read_text(errors="replace").strip().splitlines()[-3:]
            raise DnsUnavailable(f"start the DNS server for {root}: it exited with status {popen.returncode}: "
                                 + " / ".join(said))
        try:
            if client.ping().get("pid") == popen.pid:
                return DnsProcess(popen, root)
        except DnsUnavailable:
            pass
        time.sleep(0.02)
    popen.kill()
    popen.wait()
    raise DnsUnavailable(f"start the DNS server for {root}: no answer within {ready_within:g} s")
