"""Benchmark: answers per second for a service name over UDP on 127.0.0.1, pycompose's DNS server
beside dnsmasq (Debian's dnsmasq-base, given the same two addresses in a hosts file), in one run.

Each round sends `--count` queries for `web` (two replicas) from one socket with `--window`
queries in flight, stopping after `--seconds` whatever the count; rounds alternate between the
servers so both see the same machine. Prints every round and the median of each. Traffic goes
to 127.0.0.1 only; neither server forwards anything (no upstreams).

    python bench/dns_bench.py [--rounds 5] [--count 20000] [--window 16] [--seconds 10]
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from ipaddress import ip_address
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from netplan.dns import DnsClient, Endpoint, start  # noqa: E402

REPLICAS = ("172.20.0.2", "172.20.0.3")


def query(ident: int) -> bytes:
    return struct.pack("!HHHHHH", ident, 0x0100, 1, 0, 0, 0) + b"\x03web\x00\x00\x01\x00\x01"


def rate(port: int, count: int, window: int, seconds: float) -> float:
    """Answers per second (answers with the two addresses) for `count` queries, `window` in flight."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.connect(("127.0.0.1", port))
        sock.settimeout(0.2)
        sent = answered = 0
        began = time.perf_counter()
        deadline = began + seconds
        for _ in range(window):
            sock.send(query(sent & 0xFFFF))
            sent += 1
        while answered < count and time.perf_counter() < deadline:
            try:
                reply = sock.recv(512)
            except TimeoutError:  # lost in a full buffer: top the window up again
                for _ in range(window):
                    sock.send(query(sent & 0xFFFF))
                    sent += 1
                continue
            if struct.unpack_from("!H", reply, 6)[0] == len(REPLICAS):
                answered += 1
            if sent < count:
                sock.send(query(sent & 0xFFFF))
                sent += 1
        return answered / (time.perf_counter() - began)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_dnsmasq(workdir: Path) -> tuple[subprocess.Popen[bytes], int] | None:
    binary = shutil.which("dnsmasq") or ("/usr/sbin/dnsmasq" if Path("/usr/sbin/dnsmasq").exists() else None)
    if binary is None:
        print("dnsmasq: not installed (apt-get install dnsmasq-base); pycompose alone")
        return None
    hosts = workdir / "hosts"
    hosts.write_text("".join(f"{address} web\n" for address in REPLICAS))
    port = free_port()
    popen = subprocess.Popen([binary, "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
                              f"--addn-hosts={hosts}", "--listen-address=127.0.0.1", "--bind-interfaces",
                              f"--port={port}", "--local-ttl=0", "--pid-file=", "--user=root"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            rate(port, 1, 1, 0.5)
            return popen, port
        except OSError:
            time.sleep(0.02)
    popen.kill()
    popen.wait()
    print("dnsmasq: did not answer within 5 s; pycompose alone")
    return None


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--window", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pycompose-dnsbench-") as tmp:
        ours = start(Path(tmp) / "run", [])
        other = None
        try:
            client = DnsClient(Path(tmp) / "run")
            client.set_network("bench", [Endpoint(f"c{i}", (f"bench-web-{i}", "web"), (ip_address(a),))
                                         for i, a in enumerate(REPLICAS)])
            servers = {"pycompose": client.listen("bench", "127.0.0.1", networks=["bench"], port=0)}
            other = start_dnsmasq(Path(tmp))
            if other is not None:
                servers["dnsmasq"] = other[1]
            figures: dict[str, list[float]] = {name: [] for name in servers}
            for round_ in range(args.rounds):
                for name, port in servers.items():
                    figures[name].append(rate(port, args.count, args.window, args.seconds))
                    print(f"round {round_ + 1}: {name:9} {figures[name][-1]:9.0f} answers/s")
            medians = {name: statistics.median(values) for name, values in figures.items()}
            print(f"\nUDP answers/s for `web` (2 addresses), {args.count} queries, window {args.window}, median "
                  f"of {args.rounds}:")
            for name, value in medians.items():
                print(f"  {name:9} {value:9.0f}")
            if "dnsmasq" in medians:
                print(f"  pycompose/dnsmasq: {medians['pycompose'] / medians['dnsmasq']:.2f}")
        finally:
            if other is not None:
                other[0].terminate()
                other[0].wait()
            ours.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
