"""Helpers for the DNS tests, written apart from `netplan.dns.wire` so they check it, not echo it.

`query()` builds a query by hand, `decode()` reads a response the long way (following
compression pointers), `ask_udp()`/`ask_tcp()` send one to 127.0.0.1, and `StubResolver` is
the upstream in tests: a thread on 127.0.0.1 answering every A query with 192.0.2.53.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from dataclasses import dataclass
from ipaddress import ip_address

STUB_ANSWER = "192.0.2.53"  # TEST-NET-1 (RFC 5737): never routed anywhere


def qname(name: str) -> bytes:
    return b"".join(bytes([len(label)]) + label.encode() for label in name.split(".") if label) + b"\0"


def query(name: str, qtype: int = 1, *, ident: int = 0x5A5A, edns: int | None = None) -> bytes:
    head = struct.pack("!HHHHHH", ident, 0x0100, 1, 0, 0, 1 if edns else 0)
    opt = b"\0" + struct.pack("!HHIH", 41, edns, 0, 0) if edns else b""
    return head + qname(name) + struct.pack("!HH", qtype, 1) + opt


def _name_at(data: bytes, offset: int) -> tuple[str, int]:
    labels, end = [], None
    for _ in range(128):
        length = data[offset]
        if length >= 0xC0:
            end = end or offset + 2
            offset = ((length & 0x3F) << 8) | data[offset + 1]
            continue
        if length == 0:
            return ".".join(labels), end or offset + 1
        labels.append(data[offset + 1:offset + 1 + length].decode())
        offset += 1 + length
    raise AssertionError("pointer loop")


@dataclass
class Reply:
    ident: int
    rcode: int
    tc: bool
    aa: bool
    question: str
    answers: list[tuple[str, int, int, str]]  # (owner, type, ttl, value)
    arcount: int


def decode(data: bytes) -> Reply:
    ident, flags, qd, an, _ns, ar = struct.unpack_from("!HHHHHH", data)
    assert flags & 0x8000, "not a response"
    offset, question = 12, ""
    for _ in range(qd):
        question, offset = _name_at(data, offset)
        offset += 4
    answers = []
    for _ in range(an):
        owner, offset = _name_at(data, offset)
        rtype, _cls, ttl, length = struct.unpack_from("!HHIH", data, offset)
        rdata = data[offset + 10:offset + 10 + length]
        value = str(ip_address(rdata)) if rtype in (1, 28) else _name_at(data, offset + 10)[0]
        answers.append((owner, rtype, ttl, value))
        offset += 10 + length
    return Reply(ident, flags & 0xF, bool(flags & 0x0200), bool(flags & 0x0400), question, answers, ar)


def addresses(reply: Reply) -> list[str]:
    return [value for _, rtype, _, value in reply.answers if rtype in (1, 28)]


def ask_udp(port: int, message: bytes, *, host: str = "127.0.0.1", timeout: float = 3.0) -> Reply:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.sendto(message, (host, port))
        return decode(sock.recv(65535))


def ask_tcp(port: int, message: bytes, *, host: str = "127.0.0.1", timeout: float = 3.0) -> Reply:
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(struct.pack("!H", len(message)) + message)
        data = b""
        while len(data) < 2 or len(data) < 2 + struct.unpack("!H", data[:2])[0]:
            chunk = sock.recv(65535)
            assert chunk, "connection closed before the answer"
            data += chunk
        return decode(data[2:])


def _recv_exact(conn: socket.socket, count: int) -> bytes:
    data = b""
    while len(data) < count:
        chunk = conn.recv(count - len(data))
        if not chunk:
            raise EOFError("peer closed")
        data += chunk
    return data


class StubResolver:
    """An upstream on 127.0.0.1 (UDP and TCP, one port): every A query gets 192.0.2.53, TTL 60."""

    def __init__(self) -> None:
        self.udp, self.tcp = self._bind_pair()
        self.port = self.udp.getsockname()[1]
        self.seen: list[str] = []
        self._threads = [threading.Thread(target=self._serve_udp, daemon=True),
                         threading.Thread(target=self._serve_tcp, daemon=True)]
        for thread in self._threads:
            thread.start()

    @staticmethod
    def _bind_pair() -> tuple[socket.socket, socket.socket]:
        """A UDP and a TCP socket on one free port: the port free for UDP may be taken for TCP, so try again."""
        for _ in range(50):
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                udp.bind(("127.0.0.1", 0))
                tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                tcp.bind(("127.0.0.1", udp.getsockname()[1]))
                tcp.listen(8)
                return udp, tcp
            except OSError:
                udp.close()
                tcp.close()
        raise OSError("no port on 127.0.0.1 free for both UDP and TCP")

    @staticmethod
    def reply_to(message: bytes) -> bytes:
        ident, flags = struct.unpack_from("!HH", message)
        end = 12 + len(qname(_name_at(message, 12)[0]))
        question = message[12:end + 4]
        record = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + ip_address(STUB_ANSWER).packed
        return struct.pack("!HHHHHH", ident, 0x8180 | (flags & 0x0100), 1, 1, 0, 0) + question + record

    def _serve_udp(self) -> None:
        while True:
            try:
                message, peer = self.udp.recvfrom(65535)
            except OSError:
                return
            if len(message) < 12:  # shutdown() wakes recvfrom with nothing
                return
            self.seen.append(_name_at(message, 12)[0])
            self.udp.sendto(self.reply_to(message), peer)

    def _serve_tcp(self) -> None:
        while True:
            try:
                conn, _ = self.tcp.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(3)
                try:
                    length = struct.unpack("!H", _recv_exact(conn, 2))[0]
                    message = _recv_exact(conn, length)
                    self.seen.append("tcp:" + _name_at(message, 12)[0])
                    answer = self.reply_to(message)
                    conn.sendall(struct.pack("!H", len(answer)) + answer)
                except (OSError, EOFError):
                    continue

    def close(self) -> None:
        for sock in (self.udp, self.tcp):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        for thread in self._threads:
            thread.join(timeout=2)


def test_the_helpers_read_what_they_write():
    stub = StubResolver()
    try:
        reply = ask_udp(stub.port, query("example.org"))
        assert (reply.question, addresses(reply), reply.rcode) == ("example.org", [STUB_ANSWER], 0)
        assert addresses(ask_tcp(stub.port, query("example.org"))) == [STUB_ANSWER]
        assert stub.seen == ["example.org", "tcp:example.org"]
    finally:
        stub.close()
