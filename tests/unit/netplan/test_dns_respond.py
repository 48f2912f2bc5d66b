"""netplan.dns.server.Server.respond: the answer for one query and one view, with no sockets."""

import random
from ipaddress import ip_address

from netplan.dns import wire
from netplan.dns.records import Endpoint
from netplan.dns.server import Server, View
from tests.unit.netplan.test_dns_support import addresses, decode, query


def server():
    s = Server(upstreams=())
    s.zones.put("front", Endpoint("w1", ("web",), (ip_address("172.20.0.2"),)))
    s.zones.put("back", Endpoint("d1", ("db",), (ip_address("172.21.0.2"),)))
    return s


def test_ours_are_answered_theirs_are_handed_back_for_forwarding():
    s = server()
    reply = decode(s.respond(query("web", ident=3), View(("front",)), tcp=False))
    assert (reply.ident, reply.rcode, reply.aa, addresses(reply)) == (3, 0, True, ["172.20.0.2"])
    assert decode(s.respond(query("db"), View(("front",)), tcp=False)).rcode == wire.NXDOMAIN
    assert isinstance(s.respond(query("db.example.com"), View(("front",)), tcp=False), wire.Query)


def test_nodata_for_a_name_with_only_other_families():
    reply = decode(server().respond(query("web", 28), View(("front",)), tcp=False))
    assert (reply.rcode, reply.answers) == (0, [])


def test_ttl_and_ptr():
    s = server()
    s.ttl = 7
    assert decode(s.respond(query("web"), View(("front",)), tcp=False)).answers[0][2] == 7
    reply = decode(s.respond(query("2.0.20.172.in-addr.arpa", 12), View(("front",)), tcp=False))
    assert reply.answers == [("2.0.20.172.in-addr.arpa", 12, 7, "web")]


def test_garbage_gets_silence_or_a_header_never_an_exception():
    s = server()
    rng = random.Random(5)
    for _ in range(2000):
        data = bytearray(query("web"))
        for _ in range(rng.randint(1, 5)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        out = s.respond(bytes(data[:rng.randint(0, len(data))]), View(("front",)), tcp=rng.random() < 0.5)
        assert out is None or isinstance(out, (bytes, wire.Query))
