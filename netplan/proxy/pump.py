"""One direction of a proxied TCP connection: bytes from `src` to `dst`, without blocking.

Two implementations with one interface. `SplicePump` moves bytes socket -> pipe -> socket
with splice(2), so they never enter user space; `CopyPump` uses recv_into/send through a
buffer allocated once. Either holds at most one pipe (or buffer) of unsent bytes: while
`pending` is non-zero and `dst` will take no more, the connection stops reading `src`, and
the sender feels TCP's own backpressure.

Lifecycle: `pump()` on events until `done` (src said EOF and everything reached dst; the
owner then shuts dst down for writing); `release()` hands the pipe or buffer back.
"""

from __future__ import annotations

import fcntl
import os
import socket

ROUNDS = 8                          # moves per event: bounded, so no connection starves the others
PIPE_SIZE = 1 << 20                 # bytes in flight per direction (the default pipe-max-size); 256 KiB moves
                                    # 20% fewer MB/s for 40% more CPU per GB (bench/proxy_bench.py)
BUFFER_SIZE = 128 * 1024
HAS_SPLICE = hasattr(os, "splice")
_SPLICE_FLAGS = (os.SPLICE_F_MOVE | os.SPLICE_F_NONBLOCK) if HAS_SPLICE else 0
_F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)
_F_GETPIPE_SZ = getattr(fcntl, "F_GETPIPE_SZ", 1032)


class PipePool:
    """Empty pipes kept for the next connections: creating and sizing one costs three syscalls."""

    def __init__(self, keep: int = 256) -> None:
        self._free: list[tuple[int, int, int]] = []
        self._keep = keep

    def get(self) -> tuple[int, int, int]:
        """(read end, write end, capacity in bytes)."""
        if self._free:
            return self._free.pop()
        read, write = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        try:
            size = fcntl.fcntl(write, _F_SETPIPE_SZ, PIPE_SIZE)
        except OSError:  # EPERM past the user's pipe pages (without CAP_SYS_RESOURCE): keep what we have
            size = fcntl.fcntl(write, _F_GETPIPE_SZ)
        return read, write, size

    def put(self, pipe: tuple[int, int, int], empty: bool) -> None:
        if empty and len(self._free) < self._keep:
            self._free.append(pipe)
        else:
            os.close(pipe[0])
            os.close(pipe[1])

    def close(self) -> None:
        while self._free:
            self.put(self._free.pop(), empty=False)


class SplicePump:
    __slots__ = ("src", "dst", "pending", "eof", "shut", "_pipe", "_pool", "_capacity")

    def __init__(self, src: socket.socket, dst: socket.socket, pool: PipePool) -> None:
        self.src, self.dst = src.fileno(), dst.fileno()
        self.pending = 0
        self.eof = False
        self.shut = False  # the owner has passed the EOF on to dst
        self._pool = pool
        self._pipe = pool.get()
        self._capacity = self._pipe[2]

    @property
    def done(self) -> bool:
        return self.eof and not self.pending

    def pump(self) -> None:
        """Move what can be moved now; raises OSError when either socket failed (reset, broken)."""
        splice, read_end, write_end, src, dst = os.splice, self._pipe[0], self._pipe[1], self.src, self.dst
        for _ in range(ROUNDS):
            moved = False
            if not self.eof and self.pending < self._capacity:
                try:
                    n = splice(src, write_end, self._capacity - self.pending, flags=_SPLICE_FLAGS)
                except BlockingIOError:  # nothing to read, or the pipe is full
                    n = -1
                if n == 0:
                    self.eof = True
                elif n > 0:
                    self.pending += n
                    moved = True
            if self.pending:
                try:
                    self.pending -= splice(read_end, dst, self.pending, flags=_SPLICE_FLAGS)
                    moved = True
                except BlockingIOError:  # dst's send buffer is full: wait for it to drain
                    return
            if not moved:
                return

    def release(self) -> None:
        if self._pipe[0] >= 0:
            self._pool.put(self._pipe, empty=not self.pending)
            self._pipe = (-1, -1, 0)


class CopyPump:
    __slots__ = ("src", "dst", "eof", "shut", "_buffer", "_view", "_start", "_end")

    def __init__(self, src: socket.socket, dst: socket.socket, pool: PipePool | None = None) -> None:
        self.src, self.dst = src, dst
        self.eof = False
        self.shut = False  # the owner has passed the EOF on to dst
        self._buffer = bytearray(BUFFER_SIZE)
        self._view = memoryview(self._buffer)
        self._start = self._end = 0

    @property
    def pending(self) -> int:
        return self._end - self._start

    @property
    def done(self) -> bool:
        return self.eof and self._start == self._end

    def pump(self) -> None:
        for _ in range(ROUNDS):
            if self._start == self._end and not self.eof:
                try:
                    n = self.src.recv_into(self._buffer)
                except BlockingIOError:
                    return
                if n == 0:
                    self.eof = True
                    return
                self._start, self._end = 0, n
            if self._start == self._end:
                return
            try:
                self._start += self.dst.send(self._view[self._start:self._end])
            except BlockingIOError:
                return

    def release(self) -> None:
        self._view.release()
