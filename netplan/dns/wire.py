"""DNS messages on the wire (RFC 1035 section 4, EDNS0 from RFC 6891): just what a stub-facing server needs.

The server reads a query's header and its one question, and writes answers that point back at
the question's name (compression pointer 0xC00C). Everything else in a query is carried through
untouched: a forwarded query goes out byte for byte with only its ID changed.

Hand-written rather than dnspython: parsing a query and building an answer here is a slice and
a few `struct.pack`s, about ten times faster per query than building dnspython message objects,
and it keeps the server free of a dependency it would use 5% of (see bench/dns_bench.py).

    >>> q = parse_query(bytes.fromhex("abcd01000001000000000000") + encode_name("web") + b"\\0\\1\\0\\1")
    >>> (q.name, q.qtype)
    ('web', 1)
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

A, NS, CNAME, PTR, AAAA, OPT, ANY = 1, 2, 5, 12, 28, 41, 255
NOERROR, FORMERR, SERVFAIL, NXDOMAIN, NOTIMP, REFUSED = 0, 1, 2, 3, 4, 5
CLASS_IN = 1
HEADER = struct.Struct("!HHHHHH")
RR_FIXED = struct.Struct("!HHIH")
MAX_UDP = 4096  # the largest UDP answer we write, whatever a client advertises
OUR_EDNS_SIZE = 1232  # advertised in our OPT record (the DNS flag day 2020 figure)

_QR, _AA, _TC, _RD, _RA = 0x8000, 0x0400, 0x0200, 0x0100, 0x0080


class Malformed(ValueError):
    """A query we cannot answer as asked; `rcode` is what to say, or None to say nothing."""

    def __init__(self, reason: str, rcode: int | None):
        super().__init__(reason)
        self.rcode = rcode


@dataclass(frozen=True, slots=True)
class Query:
    """One parsed query. `name` is lower case without the final dot; `question` is the raw section."""

    id: int
    flags: int
    name: str
    qtype: int
    qclass: int
    question: bytes
    udp_size: int = 512
    edns: bool = False


def encode_name(name: str) -> bytes:
    """`web.demo` -> b"\\x03web\\x04demo\\x00"; raises ValueError on an empty or over-long label."""
    out = bytearray()
    for label in name.rstrip(".").split(".") if name.strip(".") else []:
        raw = label.encode("ascii")
        if not 0 < len(raw) < 64:
            raise ValueError(f"label {label!r} of {name!r} is empty or longer than 63 bytes")
        out += bytes([len(raw)]) + raw
    out.append(0)
    if len(out) > 255:
        raise ValueError(f"name {name!r} is longer than 255 bytes")
    return bytes(out)


def _read_name(data: bytes, offset: int) -> tuple[str, int]:
    """A name in a question: plain labels only (a compression pointer there is malformed)."""
    labels = []
    total = 0
    while True:
        if offset >= len(data):
            raise Malformed("name runs past the end of the message", FORMERR)
        length = data[offset]
        if length == 0:
            return b".".join(labels).decode("latin-1").lower(), offset + 1
        if length > 63:
            raise Malformed("compressed or reserved label type in the question", FORMERR)
        total += length + 1
        if total > 254 or offset + 1 + length > len(data):
            raise Malformed("name is too long or truncated", FORMERR)
        labels.append(data[offset + 1:offset + 1 + length])
        offset += 1 + length


def parse_query(data: bytes) -> Query:
    """Parse a query; raise `Malformed` (with the rcode to answer, or None to drop it)."""
    if len(data) < HEADER.size:
        raise Malformed("shorter than a DNS header", None)
    ident, flags, qdcount, _an, _ns, arcount = HEADER.unpack_from(data)
    if flags & _QR:
        raise Malformed("a response, not a query", None)
    if (flags >> 11) & 0xF != 0:
        raise Malformed("opcode is not QUERY", NOTIMP)
    if qdcount != 1:
        raise Malformed(f"{qdcount} questions (one is supported)", FORMERR)
    name, end = _read_name(data, HEADER.size)
    if end + 4 > len(data):
        raise Malformed("question has no type and class", FORMERR)
    qtype, qclass = struct.unpack_from("!HH", data, end)
    question = data[HEADER.size:end + 4]
    udp_size, edns = _edns(data, end + 4, arcount)
    return Query(ident, flags, name, qtype, qclass, question, udp_size, edns)


def _edns(data: bytes, offset: int, arcount: int) -> tuple[int, bool]:
    """The client's UDP size from an OPT record right after the question (the usual place)."""
    if arcount < 1 or offset + 11 > len(data) or data[offset] != 0:
        return 512, False
    rtype, rclass = struct.unpack_from("!HH", data, offset + 1)
    if rtype != OPT:
        return 512, False
    return min(max(rclass, 512), MAX_UDP), True


def header_only(query: Query, rcode: int) -> bytes:
    """An answer with no records: NXDOMAIN, SERVFAIL, NODATA (NOERROR), REFUSED."""
    return answer(query, rcode, [], limit=MAX_UDP)


def error_for(data: bytes, rcode: int) -> bytes | None:
    """A header-only error for a query that did not parse: its ID and flags echoed, no question."""
    if len(data) < HEADER.size:
        return None
    ident, flags = struct.unpack_from("!HH", data)
    return HEADER.pack(ident, _QR | (flags & (_RD | 0x7800)) | _RA | rcode, 0, 0, 0, 0)


def address_rr(rtype: int, rdata: bytes, ttl: int) -> bytes:
    """A record owned by the question's name (pointer to offset 12)."""
    return b"\xc0\x0c" + RR_FIXED.pack(rtype, CLASS_IN, ttl, len(rdata)) + rdata


def answer(query: Query, rcode: int, records: list[bytes], *, limit: int) -> bytes:
    """The response: header, the question as asked, as many records as fit in `limit` (else TC)."""
    opt = b"\x00" + RR_FIXED.pack(OPT, OUR_EDNS_SIZE, 0, 0) if query.edns else b""
    room = limit - HEADER.size - len(query.question) - len(opt)
    kept: list[bytes] = []
    for record in records:
        room -= len(record)
        if room < 0:
            break
        kept.append(record)
    flags = _QR | _AA | _RA | (query.flags & _RD) | rcode | (_TC if len(kept) < len(records) else 0)
    head = HEADER.pack(query.id, flags, 1, len(kept), 0, 1 if opt else 0)
    return b"".join([head, query.question, *kept, opt])


def with_id(message: bytes, ident: int) -> bytes:
    """The same message under another ID (forwarding rewrites it both ways)."""
    return struct.pack("!H", ident) + message[2:]


def response_matches(message: bytes, ident: int, question: bytes) -> bool:
    """Is `message` the upstream's response to our forwarded query (same ID, QR set, same question)?"""
    if len(message) < HEADER.size + len(question):
        return False
    got_id, flags = struct.unpack_from("!HH", message)
    asked = message[HEADER.size:HEADER.size + len(question)]
    return got_id == ident and bool(flags & _QR) and asked.lower() == question.lower()
