"""TCP forwarding: a listener per published port, and a `Connection` per accepted client.

A connection's life: accepted -> connecting (a non-blocking connect to the container) ->
open (two pumps, client->backend and backend->client) -> closed. Each direction ends on
its own: EOF from one side becomes shutdown(SHUT_WR) on the other, so half-closed
protocols work. A backend that refuses (or does not answer within `CONNECT_TIMEOUT`), and
any reset, end the connection with a reset to the other side, as a direct connection would.
"""

from __future__ import annotations

import contextlib
import errno
import socket
import struct
import time

from netplan.firewall.spec import PublishedPort
from netplan.proxy.loop import ERROR, FAILED, READ, WRITE, Loop
from netplan.proxy.pump import CopyPump, PipePool, SplicePump

ACCEPTS_PER_EVENT = 64
CONNECT_TIMEOUT = 10.0
_LINGER_RESET = struct.pack("ii", 1, 0)
_ESTABLISHED = 1  # tcp_info.tcpi_state
_NONBLOCKING_STREAM = socket.SOCK_STREAM | socket.SOCK_NONBLOCK


class TcpListener:
    """Accepts on the host socket and opens a `Connection` to the container per client."""

    def __init__(self, port: PublishedPort, sock: socket.socket, loop: Loop, pool: PipePool | None) -> None:
        self.port = port
        self.sock = sock
        self.loop = loop
        self.pool = pool                               # None: copy through buffers instead of splicing
        self.connections: set[Connection] = set()
        self.backend = (str(port.container_ip), port.container_port)
        self.family = socket.AF_INET6 if port.container_ip.version == 6 else socket.AF_INET
        loop.register(sock.fileno(), READ, self._on_accept)

    def _on_accept(self, events: int) -> None:
        for _ in range(ACCEPTS_PER_EVENT):
            try:
                client, _ = self.sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:  # ECONNABORTED, EMFILE: the kernel drops this one, the next may do
                return
            Connection(self, client)

    def expire(self, now: float) -> None:
        for connection in [c for c in self.connections if c.connecting and c.started + CONNECT_TIMEOUT < now]:
            connection.abort()

    def close(self) -> None:
        """Stop listening and reset every connection through this port."""
        self.loop.unregister(self.sock.fileno())
        self.sock.close()
        for connection in list(self.connections):
            connection.abort()


class Connection:
    __slots__ = ("listener", "client", "backend", "connecting", "started", "up", "down", "_closed")

    def __init__(self, listener: TcpListener, client: socket.socket) -> None:
        self.listener = listener
        self.client = client
        self.up: SplicePump | CopyPump | None = None
        self.down: SplicePump | CopyPump | None = None
        self._closed = False
        self.connecting = True
        self.started = time.monotonic()
        client.setblocking(False)
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.backend = socket.socket(listener.family, _NONBLOCKING_STREAM)
        self.backend.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        listener.connections.add(self)
        error = self.backend.connect_ex(listener.backend)
        if error and error != errno.EINPROGRESS:  # ENETUNREACH and the like fail at once
            self.abort()
            return
        listener.loop.register(client.fileno(), 0, self._on_client)
        if self.backend.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 1)[0] == _ESTABLISHED:
            listener.loop.register(self.backend.fileno(), 0, self._on_connected)
            self._on_connected(WRITE)  # on loopback and veth the handshake is done when connect() returns
        else:
            listener.loop.register(self.backend.fileno(), WRITE, self._on_connected)

    def _on_connected(self, events: int) -> None:
        if self.backend.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
            self.abort()  # refused or unreachable: the client sees a reset, as it would from the container
            return
        self.connecting = False
        make = SplicePump if self.listener.pool is not None else CopyPump
        self.up = make(self.client, self.backend, self.listener.pool)
        self.down = make(self.backend, self.client, self.listener.pool)
        loop = self.listener.loop
        loop.modify(self.client.fileno(), READ)
        loop.modify(self.backend.fileno(), READ, self._on_backend)

    def _on_client(self, events: int) -> None:
        self._on_event(events, self.up, self.down)

    def _on_backend(self, events: int) -> None:
        self._on_event(events, self.down, self.up)

    def _on_event(self, events: int, reading: SplicePump | CopyPump, writing: SplicePump | CopyPump) -> None:
        """`reading` reads from the socket the event is about; `writing` writes to it."""
        try:
            if events & (READ | ERROR) and not reading.eof:
                reading.pump()
            if events & (WRITE | ERROR) and writing.pending:
                writing.pump()
        except OSError:
            self.abort()
            return
        if events & FAILED:
            self.abort()  # a socket error the pumps did not meet: nothing will clear it
            return
        self._settle()

    def _settle(self) -> None:
        up, down = self.up, self.down
        assert up is not None and down is not None
        for pump, dst in ((up, self.backend), (down, self.client)):
            if pump.done and not pump.shut:
                pump.shut = True
                with contextlib.suppress(OSError):
                    dst.shutdown(socket.SHUT_WR)  # pass the EOF on: the other direction may go on
        if up.shut and down.shut:
            self.close()
            return
        loop = self.listener.loop
        loop.modify(self.client.fileno(), (0 if up.eof or up.pending else READ) | (WRITE if down.pending else 0))
        loop.modify(self.backend.fileno(), (0 if down.eof or down.pending else READ) | (WRITE if up.pending else 0))

    def close(self, reset: bool = False) -> None:
        if self._closed:
            return
        self._closed = True
        loop = self.listener.loop
        for sock in (self.client, self.backend):
            if sock.fileno() >= 0:
                loop.unregister(sock.fileno())
                if reset:
                    with contextlib.suppress(OSError):
                        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_RESET)
                sock.close()
        for pump in (self.up, self.down):
            if pump is not None:
                pump.release()
        self.listener.connections.discard(self)

    def abort(self) -> None:
        """End the connection with a reset on both sides."""
        self.close(reset=True)

