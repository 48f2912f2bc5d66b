"""The userland proxy with real TCP traffic, all on 127.0.0.1: the backends are threads of this
test on ports of their own, and each test starts (and stops) its own proxy process.

Every TCP test runs twice: through splice(2) and through the buffered copy.
"""

import contextlib
import hashlib
import os
import random
import select
import socket
import subprocess
import sys
import threading
import time
from ipaddress import ip_address as A
from pathlib import Path

import pytest

from netplan.firewall.spec import PublishedPort
from netplan.proxy import client
from netplan.proxy.bind import check_available
from netplan.proxy.errors import MappingInvalid, MappingNotFound, PortInUse, ProxyFailed

LOCAL = A("127.0.0.1")


def wait_for(condition, timeout=5.0, what="the condition"):
    """Poll `condition` until it is true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        threading.Event().wait(0.005)


class Backend:
    """A TCP server on 127.0.0.1 with a thread per connection running `serve(conn)`."""

    def __init__(self, serve):
        self.serve = serve
        self.sock = socket.create_server(("127.0.0.1", 0), backlog=1024)
        self.port = self.sock.getsockname()[1]
        self.threads = []
        self.accepted = threading.Thread(target=self._accept, daemon=True)
        self.accepted.start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            thread = threading.Thread(target=self._run, args=(conn,), daemon=True)
            thread.start()
            self.threads.append(thread)

    def _run(self, conn):
        with conn, contextlib.suppress(OSError):
            self.serve(conn)

    def close(self):
        self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()
        self.accepted.join(5)
        for thread in self.threads:
            thread.join(5)


def echo(conn):
    while data := conn.recv(65536):
        conn.sendall(data)


def digest_then_stream(conn):
    """Read to EOF, answer the sha256 of what came, then send the size asked for in the first 8 bytes."""
    header = b""
    while len(header) < 8:
        header += conn.recv(8 - len(header))
    digest = hashlib.sha256()
    while data := conn.recv(1 << 20):
        digest.update(data)
    conn.sendall(digest.digest())
    conn.sendall(pattern(int.from_bytes(header, "big")))


def pattern(size):
    return random.Random(size).randbytes(size)


@pytest.fixture
def backends():
    made = []

    def make(serve=echo):
        made.append(Backend(serve))
        return made[-1]

    yield make
    for backend in made:
        backend.close()


@pytest.fixture(params=["splice", "copy"])
def proxy(request, tmp_path):
    running = client.start(tmp_path / "run", splice=request.param == "splice")
    yield running
    running.stop()


def publish(proxy, backend, host_port=0, host_ip=LOCAL):
    (port,) = proxy.add([PublishedPort(host_ip, host_port, "tcp", LOCAL, backend.port)])
    return port


def connect(port):
    sock = socket.create_connection((str(port.host_ip), port.host_port), timeout=5)
    return sock


def recv_all(sock):
    chunks = []
    while chunk := sock.recv(1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def test_echo_through_an_ephemeral_port(proxy, backends):
    port = publish(proxy, backends())
    assert port.host_port != 0
    with connect(port) as sock:
        sock.sendall(b"hello")
        assert sock.recv(64) == b"hello"
    assert proxy.list() == (port,)


def test_large_transfers_both_ways_with_half_close(proxy, backends):
    """32 MiB up, then EOF (half-close), then a checksum and 32 MiB down on the same connection."""
    port = publish(proxy, backends(digest_then_stream))
    up, down = os.urandom(32 << 20), 32 << 20
    with connect(port) as sock:
        sock.sendall(down.to_bytes(8, "big"))
        sender = threading.Thread(target=lambda: (sock.sendall(up), sock.shutdown(socket.SHUT_WR)))
        sender.start()
        received = recv_all(sock)
        sender.join()
    assert received[:32] == hashlib.sha256(up).digest()
    assert hashlib.sha256(received[32:]).digest() == hashlib.sha256(pattern(down)).digest()


def test_many_concurrent_connections(proxy, backends):
    port = publish(proxy, backends())
    socks = [connect(port) for _ in range(300)]
    try:
        for i, sock in enumerate(socks):
            sock.sendall(f"connection {i}".encode())
        for i, sock in enumerate(socks):
            assert sock.recv(64) == f"connection {i}".encode()
        assert proxy.stats()["tcp_connections"] == 300
    finally:
        for sock in socks:
            sock.close()
    wait_for(lambda: proxy.stats()["tcp_connections"] == 0, what="the proxy to close 300 connections")


def test_the_backend_closing_first_closes_the_client(proxy, backends):
    port = publish(proxy, backends(lambda conn: conn.sendall(b"bye")))
    with connect(port) as sock:
        assert recv_all(sock) == b"bye"
    wait_for(lambda: proxy.stats()["tcp_connections"] == 0, what="the connection to go")


def test_a_refusing_backend_resets_the_client(proxy):
    closed = socket.create_server(("127.0.0.1", 0))
    dead_port = closed.getsockname()[1]
    closed.close()
    (port,) = proxy.add([PublishedPort(LOCAL, 0, "tcp", LOCAL, dead_port)])
    with pytest.raises(ConnectionResetError), connect(port) as sock:  # the reset may even beat connect()
        sock.recv(64)
    assert proxy.stats()["tcp_connections"] == 0


def test_backpressure_holds_a_bounded_amount(proxy, backends):
    """A backend that does not read: the client's send stalls after a bounded amount, and no byte is lost."""
    go = threading.Event()
    got = []

    def slow(conn):
        go.wait(10)
        got.append(recv_all(conn))

    port = publish(proxy, backends(slow))
    data = os.urandom(96 << 20)
    with connect(port) as sock:
        sock.setblocking(False)
        sent = 0
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                sent += sock.send(memoryview(data)[sent:sent + (1 << 20)])
            except BlockingIOError:
                if _stalled(sock):
                    break
        assert sent < 64 << 20, f"the proxy took {sent >> 20} MiB without a reader"
        go.set()
        sock.setblocking(True)
        sock.sendall(memoryview(data)[sent:sent + (4 << 20)])
        sock.shutdown(socket.SHUT_WR)
        wait_for(lambda: got, what="the backend to read everything")
    assert got[0] == data[:sent + (4 << 20)]


def _stalled(sock):
    """Whether `sock` stays unwritable for 200 ms: the pipe, the proxy and the backend are all full."""
    _, writable, _ = select.select([], [sock], [], 0.2)
    return not writable


def test_port_in_use_names_the_holder_and_creates_nothing(proxy, backends):
    backend = backends()
    with socket.create_server(("127.0.0.1", 0)) as squatter:
        taken = squatter.getsockname()[1]
        free = PublishedPort(LOCAL, 0, "tcp", LOCAL, backend.port)
        busy = PublishedPort(LOCAL, taken, "tcp", LOCAL, backend.port)
        comm = Path("/proc/self/comm").read_text().strip()
        with pytest.raises(PortInUse) as caught:
            proxy.add([free, busy])
        assert str(caught.value) == (f"publish 127.0.0.1:{taken}/tcp: port is already in use "
                                     f"by {comm} (pid {os.getpid()})")
        with pytest.raises(PortInUse):
            check_available([busy])
    assert proxy.list() == ()


def test_publishing_twice_is_refused(proxy, backends):
    port = publish(proxy, backends())
    with pytest.raises(PortInUse, match="already published by this proxy"):
        proxy.add([PublishedPort(A("0.0.0.0"), port.host_port, "tcp", LOCAL, 80)])


def test_reconfigure_without_restart(proxy, backends):
    def named(name):
        def serve(conn):
            conn.sendall(name)
            conn.recv(1)       # until the client goes
        return serve

    first, second = backends(named(b"first")), backends(named(b"second"))
    pid = proxy.pid
    port = publish(proxy, first)
    live = connect(port)
    assert live.recv(64) == b"first"
    proxy.remove([port])
    with live, pytest.raises(ConnectionResetError):
        live.recv(64)          # connections through a removed port are reset
    with pytest.raises(ConnectionRefusedError):
        connect(port)
    with pytest.raises(MappingNotFound):
        proxy.remove([port])
    publish(proxy, second, host_port=port.host_port)
    with connect(port) as sock:
        assert sock.recv(64) == b"second"
    assert proxy.pid == pid


def test_invalid_mappings_are_refused(proxy):
    with pytest.raises(MappingInvalid, match="tcp and udp only"):
        proxy.add([PublishedPort(LOCAL, 0, "sctp", LOCAL, 80)])
    with pytest.raises(MappingInvalid, match="not between"):
        proxy.add([PublishedPort(LOCAL, 70000, "tcp", LOCAL, 80)])
    with pytest.raises(ProxyFailed, match="unknown op"):
        proxy.request({"op": "dance"})


def test_ipv6_loopback(proxy, backends):
    if not socket.has_ipv6 or not Path("/proc/net/if_inet6").read_text().count("00000000000000000000000000000001"):
        pytest.skip("this host has no ::1")
    port = publish(proxy, backends(lambda conn: conn.sendall(b"over v6")), host_ip=A("::1"))
    with socket.create_connection(("::1", port.host_port), timeout=5) as sock:
        assert recv_all(sock) == b"over v6"


def test_stop_leaves_nothing(tmp_path, backends):
    run_root = tmp_path / "run"
    proxy = client.start(run_root)
    port = publish(proxy, backends())
    live = connect(port)
    pid = proxy.pid
    with pytest.raises(ProxyFailed, match="another proxy"):
        client.start(run_root)
    proxy.stop()
    assert not Path(f"/proc/{pid}").exists()
    assert sorted(p.name for p in run_root.iterdir()) == ["proxy.log"]
    with live, pytest.raises(ConnectionResetError):
        live.recv(64)           # stopping resets the connections it carried
    check_available([port])     # the port is free again


def test_the_module_entry_point_names_itself(tmp_path):
    run_root = tmp_path / "run"
    read, write = os.pipe()
    process = subprocess.Popen([sys.executable, "-m", "netplan.proxy", "--run-root", str(run_root),
                                "--ready-fd", str(write)], pass_fds=(write,), cwd=Path(__file__).parents[3])
    os.close(write)
    try:
        assert os.read(read, 16) == b"ready\n"
        assert b"pycompose-proxy" in Path(f"/proc/{process.pid}/cmdline").read_bytes()
        assert Path(f"/proc/{process.pid}/comm").read_text().strip() == "pycompose-proxy"
        client.ProxyClient(run_root, process=process).stop()
    finally:
        os.close(read)
        if process.poll() is None:
            process.kill()
            process.wait()
