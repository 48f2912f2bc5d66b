"""The control channel: a unix socket under the run root that speaks JSON lines.

One request per line, one response line per request, in order:

    -> {"op": "add", "mappings": [{"host_ip": "127.0.0.1", "host_port": 0, "protocol": "tcp",
                                   "container_ip": "10.5.0.3", "container_port": 80}]}
    <- {"ok": true, "mappings": [{"host_ip": "127.0.0.1", "host_port": 41873, ...}]}
    -> {"op": "remove", "mappings": [...]}      <- {"ok": true}
    -> {"op": "list"}                           <- {"ok": true, "mappings": [...]}
    -> {"op": "stats"}                          <- {"ok": true, "mappings": 1, "tcp_connections": 0, "udp_flows": 0}
    -> {"op": "stop"}                           <- {"ok": true}   (then the proxy exits)
    <- {"ok": false, "error": {"kind": "PortInUse", "message": "publish ...: port is already in use ...",
                               "hint": "..."}}

The socket is the proxy's only door: mode 0600 in a 0700 run root. A request line longer
than `MAX_LINE` closes the connection, so a peer cannot make the proxy hold unbounded input.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from typing import Any

from netplan.errors import NetplanError
from netplan.proxy.errors import ProxyFailed
from netplan.proxy.loop import READ, WRITE, Loop

MAX_LINE = 1 << 20
Handler = Callable[[dict[str, Any]], dict[str, Any]]


def answer(handle: Handler, line: bytes) -> bytes:
    """The response line to one request line; every failure becomes an error response."""
    try:
        request = json.loads(line)
        if not isinstance(request, dict):
            raise ProxyFailed("read control request: it is not a JSON object")
        response = {"ok": True, **handle(request)}
    except NetplanError as error:
        response = {"ok": False, "error": {"kind": type(error).__name__, "message": error.message,
                                           "hint": error.hint}}
    except ValueError as error:
        response = {"ok": False, "error": {"kind": "ProxyFailed", "message": f"read control request: {error}",
                                           "hint": None}}
    return json.dumps(response).encode() + b"\n"


class ControlServer:
    def __init__(self, sock: socket.socket, loop: Loop, handle: Handler) -> None:
        self.sock = sock
        self.loop = loop
        self.handle = handle
        self.peers: set[_Peer] = set()
        sock.setblocking(False)
        loop.register(sock.fileno(), READ, self._on_accept)

    def _on_accept(self, events: int) -> None:
        try:
            peer, _ = self.sock.accept()
        except OSError:
            return
        self.peers.add(_Peer(self, peer))

    def close(self) -> None:
        for peer in list(self.peers):
            peer.close()
        self.loop.unregister(self.sock.fileno())
        self.sock.close()


class _Peer:
    def __init__(self, server: ControlServer, sock: socket.socket) -> None:
        self.server = server
        self.sock = sock
        self.inbox = bytearray()
        self.outbox = bytearray()
        sock.setblocking(False)
        server.loop.register(sock.fileno(), READ, self._on_event)

    def _on_event(self, events: int) -> None:
        if events & READ:
            try:
                data = self.sock.recv(65536)
            except BlockingIOError:
                data = None
            except OSError:
                data = b""
            if data == b"" or len(self.inbox) > MAX_LINE:
                self.close()
                return
            if data:
                self.inbox += data
            while b"\n" in self.inbox:
                line, _, rest = bytes(self.inbox).partition(b"\n")
                self.inbox = bytearray(rest)
                self.outbox += answer(self.server.handle, line)
        self._flush()

    def _flush(self) -> None:
        if self.outbox:
            try:
                del self.outbox[:self.sock.send(self.outbox)]
            except BlockingIOError:
                pass
            except OSError:
                self.close()
                return
        self.server.loop.modify(self.sock.fileno(), READ | (WRITE if self.outbox else 0))

    def close(self) -> None:
        if self in self.server.peers:
            self.server.peers.discard(self)
            self.server.loop.unregister(self.sock.fileno())
            self.sock.close()
