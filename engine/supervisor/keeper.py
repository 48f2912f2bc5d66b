"""A keeper: a process holding a container's terminal (its pty's master) or stdin (the writing end of its FIFO)
open, so that neither ends when the supervisor does.

Without one, the supervisor's death closes the last master of a container's pty (its processes get SIGHUP
and most die with it) or the last writer of its stdin (it reads its end of input): killing the supervisor
would kill interactive containers, which DESIGN.md forbids. A keeper is the host's `sleep`, exec'd with
argv[0] `pycompose-keeper` (no Python stays resident: about 0.1 MB of PSS) and the descriptor at 3, in a
session of its own; only containers with a tty or an open stdin have one. Its pid and start time are in
`<run root>/containers/<id>/keeper`. The next supervisor takes a copy of the descriptor back
(`retrieve`: pidfd_getfd, from a short-lived child, so that ctypes never weighs on the daemon), and
whoever ends the terminal or the stdin for good ends the keeper (`release`).

    keeper = Keeper.start(directory, master, "terminal")      # the daemon reaps it (loop.watch_child)
    keeper = Keeper.load(directory)                          # after a restart of the daemon
    fd = keeper.retrieve() if keeper else None
    keeper.release()
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket

from engine.state import liveness

FILE = "keeper"
FOREVER = "2147483647"  # seconds: GNU's and busybox's sleep both take it
SYS_PIDFD_GETFD = 438   # the same number on every architecture


class Keeper:
    __slots__ = ("path", "pid", "started", "kind")

    def __init__(self, path: str, pid: int, started: int, kind: str):
        self.path, self.pid, self.started, self.kind = path, pid, started, kind

    @classmethod
    def start(cls, directory: str, fd: int, kind: str) -> Keeper | None:
        """A keeper of `fd` ("terminal" or "stdin"); None when the host has no `sleep` to run."""
        program = shutil.which("sleep")
        if program is None:
            return None
        pid = os.fork()
        if pid == 0:  # the child: no Python beyond this block
            try:
                os.setsid()
                os.dup2(fd, 3)
                null = os.open(os.devnull, os.O_RDWR)
                for target in (0, 1, 2):
                    os.dup2(null, target)
                os.closerange(4, 1 << 16)
                signal.pthread_sigmask(signal.SIG_SETMASK, [])
                os.execv(program, ["pycompose-keeper", FOREVER])
            finally:
                os._exit(127)
        keeper = cls(os.path.join(directory, FILE), pid, liveness.start_time(pid) or 0, kind)
        with open(keeper.path, "w") as f:
            f.write(f"{pid} {keeper.started} {kind}\n")
        return keeper

    @classmethod
    def load(cls, directory: str) -> Keeper | None:
        """The keeper recorded in `directory`, if it still runs (the same process: pid and start time)."""
        path = os.path.join(directory, FILE)
        try:
            with open(path) as f:
                pid, started, kind = f.read().split()
        except (OSError, ValueError):
            return None
        keeper = cls(path, int(pid), int(started), kind)
        if liveness.start_time(keeper.pid) != keeper.started:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
            return None
        return keeper

    def retrieve(self) -> int | None:
        """A copy of the kept descriptor (ours to close), or None if it cannot be had."""
        try:
            pidfd = os.pidfd_open(self.pid)
        except OSError:
            return None
        ours, theirs = socket.socketpair()
        try:
            child = os.fork()
            if child == 0:
                try:
                    import ctypes

                    libc = ctypes.CDLL(None, use_errno=True)
                    fd = libc.syscall(SYS_PIDFD_GETFD, pidfd, 3, 0)
                    if fd >= 0:
                        socket.send_fds(theirs, [b"k"], [fd])
                finally:
                    os._exit(0)
            theirs.close()
            os.waitpid(child, 0)
            ours.setblocking(False)
            try:
                _, fds, _, _ = socket.recv_fds(ours, 16, 1)
            except BlockingIOError:
                fds = []
        finally:
            ours.close()
            theirs.close()
            os.close(pidfd)
        if not fds or liveness.start_time(self.pid) != self.started:
            for fd in fds:
                os.close(fd)
            return None
        return fds[0]

    def release(self) -> None:
        """End the keeper (the descriptor is no longer to be kept)."""
        if liveness.start_time(self.pid) == self.started:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
