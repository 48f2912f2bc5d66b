"""Benchmark: the userland proxy against a direct connection and against docker-proxy, side by side.

Everything runs on 127.0.0.1: a backend process (a throughput server that sends from a memfd
with sendfile(2), and a connection-rate server that sends one byte and closes), then for each
route — direct, pycompose's proxy (splice, and buffered copy), docker-proxy if installed —
the same three measurements, interleaved round by round, and the medians:

    stream MB/s    one connection receiving SIZE bytes
    4 streams      four connections at once, MB/s summed
    conn/s         CLIENTS processes opening, reading one byte, closing, for SECONDS

and what the proxy process itself spent (user + system CPU, from /proc/PID/stat) per GB
moved and per 1000 connections: on a busy or small machine the rates measure the machine
as much as the proxy, its CPU cost per unit of work much less so.

    python bench/proxy_bench.py [--runs 5] [--size-mib 512] [--seconds 2] [--clients 4]

Target: pycompose's proxy (splice) at least as fast as docker-proxy on every rate; exit
status 1 when it is not. docker-proxy is `/usr/sbin/docker-proxy` (Debian's docker.io), or
DOCKER_PROXY; without it the reference column is missing and said so.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from ipaddress import ip_address
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from netplan.firewall.spec import PublishedPort  # noqa: E402
from netplan.proxy import client  # noqa: E402

LOCAL = "127.0.0.1"
DOCKER_PROXY = os.environ.get("DOCKER_PROXY") or shutil.which("docker-proxy") or "/usr/sbin/docker-proxy"

SERVER = r"""
import os, socket, sys, threading
data = os.memfd_create("bench"); chunk = os.urandom(1 << 20)
for _ in range(64): os.write(data, chunk)
size = 64 << 20

def stream(conn):
    with conn:
        want = int.from_bytes(conn.recv(8), "big")
        while want > 0:
            want -= os.sendfile(conn.fileno(), data, 0, min(want, size))

def streams(sock):
    while True:
        conn, _ = sock.accept()
        threading.Thread(target=stream, args=(conn,), daemon=True).start()

def rate(sock):
    while True:
        conn, _ = sock.accept()
        conn.send(b"x"); conn.close()

a = socket.create_server(("127.0.0.1", 0), backlog=4096)
b = socket.create_server(("127.0.0.1", 0), backlog=4096)
print(a.getsockname()[1], b.getsockname()[1], flush=True)
threading.Thread(target=streams, args=(a,), daemon=True).start()
rate(b)
"""

RATE_CLIENT = r"""
import socket, sys, time
port, start, seconds = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
while time.monotonic() < start: pass
count, end = 0, start + seconds
while time.monotonic() < end:
    s = socket.create_connection(("127.0.0.1", port))
    if s.recv(1) == b"x": count += 1
    s.close()
print(count)
"""


def receive(port: int, size: int) -> None:
    with socket.create_connection((LOCAL, port)) as sock:
        sock.sendall(size.to_bytes(8, "big"))
        buffer = bytearray(1 << 20)
        got = 0
        while n := sock.recv_into(buffer):
            got += n
    if got != size:
        raise SystemExit(f"stream through port {port} ended after {got} of {size} bytes")


def throughput(port: int, size: int, streams: int) -> float:
    threads = [threading.Thread(target=receive, args=(port, size)) for _ in range(streams)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return streams * size / (time.perf_counter() - started) / 1e6


def rate(port: int, seconds: float, clients: int) -> float:
    start = time.monotonic() + 0.3
    argv = [sys.executable, "-c", RATE_CLIENT, str(port), str(start), str(seconds)]
    runs = [subprocess.Popen(argv, stdout=subprocess.PIPE, text=True) for _ in range(clients)]
    return sum(int(run.communicate()[0]) for run in runs) / seconds


class DockerProxy:
    """One docker-proxy process per published port, as dockerd runs it (readiness on fd 3)."""

    def __init__(self, host_port: int, backend_port: int) -> None:
        self.port = host_port
        read, write = os.pipe()
        argv = [DOCKER_PROXY, "-proto", "tcp", "-host-ip", LOCAL, "-host-port", str(host_port),
                "-container-ip", LOCAL, "-container-port", str(backend_port)]
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, pass_fds=(3,),
                                        preexec_fn=lambda: os.dup2(write, 3))  # no threads run yet
        os.close(write)
        with os.fdopen(read, "rb") as ready:
            status = ready.readline()
        if status.strip() != b"0":
            self.close()
            raise SystemExit(f"docker-proxy did not start: {status!r}")

    def close(self) -> None:
        self.process.terminate()
        self.process.communicate()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOCAL, 0))
        return sock.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--size-mib", type=int, default=512)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    size = args.size_mib << 20
    server = subprocess.Popen([sys.executable, "-c", SERVER], stdout=subprocess.PIPE, text=True)
    stream_port, rate_port = map(int, server.stdout.readline().split())
    run_root = Path(tempfile.mkdtemp(prefix="pycompose-proxy-bench-"))
    cleanups: list[Callable[[], None]] = [server.kill, lambda: shutil.rmtree(run_root, ignore_errors=True)]
    routes: dict[str, tuple[int, int]] = {"direct": (stream_port, rate_port)}
    pids: dict[str, int] = {}
    try:
        for name, splice in (("pycompose (splice)", True), ("pycompose (copy)", False)):
            proxy = client.start(run_root / name.split()[1].strip("()"), splice=splice)
            cleanups.insert(0, proxy.stop)
            ports = proxy.add([PublishedPort(ip_address(LOCAL), 0, "tcp", ip_address(LOCAL), p)
                               for p in (stream_port, rate_port)])
            routes[name] = (ports[0].host_port, ports[1].host_port)
            pids[name] = proxy.pid or 0
        if os.access(DOCKER_PROXY, os.X_OK):
            pair = [DockerProxy(free_port(), backend) for backend in (stream_port, rate_port)]
            cleanups[:0] = [reference.close for reference in pair]
            routes["docker-proxy"] = (pair[0].port, pair[1].port)
            pids["docker-proxy"] = pair[0].process.pid
            pids["docker-proxy rate"] = pair[1].process.pid
        else:
            print(f"docker-proxy not found at {DOCKER_PROXY}: no reference column (apt-get install docker.io)")
        figures = measure(routes, pids, size, args)
    finally:
        for cleanup in cleanups:
            cleanup()
        server.wait()
    return report(figures)


def cpu_seconds(pid: int | None) -> float:
    if not pid:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(routes: dict[str, tuple[int, int]], pids: dict[str, int], size: int,
            args: argparse.Namespace) -> dict[str, dict[str, list[float]]]:
    metrics = ("stream MB/s", "4 streams MB/s", "conn/s", "CPU ms per GB", "CPU ms per 1000 conn")
    figures: dict[str, dict[str, list[float]]] = {name: {m: [] for m in metrics} for name in routes}
    for _ in range(args.runs):
        for name, (stream_port, rate_port) in routes.items():
            stream_pid, rate_pid = pids.get(name), pids.get(f"{name} rate", pids.get(name))
            before = cpu_seconds(stream_pid)
            figures[name]["stream MB/s"].append(throughput(stream_port, size, 1))
            figures[name]["4 streams MB/s"].append(throughput(stream_port, size // 4, 4))
            figures[name]["CPU ms per GB"].append((cpu_seconds(stream_pid) - before) * 1000 / (2 * size / 1e9))
            before = cpu_seconds(rate_pid)
            rate_figure = rate(rate_port, args.seconds, args.clients)
            figures[name]["conn/s"].append(rate_figure)
            figures[name]["CPU ms per 1000 conn"].append((cpu_seconds(rate_pid) - before) * 1e6
                                                         / max(1.0, rate_figure * args.seconds))
    return figures


def report(figures: dict[str, dict[str, list[float]]]) -> int:
    names = list(figures)
    metrics = list(next(iter(figures.values())))
    print(f"{'median of ' + str(len(figures['direct']['conn/s'])) + ' runs':<18}"
          + "".join(f"{name:>22}" for name in names))
    missed = []
    for metric in metrics:
        medians = {name: statistics.median(figures[name][metric]) for name in names}
        print(f"{metric:<18}" + "".join(f"{medians[name]:>22.0f}" for name in names))
        if "docker-proxy" in medians and "CPU" not in metric:
            ratio = medians["pycompose (splice)"] / medians["docker-proxy"]
            print(f"{'':<18}pycompose (splice) / docker-proxy = {ratio:.2f}")
            if ratio < 1.0:
                missed.append(metric)
    if missed:
        print(f"target missed (slower than docker-proxy): {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
