"""UDP forwarding: one host socket per published port, one backend socket per client address.

A datagram from a new client address opens a flow: a socket connected to the container, so
that the container's replies come back to that socket and are sent on, from the published
port, to that client. A flow idle for `idle` seconds is closed (Docker's proxy waits 90 s);
beyond `MAX_FLOWS` the least recently used flow makes room. UDP has no backpressure: a
datagram that finds a full send buffer is dropped, as the network would.
"""

from __future__ import annotations

import contextlib
import socket
import time

from netplan.firewall.spec import PublishedPort
from netplan.proxy.loop import READ, Loop

DATAGRAMS_PER_EVENT = 64
MAX_FLOWS = 4096
IDLE = 90.0
_buffer = bytearray(65536)            # one process, one thread: every socket reads into the same buffer
_view = memoryview(_buffer)


class UdpListener:
    def __init__(self, port: PublishedPort, sock: socket.socket, loop: Loop, idle: float = IDLE) -> None:
        self.port = port
        self.sock = sock
        self.loop = loop
        self.idle = idle
        self.flows: dict[tuple[object, ...], Flow] = {}
        self.backend = (str(port.container_ip), port.container_port)
        self.family = socket.AF_INET6 if port.container_ip.version == 6 else socket.AF_INET
        loop.register(sock.fileno(), READ, self._on_datagram)

    def _on_datagram(self, events: int) -> None:
        now = time.monotonic()
        for _ in range(DATAGRAMS_PER_EVENT):
            try:
                n, client = self.sock.recvfrom_into(_buffer)
            except BlockingIOError:
                return
            except OSError:
                continue
            flow = self.flows.get(client) or self._open(client)
            if flow is None:
                continue
            flow.last = now
            with contextlib.suppress(OSError):  # a full buffer, or the container refused an earlier datagram
                flow.sock.send(_view[:n])

    def _open(self, client: tuple[object, ...]) -> Flow | None:
        if len(self.flows) >= MAX_FLOWS:
            min(self.flows.values(), key=lambda f: f.last).close()
        try:
            flow = Flow(self, client)
        except OSError:
            return None
        self.flows[client] = flow
        return flow

    def expire(self, now: float) -> None:
        for flow in [f for f in self.flows.values() if f.last + self.idle < now]:
            flow.close()

    def close(self) -> None:
        self.loop.unregister(self.sock.fileno())
        self.sock.close()
        for flow in list(self.flows.values()):
            flow.close()


class Flow:
    """Datagrams between one client address and the container."""

    __slots__ = ("listener", "client", "sock", "last")

    def __init__(self, listener: UdpListener, client: tuple[object, ...]) -> None:
        self.listener = listener
        self.client = client
        self.last = time.monotonic()
        self.sock = socket.socket(listener.family, socket.SOCK_DGRAM | socket.SOCK_NONBLOCK)
        try:
            self.sock.connect(listener.backend)
        except OSError:
            self.sock.close()
            raise
        listener.loop.register(self.sock.fileno(), READ, self._on_reply)

    def _on_reply(self, events: int) -> None:
        send, client = self.listener.sock.sendto, self.client
        for _ in range(DATAGRAMS_PER_EVENT):
            try:
                n = self.sock.recv_into(_buffer)
            except BlockingIOError:
                return
            except OSError:  # ECONNREFUSED: nothing listens on the container's port (yet)
                continue
            self.last = time.monotonic()
            with contextlib.suppress(OSError):
                send(_view[:n], client)

    def close(self) -> None:
        if self.listener.flows.pop(self.client, None) is self:
            self.listener.loop.unregister(self.sock.fileno())
            self.sock.close()
