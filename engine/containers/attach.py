"""The client's side of attaching: a connection to a container's stdio through its supervisor, and its frames.

    conn = attach.open(svc, "web", stdin=True)    # before or after the container starts
    conn.tty                                      # raw pty bytes both ways, else stdcopy frames from it
    for stream, data in conn.demux.feed(conn.sock.recv(65536)): ...
    conn.end_input()                              # our input has ended (stdin_once closes the container's)

The container's output flows until it exits; then the supervisor closes the connection
(engine.supervisor.attach has the protocol). `Demux` reads Docker's stdcopy frames.
"""

from __future__ import annotations

import contextlib
import socket
import struct
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from engine.containers.errors import ContainerBusy

if TYPE_CHECKING:
    from engine.containers.service import ContainerService
    from engine.state import ContainerRecord

HEADER = struct.Struct(">BxxxI")
STREAMS = {1: "stdout", 2: "stderr"}


class Demux:
    """Docker's stdcopy frames in, (stream, payload) out; a frame cut across reads waits for its rest."""

    def __init__(self) -> None:
        self.buffer = bytearray()

    def feed(self, data: bytes) -> list[tuple[str, bytes]]:
        self.buffer += data
        out = []
        while len(self.buffer) >= HEADER.size:
            kind, size = HEADER.unpack_from(self.buffer)
            if len(self.buffer) < HEADER.size + size:
                break
            payload = bytes(self.buffer[HEADER.size:HEADER.size + size])
            del self.buffer[:HEADER.size + size]
            out.append((STREAMS.get(kind, "stdout"), payload))
        return out


@dataclass
class Connection:
    """A client attached to a container's stdio through its supervisor."""

    sock: socket.socket
    tty: bool
    stdin: bool  # our input reaches the container
    demux: Demux = field(default_factory=Demux)

    def end_input(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        self.sock.close()


def check_attachable(record: ContainerRecord) -> None:
    """Docker's refusals of `attach` (the CLI's): a container that does not run, is paused or restarting."""
    if record.state == "paused":
        raise ContainerBusy("cannot attach to a paused container, unpause it first")
    if record.state == "restarting":
        raise ContainerBusy("cannot attach to a restarting container, wait until it is running")
    if record.state != "running":
        raise ContainerBusy("cannot attach to a stopped container, start it first")


def open(svc: ContainerService, ref: str, stdin: bool = False) -> Connection:  # noqa: A001 - attach.open
    record = svc.store.get(ref)
    sock, answer = svc.supervisor.attach(record.id, stdin=stdin)
    return Connection(sock, bool(answer.get("tty")), bool(answer.get("stdin")))
