"""netplan.dns.wire: queries parsed from hand-made bytes, answers read back by an independent decoder."""

import contextlib
import random
import struct

import pytest

from netplan.dns import wire
from tests.unit.netplan.test_dns_support import addresses, decode, qname, query


def test_a_query_parses_to_lower_case_name_type_and_the_raw_question():
    q = wire.parse_query(query("Web.Demo_Back", 28, ident=7))
    assert (q.id, q.name, q.qtype, q.qclass, q.edns, q.udp_size) == (7, "web.demo_back", 28, 1, False, 512)
    assert q.question == qname("Web.Demo_Back") + b"\x00\x1c\x00\x01"


def test_edns_size_is_read_and_clamped():
    assert wire.parse_query(query("a", edns=1232)).udp_size == 1232
    assert wire.parse_query(query("a", edns=100)).udp_size == 512
    assert wire.parse_query(query("a", edns=65000)).udp_size == wire.MAX_UDP


@pytest.mark.parametrize("data, rcode", [
    (b"", None),
    (b"\x00" * 11, None),
    (struct.pack("!HHHHHH", 1, 0x8000, 1, 0, 0, 0) + qname("a") + b"\0\1\0\1", None),  # a response
    (struct.pack("!HHHHHH", 1, 0x2800, 1, 0, 0, 0) + qname("a") + b"\0\1\0\1", wire.NOTIMP),  # UPDATE
    (struct.pack("!HHHHHH", 1, 0, 2, 0, 0, 0) + qname("a") + b"\0\1\0\1" * 2, wire.FORMERR),
    (struct.pack("!HHHHHH", 1, 0, 0, 0, 0, 0), wire.FORMERR),
    (struct.pack("!HHHHHH", 1, 0, 1, 0, 0, 0) + b"\xc0\x0c\0\1\0\1", wire.FORMERR),  # pointer in question
    (struct.pack("!HHHHHH", 1, 0, 1, 0, 0, 0) + b"\x05ab", wire.FORMERR),  # label runs off the end
    (struct.pack("!HHHHHH", 1, 0, 1, 0, 0, 0) + qname("a") + b"\0", wire.FORMERR),  # no class
    (struct.pack("!HHHHHH", 1, 0, 1, 0, 0, 0) + (b"\x3f" + b"a" * 63) * 5 + b"\0\0\1\0\1", wire.FORMERR),
])
def test_malformed_queries_say_what_to_answer(data, rcode):
    with pytest.raises(wire.Malformed) as caught:
        wire.parse_query(data)
    assert caught.value.rcode == rcode


def test_answer_points_at_the_question_and_truncates_with_tc():
    q = wire.parse_query(query("web", ident=9))
    records = [wire.address_rr(wire.A, bytes([10, 0, i // 256, i % 256]), 0) for i in range(100)]
    reply = decode(wire.answer(q, wire.NOERROR, records, limit=512))
    assert reply.tc and reply.aa and reply.ident == 9 and reply.question == "web"
    assert len(reply.answers) == (512 - 12 - 8) // 16
    assert reply.answers[0] == ("web", 1, 0, "10.0.0.0")
    full = decode(wire.answer(q, wire.NOERROR, records, limit=65535))
    assert not full.tc and len(addresses(full)) == 100


def test_an_edns_query_gets_an_opt_record_back():
    q = wire.parse_query(query("web", edns=1232))
    assert decode(wire.answer(q, wire.NOERROR, [], limit=1232)).arcount == 1


def test_error_for_echoes_the_id_and_rd():
    reply = decode(wire.error_for(struct.pack("!HHHHHH", 77, 0x0100, 3, 0, 0, 0), wire.FORMERR))
    assert (reply.ident, reply.rcode, reply.answers) == (77, wire.FORMERR, [])
    assert wire.error_for(b"\x01", wire.FORMERR) is None


def test_encode_name_refuses_bad_labels():
    assert wire.encode_name("web.demo.") == qname("web.demo")
    assert wire.encode_name("") == b"\0"
    for bad in ("a..b", "x" * 64, ".".join(["abcdefgh"] * 40)):
        with pytest.raises(ValueError):
            wire.encode_name(bad)


def test_response_matches_checks_id_qr_and_question():
    q = wire.parse_query(query("Example.org", ident=5))
    good = wire.answer(q, wire.NOERROR, [], limit=512)
    assert wire.response_matches(good, 5, wire.parse_query(query("example.ORG")).question)
    assert not wire.response_matches(good, 6, q.question)
    assert not wire.response_matches(query("example.org", ident=5), 5, q.question)


def test_random_bytes_never_raise_anything_but_malformed():
    rng = random.Random(6)
    seeds = [query("web"), query("a.b.c", 28, edns=4096)]
    for _ in range(3000):
        data = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 6)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        data = bytes(data[:rng.randint(0, len(data))])
        with contextlib.suppress(wire.Malformed):
            wire.parse_query(data)
