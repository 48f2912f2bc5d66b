"""Clients attached to a container, on the daemon's loop: its output pushed to them, their input passed to it.

After the answer line of an `attach` request, the connection carries bytes both ways:

    with a terminal   daemon -> client: the pty's output as it comes
                      client -> daemon: bytes for the pty (keys, Ctrl-C as \\x03: the pty's line
                      discipline turns it into SIGINT)
    without one       daemon -> client: frames of Docker's stdcopy format, an 8-byte header (the
                      stream, 1 stdout or 2 stderr; three zero bytes; the payload's length, 32-bit
                      big-endian) and the payload
                      client -> daemon: bytes for the process's stdin; the end of the client's
                      input (it shuts down its writing half) closes that stdin when the container
                      has `stdin_once`

The daemon closes the connection once the container has exited and what it wrote has
been sent (or at once if the container is not running and never starts). Many clients
may attach to one container; each gets all of its output, and their input is mixed.
As with Docker, a client that reads slowly slows the container: once BACKLOG bytes wait
for one, the container's output is no longer read (its writes block when the pipe or
pty is full) until that client has caught up; nothing is lost, for it or for the log.

Nothing here exists for a container nobody is attached to, except its Input (the
pty's master or the write end of its stdin FIFO) while it has one.
"""

from __future__ import annotations

import contextlib
import os
import socket
import struct
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.supervisor.loop import Loop

STREAMS = {"stdout": 1, "stderr": 2}
BACKLOG = 1 << 20          # bytes waiting for one client before the container's output is held back
MAX_INPUT = 1 << 20        # bytes waiting for the container before the clients' input is no longer read
READ_SIZE = 1 << 16


def frame(stream: str, data: bytes) -> bytes:
    """One stdcopy frame: the 8-byte header, then `data`."""
    return struct.pack(">BxxxI", STREAMS[stream], len(data)) + data


class Input:
    """The container's input end (a pty master or its stdin FIFO), written without blocking the loop."""

    def __init__(self, loop: Loop, fd: int, on_drained: Callable[[], None]):
        self.loop, self.fd, self.on_drained = loop, fd, on_drained
        self.pending = bytearray()
        os.set_blocking(fd, False)

    def full(self) -> bool:
        return len(self.pending) >= MAX_INPUT

    def write(self, data: bytes) -> None:
        if self.fd < 0:
            return
        if self.pending:
            self.pending += data
            return
        self.pending += data
        self._flush()

    def _flush(self) -> None:
        while self.pending and self.fd >= 0:
            try:
                sent = os.write(self.fd, self.pending)
            except BlockingIOError:
                if not self.loop.has_writer(self.fd):
                    self.loop.add_writer(self.fd, self._flush)
                return
            except OSError:  # the process is gone (EIO on a pty whose slave closed, EPIPE)
                self.pending.clear()
                break
            del self.pending[:sent]
        if self.fd >= 0 and self.loop.has_writer(self.fd):
            self.loop.remove_writer(self.fd)
        self.on_drained()

    def close(self) -> None:
        """Stop writing (the descriptor is its owner's to close)."""
        if self.fd >= 0 and self.loop.has_writer(self.fd):
            self.loop.remove_writer(self.fd)
        self.fd = -1
        self.pending.clear()


class Attachment:
    """One attached client's connection."""

    def __init__(self, loop: Loop, sock: socket.socket, tty: bool, stdin: Callable[[], Input | None] | None,
                 on_input_end: Callable[[Attachment], None], on_gone: Callable[[Attachment], None],
                 on_backlog: Callable[[], None]):
        """`stdin`: where the client's input goes now (the container's Input, which changes across
        restarts), or None when the client does not write to the container; `on_backlog()` when the
        client's backlog crosses BACKLOG (either way)."""
        self.loop, self.sock, self.tty, self.stdin = loop, sock, tty, stdin
        self.on_input_end, self.on_gone, self.on_backlog = on_input_end, on_gone, on_backlog
        self.fd = sock.fileno()
        self.out = bytearray()
        self.reading = True
        self.finishing = False
        sock.setblocking(False)
        loop.add_reader(self.fd, self.readable)

    # -- input from the client ----------------------------------------------------------
    def readable(self) -> None:
        target = self.stdin() if self.stdin is not None else None
        if target is not None and target.full():
            self.pause()  # resumed once the container has read some of it
            return
        try:
            data = self.sock.recv(READ_SIZE)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if data:
            self.received(data)
            return
        self.pause()
        self.reading = False
        if self.tty or self.stdin is None:  # no half-close in these modes: the client has gone
            self.close()
        else:
            self.on_input_end(self)

    def received(self, data: bytes) -> None:
        target = self.stdin() if self.stdin is not None else None
        if target is not None:
            target.write(data)  # before the process runs (no pty yet), a tty's input is dropped

    def pause(self) -> None:
        if self.fd >= 0 and self.loop.has_reader(self.fd):
            self.loop.remove_reader(self.fd)

    def resume(self) -> None:
        if self.reading and self.fd >= 0 and not self.loop.has_reader(self.fd):
            self.loop.add_reader(self.fd, self.readable)

    # -- output to the client -----------------------------------------------------------
    def send(self, stream: str, data: bytes) -> None:
        if self.fd < 0 or not data:
            return
        behind = self.behind()
        self.out += data if self.tty else frame(stream, data)
        self.writable()
        if self.fd >= 0 and self.behind() != behind:
            self.on_backlog()

    def behind(self) -> bool:
        return len(self.out) >= BACKLOG

    def writable(self) -> None:
        behind = self.behind()
        while self.out and self.fd >= 0:
            try:
                sent = self.sock.send(self.out)
            except BlockingIOError:
                if not self.loop.has_writer(self.fd):
                    self.loop.add_writer(self.fd, self.writable)
                return self._caught_up(behind)
            except OSError:
                self.close()
                return
            del self.out[:sent]
        if self.fd >= 0 and self.loop.has_writer(self.fd):
            self.loop.remove_writer(self.fd)
        if self.finishing:
            self.close()
            return
        self._caught_up(behind)

    def _caught_up(self, was_behind: bool) -> None:
        if was_behind and not self.behind():
            self.on_backlog()

    def finish(self) -> None:
        """The container has exited: close once everything queued has been sent."""
        self.finishing = True
        self.pause()
        self.reading = False
        self.writable()

    def close(self) -> None:
        if self.fd < 0:
            return
        self.pause()
        if self.loop.has_writer(self.fd):
            self.loop.remove_writer(self.fd)
        self.fd = -1
        self.out.clear()
        with contextlib.suppress(OSError):
            self.sock.close()
        self.on_gone(self)
