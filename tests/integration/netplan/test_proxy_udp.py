"""The userland proxy with real UDP datagrams on 127.0.0.1: flows per client address, idle expiry."""

import socket
import threading
import time
from ipaddress import ip_address as A

import pytest

from netplan.firewall.spec import PublishedPort
from netplan.proxy import client
from netplan.proxy.errors import PortInUse

LOCAL = A("127.0.0.1")


def wait_for(condition, timeout=5.0, what="the condition"):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        threading.Event().wait(0.005)


@pytest.fixture
def echo_server():
    """A UDP server on 127.0.0.1 that answers every datagram with its sender's port and the datagram."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    stop = threading.Event()

    def serve():
        sock.settimeout(0.05)
        while not stop.is_set():
            try:
                data, peer = sock.recvfrom(65535)
            except TimeoutError:
                continue
            sock.sendto(str(peer[1]).encode() + b":" + data, peer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield sock.getsockname()[1]
    stop.set()
    thread.join(5)
    sock.close()


@pytest.fixture
def proxy(tmp_path):
    running = client.start(tmp_path / "run", udp_idle=0.3)
    yield running
    running.stop()


def ask(sock, port, data):
    sock.sendto(data, ("127.0.0.1", port))
    reply, peer = sock.recvfrom(65535)
    assert peer == ("127.0.0.1", port)        # the answer comes from the published port
    return reply


def test_datagrams_flow_per_client_and_expire(proxy, echo_server):
    (port,) = proxy.add([PublishedPort(LOCAL, 0, "udp", LOCAL, echo_server)])
    one, two = (socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(2))
    with one, two:
        one.settimeout(5)
        two.settimeout(5)
        first = ask(one, port.host_port, b"hello")
        assert first.endswith(b":hello")
        assert ask(one, port.host_port, b"again").split(b":")[0] == first.split(b":")[0]  # the same flow
        assert ask(two, port.host_port, b"x" * 60000).split(b":")[0] != first.split(b":")[0]
        assert proxy.stats()["udp_flows"] == 2
        wait_for(lambda: proxy.stats()["udp_flows"] == 0, what="idle flows to expire")
        assert ask(one, port.host_port, b"back").endswith(b":back")     # a new flow after expiry


def test_udp_and_tcp_share_a_port_number(proxy, echo_server):
    (tcp,) = proxy.add([PublishedPort(LOCAL, 0, "tcp", LOCAL, echo_server)])
    try:  # udp second: its port numbers are far less busy than tcp's ephemeral ones
        (udp,) = proxy.add([PublishedPort(LOCAL, tcp.host_port, "udp", LOCAL, echo_server)])
    except PortInUse:
        pytest.skip("the udp port of that number is taken on this host")
    assert {p.protocol for p in proxy.list()} == {"tcp", "udp"}
    assert tcp.host_port == udp.host_port


def test_udp_port_in_use_names_the_holder(proxy, echo_server):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as squatter:
        squatter.bind(("127.0.0.1", 0))
        taken = squatter.getsockname()[1]
        with pytest.raises(PortInUse, match=rf"publish 127.0.0.1:{taken}/udp: port is already in use by .* \(pid"):
            proxy.add([PublishedPort(LOCAL, taken, "udp", LOCAL, echo_server)])


def test_removing_a_udp_port_closes_its_flows(proxy, echo_server):
    (port,) = proxy.add([PublishedPort(LOCAL, 0, "udp", LOCAL, echo_server)])
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(5)
        ask(sock, port.host_port, b"hi")
    proxy.remove([port])
    assert proxy.stats() == {"mappings": 0, "tcp_connections": 0, "udp_flows": 0}
