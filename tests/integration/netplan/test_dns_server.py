"""The DNS server as a process: real queries over UDP and TCP to 127.0.0.1 and to 127.0.0.11 inside
throwaway namespaces, scoping, update latency, forwarding to a stub on 127.0.0.1, and garbage.

Nothing here leaves the machine: the only upstream is `StubResolver` on 127.0.0.1, and an
upstream that must fail is 127.0.0.1's closed port 9 or an address nothing answers on 127.0.0.1.
"""

import os
import socket
import struct
import tempfile
import time
from ipaddress import ip_address

import pytest

from netplan.dns import DnsClient, Endpoint, start
from netplan.dns import netns as nsenter
from netplan.dns.errors import DnsRefused
from tests.unit.netplan.test_dns_support import (
    STUB_ANSWER,
    StubResolver,
    addresses,
    ask_tcp,
    ask_udp,
    decode,
    query,
)


def ep(container, names, *addrs):
    return Endpoint(container, tuple(names), tuple(ip_address(a) for a in addrs))


@pytest.fixture(scope="module")
def stub():
    resolver = StubResolver()
    yield resolver
    resolver.close()


@pytest.fixture(scope="module")
def dns(stub):
    root = tempfile.mkdtemp(prefix="pycompose-dnstest-")
    process = start(root, [f"127.0.0.1:{stub.port}"], timeout=0.5)
    client = DnsClient(root)
    client.set_network("front", [ep("w1", ["demo-web-1", "web"], "172.20.0.2"),
                                 ep("w2", ["demo-web-2", "web"], "172.20.0.3")])
    client.set_network("back", [ep("d1", ["demo-db-1", "db"], "172.21.0.2")])
    client.front = client.listen("front-view", "127.0.0.1", networks=["front"], port=0)
    client.back = client.listen("back-view", "127.0.0.1", networks=["back"], port=0)
    client.process = process
    yield client
    process.stop()
    assert process.popen.returncode == 0
    assert not (os.path.exists(client.path)), "the control socket outlived the server"
    for name in os.listdir(root):
        os.unlink(os.path.join(root, name))
    os.rmdir(root)


def test_a_service_name_over_udp_and_tcp_gives_every_replica(dns):
    udp = ask_udp(dns.front, query("web"))
    tcp = ask_tcp(dns.front, query("web"))
    assert sorted(addresses(udp)) == sorted(addresses(tcp)) == ["172.20.0.2", "172.20.0.3"]
    assert udp.aa and udp.answers[0][2] == 0  # authoritative, TTL 0


def test_replicas_come_round_robin(dns):
    firsts = {addresses(ask_udp(dns.front, query("web")))[0] for _ in range(4)}
    assert firsts == {"172.20.0.2", "172.20.0.3"}


def test_a_name_on_network_a_is_not_answered_for_a_client_on_network_b(dns):
    assert addresses(ask_udp(dns.back, query("db"))) == ["172.21.0.2"]
    assert ask_udp(dns.front, query("db")).rcode == 3  # NXDOMAIN
    assert ask_udp(dns.back, query("web")).rcode == 3
    assert ask_udp(dns.back, query("demo-web-1")).rcode == 3


def test_a_recreated_container_answers_with_its_new_address_within_a_second(dns):
    began = time.monotonic()
    dns.put_endpoint("back", ep("d1", ["demo-db-1", "db"], "172.21.0.42"))
    deadline = began + 1.0
    while addresses(ask_udp(dns.back, query("db"))) != ["172.21.0.42"]:
        assert time.monotonic() < deadline, "the new address was not served within a second"
    assert time.monotonic() - began < 1.0
    dns.put_endpoint("back", ep("d1", ["demo-db-1", "db"], "172.21.0.2"))


def test_other_names_are_forwarded_to_the_stub_over_udp_and_tcp(dns, stub):
    assert addresses(ask_udp(dns.front, query("forwarded.example", ident=4242))) == [STUB_ANSWER]
    reply = ask_tcp(dns.front, query("tcp.example", ident=17))
    assert (reply.ident, addresses(reply)) == (17, [STUB_ANSWER])
    assert "forwarded.example" in stub.seen and "tcp:tcp.example" in stub.seen


def test_an_upstream_that_does_not_answer_gives_servfail_after_the_timeout(dns):
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))  # receives, never answers
    try:
        port = dns.listen("silent", "127.0.0.1", networks=["front"], port=0,
                          upstreams=[f"127.0.0.1:{silent.getsockname()[1]}", "127.0.0.1:9"])
        began = time.monotonic()
        assert ask_udp(port, query("lost.example")).rcode == 2  # SERVFAIL
        assert 0.4 < time.monotonic() - began < 2.5
        assert ask_udp(port, query("web")).rcode == 0  # our names never wait on upstreams
    finally:
        dns.unlisten("silent")
        silent.close()


def test_malformed_packets_are_ignored_and_the_server_keeps_answering(dns):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for junk in (b"", b"\x00", os.urandom(11), b"\xff" * 600, query("web")[:15], os.urandom(3000)):
            sock.sendto(junk, ("127.0.0.1", dns.front))
        sock.settimeout(3)
        sock.sendto(query("web", ident=99), ("127.0.0.1", dns.front))
        while (reply := decode(sock.recv(65535))).ident != 99:
            pass  # header-only FORMERR answers to the junk that had a header
        assert len(addresses(reply)) == 2
    with socket.create_connection(("127.0.0.1", dns.front), timeout=3) as conn:
        conn.sendall(struct.pack("!H", 40) + os.urandom(10))
        conn.shutdown(socket.SHUT_WR)
        assert conn.recv(100) == b""  # closed, not stuck
    assert dns.ping()["ok"]


def test_bad_control_requests_are_refused_with_a_reason(dns):
    with pytest.raises(DnsRefused, match="addresses"):
        dns.call("put_endpoint", network="x", endpoint={"container": "c", "addresses": ["not-an-ip"]})
    with pytest.raises(DnsRefused, match="unknown op"):
        dns.call("frobnicate")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.connect(str(dns.path))
        sock.sendall(b"{not json\n")
        assert b'"ok": false' in sock.makefile("rb").readline()


def test_a_listener_on_127_0_0_11_inside_a_containers_namespace(dns, netns):
    ns = netns("dns")
    path = f"/run/netns/{ns.name}"
    dns.listen("ctr", "127.0.0.11", networks=["back", "front"], netns=path)
    try:
        def ask(message, tcp=False):
            def make():
                return ask_tcp(53, message, host="127.0.0.11") if tcp else ask_udp(53, message, host="127.0.0.11")
            return nsenter.inside(path, make)

        assert addresses(ask(query("db"))) == ["172.21.0.2"]
        assert sorted(addresses(ask(query("web"), tcp=True))) == ["172.20.0.2", "172.20.0.3"]
        with pytest.raises(OSError):  # the host's namespace has no listener there
            ask_udp(53, query("db"), host="127.0.0.11", timeout=0.2)
    finally:
        dns.unlisten("ctr")
