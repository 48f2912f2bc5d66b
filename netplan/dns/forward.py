"""Forward a query that is not ours to the upstream resolvers, and bring their answer back.

Each upstream is tried in turn with `timeout` seconds each, from a fresh socket (a random
source port) under a fresh random ID; only a response with that ID and the same question is
taken. UDP queries go out over UDP, TCP ones over TCP (a client that got TC retries on TCP).
No answer from any upstream -> None, and the caller answers SERVFAIL.
"""

from __future__ import annotations

import asyncio
import secrets
import socket
import struct
from collections.abc import Sequence
from ipaddress import ip_address

from netplan.dns import wire

Upstream = tuple[str, int]


def parse_upstream(text: str) -> Upstream:
    """`10.0.0.2`, `127.0.0.1:5353`, `::1`, `[::1]:5353` -> (address, port); ValueError otherwise."""
    text = text.strip()
    host, port = text, 53
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = int(rest[1:]) if rest.startswith(":") else 53
    elif text.count(":") == 1:
        host, _, tail = text.partition(":")
        port = int(tail)
    if not 0 < port < 65536:
        raise ValueError(f"port {port} out of range")
    return str(ip_address(host)), port


async def forward(message: bytes, query: wire.Query, upstreams: Sequence[Upstream], timeout: float,
                  *, tcp: bool) -> bytes | None:
    """The upstream's response to `message`, under the client's ID again; None when none answered."""
    for upstream in upstreams:
        ident = secrets.randbits(16)
        try:
            ask = _ask_tcp if tcp else _ask_udp
            got = await asyncio.wait_for(ask(wire.with_id(message, ident), ident, query, upstream), timeout)
        except (OSError, TimeoutError, asyncio.IncompleteReadError):
            continue
        return wire.with_id(got, query.id)
    return None


async def _ask_udp(message: bytes, ident: int, query: wire.Query, upstream: Upstream) -> bytes:
    loop = asyncio.get_running_loop()
    family = socket.AF_INET6 if ":" in upstream[0] else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.setblocking(False)
        sock.connect(upstream)
        await loop.sock_sendall(sock, message)
        while True:
            got = await loop.sock_recv(sock, 65535)
            if wire.response_matches(got, ident, query.question):
                return got


async def _ask_tcp(message: bytes, ident: int, query: wire.Query, upstream: Upstream) -> bytes:
    reader, writer = await asyncio.open_connection(*upstream)
    try:
        writer.write(struct.pack("!H", len(message)) + message)
        await writer.drain()
        (length,) = struct.unpack("!H", await reader.readexactly(2))
        got = await reader.readexactly(length)
        if not wire.response_matches(got, ident, query.question):
            raise OSError("upstream answered another question")
        return got
    finally:
        writer.close()
