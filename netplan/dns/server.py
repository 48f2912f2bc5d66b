"""The DNS server: one asyncio process answering every listener from one set of zones.

Lifecycle: `Server(...)`, then `await server.serve(run_root)`: it opens the control socket and
runs until a `stop` request or SIGTERM, then closes every listener and removes the socket.
Listeners come and go through the control protocol (see `protocol`).

Scoping: a listener is bound to a view (a list of networks), so the question "which networks
does this client see?" is answered by where the query arrived, never by a source address a
client could choose. The engine gives each container its own listener on 127.0.0.11:53 inside
the container's network namespace (Docker's address, so images that expect it work); the
server is in the host's namespace, so it forwards from there and can reach loopback resolvers
such as systemd-resolved's 127.0.0.53. Tests and benchmarks listen on 127.0.0.1 with a view.

Answers carry TTL 0 by default: an address changes when a container is recreated, and the
server has the new one within a control round trip; a cache in the container must not keep
the old one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netplan.dns import forward as fwd
from netplan.dns import netns, protocol, wire
from netplan.dns.records import Zones

IP_FREEBIND, IPV6_FREEBIND = 15, 78  # bind before the address is up (linux/in.h, linux/in6.h)
TCP_IDLE = 10.0  # seconds a TCP client may sit between (or inside) queries
MAX_TCP = 128  # open TCP client connections; more are closed at once
MAX_FORWARDS = 256  # queries waiting on an upstream; more are dropped (the client retries)


@dataclass
class View:
    """What one listener answers from; updated in place by a repeated `listen`."""

    networks: tuple[str, ...]
    upstreams: tuple[fwd.Upstream, ...] | None = None


@dataclass
class Listener:
    """One container's 127.0.0.11 listener and the networks it answers for."""

    where: tuple[str | None, str, int]
    view: View
    udp: asyncio.DatagramTransport
    tcp: asyncio.Server


@dataclass
class Server:
    """The DNS server's listeners and zones."""

    upstreams: tuple[fwd.Upstream, ...]
    timeout: float = 2.0
    ttl: int = 0
    zones: Zones = field(default_factory=Zones)
    listeners: dict[str, Listener] = field(default_factory=dict)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _tcp_clients: int = 0
    _stopping: asyncio.Event | None = None

    # -- answering -------------------------------------------------------------------------

    def respond(self, data: bytes, view: View, *, tcp: bool) -> bytes | wire.Query | None:
        """The answer to `data`: bytes to send, a Query to forward, or None to stay silent."""
        try:
            query = wire.parse_query(data)
        except wire.Malformed as bad:
            return None if bad.rcode is None else wire.error_for(data, bad.rcode)
        if query.qclass != wire.CLASS_IN:
            return query
        found = self.zones.lookup(view.networks, query.name, query.qtype)
        if not found.ours:
            return query
        if found.ptr is not None:
            records = [wire.address_rr(wire.PTR, wire.encode_name(found.ptr), self.ttl)]
        else:
            records = [wire.address_rr(wire.A if a.version == 4 else wire.AAAA, a.packed, self.ttl)
                       for a in found.addresses]
        rcode = wire.NOERROR if records or self._has_name(view, query) else wire.NXDOMAIN
        return wire.answer(query, rcode, records, limit=65535 if tcp else query.udp_size)

    def _has_name(self, view: View, query: wire.Query) -> bool:
        """NODATA (the name exists with other types) rather than NXDOMAIN."""
        if query.qtype == wire.PTR:
            return False
        return bool(self.zones.lookup(view.networks, query.name, wire.ANY).addresses)

    async def resolve_foreign(self, data: bytes, query: wire.Query, view: View, *, tcp: bool) -> bytes:
        upstreams = self.upstreams if view.upstreams is None else view.upstreams
        got = await fwd.forward(data, query, upstreams, self.timeout, tcp=tcp)
        return got if got is not None else wire.header_only(query, wire.SERVFAIL)

    def spawn_forward(self, data: bytes, query: wire.Query, view: View, reply: Any) -> None:
        if len(self._tasks) >= MAX_FORWARDS:
            return

        async def run() -> None:
            reply(await self.resolve_foreign(data, query, view, tcp=False))

        task = asyncio.get_running_loop().create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def tcp_client(self, view: View, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._tcp_clients += 1
        try:
            while self._tcp_clients <= MAX_TCP:
                (length,) = struct.unpack("!H", await asyncio.wait_for(reader.readexactly(2), TCP_IDLE))
                data = await asyncio.wait_for(reader.readexactly(length), TCP_IDLE)
                out = self.respond(data, view, tcp=True)
                if isinstance(out, wire.Query):
                    out = await self.resolve_foreign(data, out, view, tcp=True)
                if out is None:
                    break
                writer.write(struct.pack("!H", len(out)) + out)
                await writer.drain()
        except (OSError, TimeoutError, asyncio.IncompleteReadError):
            pass
        finally:
            self._tcp_clients -= 1
            writer.close()

    # -- listeners -------------------------------------------------------------------------

    async def listen(self, key: str, where: tuple[str | None, str, int], view: View) -> int:
        """Answer on `where` = (netns file or None, address, port) from `view`; returns the port."""
        old = self.listeners.get(key)
        if old is not None and (old.where == where or (where[2] == 0 and old.where[:2] == where[:2])):
            old.view.networks = view.networks
            if view.upstreams is not None:       # a listener keeps its own upstreams unless given new ones
                old.view.upstreams = view.upstreams
            return old.where[2]
        self.unlisten(key)
        udp_sock, tcp_sock = netns.inside(where[0], lambda: _bound_pair(where[1], where[2]))
        loop = asyncio.get_running_loop()
        udp, _ = await loop.create_datagram_endpoint(lambda: _Udp(self, view), sock=udp_sock)
        tcp = await asyncio.start_server(lambda r, w: self.tcp_client(view, r, w), sock=tcp_sock)
        port = udp_sock.getsockname()[1]
        self.listeners[key] = Listener((where[0], where[1], port), view, udp, tcp)
        return port

    def unlisten(self, key: str) -> None:
        listener = self.listeners.pop(key, None)
        if listener is not None:
            listener.udp.close()
            listener.tcp.close()

    # -- the process -----------------------------------------------------------------------

    async def serve(self, run_root: str | Path) -> None:
        from netplan.dns.control import handle_line

        path = protocol.socket_path(run_root)
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        self._stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self._stopping.set)

        async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                while line := await reader.readline():
                    writer.write(json.dumps(await handle_line(self, line)).encode() + b"\n")
                    await writer.drain()
            except (OSError, ValueError):  # ValueError: a line over the limit
                pass
            finally:
                writer.close()

        control = await asyncio.start_unix_server(client, path=str(path), limit=protocol.MAX_LINE)
        os.chmod(path, 0o600)
        try:
            await self._stopping.wait()
        finally:
            control.close()
            for key in list(self.listeners):
                self.unlisten(key)
            for task in list(self._tasks):
                task.cancel()
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    def stop(self) -> None:
        if self._stopping is not None:
            self._stopping.set()


class _Udp(asyncio.DatagramProtocol):
    def __init__(self, server: Server, view: View):
        self.server, self.view = server, view
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: Any) -> None:
        out = self.server.respond(data, self.view, tcp=False)
        if isinstance(out, bytes):
            self.transport.sendto(out, addr)  # type: ignore[union-attr]
        elif out is not None:
            transport = self.transport
            self.server.spawn_forward(data, out, self.view,
                                      lambda answer: transport.is_closing() or transport.sendto(answer, addr))

    def error_received(self, exc: Exception) -> None:  # an ICMP error for an earlier answer: nothing to do
        pass


def _bound_pair(address: str, port: int) -> tuple[socket.socket, socket.socket]:
    """A UDP and a TCP socket on one address and port (port 0: the same free port for both)."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    for _ in range(20):
        udp = socket.socket(family, socket.SOCK_DGRAM)
        tcp = socket.socket(family, socket.SOCK_STREAM)
        try:
            for sock in (udp, tcp):
                if family == socket.AF_INET:
                    sock.setsockopt(socket.SOL_IP, IP_FREEBIND, 1)
                else:
                    sock.setsockopt(socket.SOL_IPV6, IPV6_FREEBIND, 1)
            tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            udp.bind((address, port))
            tcp.bind((address, udp.getsockname()[1]))
            tcp.listen(64)
            udp.setblocking(False)
            tcp.setblocking(False)
            return udp, tcp
        except OSError:
            udp.close()
            tcp.close()
            if port != 0:
                raise
    raise OSError(f"no port free for both UDP and TCP on {address}")
