"""A supervised container's stdio inside the daemon: output FIFOs or its pty, its stdin, the clients attached.

Per start the supervisor prepares the process's descriptors (`prepare` -> Stdio):

    stdout, stderr   two FIFOs under <run root>/containers/<id>/, read by us into the log
                     (the container's ends opened read-write: a write never meets "no reader",
                     so the process survives the supervisor)
    tty              a socket pair; the launcher sends the new pty's master through it, and the
                     master (`take_terminal`, once the process runs) is read into the log as
                     stdout and written with the clients' input
    open_stdin       without a tty: a third FIFO, `stdin`, whose writing end we hold (opened once,
                     kept across restarts); closing it is the process's end of input

Output goes to the log and to every attached client (engine.supervisor.attach). When the
process ends (`ended`) the output is drained, the pty's master closed, and the clients are
closed once what they are owed is sent.

A keeper (engine.supervisor.keeper) holds a copy of the pty's master, or of our end of the
stdin FIFO, so that neither closes when the daemon dies; the next daemon reopens the
FIFOs and takes those copies back (`reopen`), so an adopted container can still be
attached to and typed into.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
from typing import TYPE_CHECKING

from engine.supervisor.jsonlog import LineSplitter
from engine.supervisor.launcher import LaunchFailed, Stdio

if TYPE_CHECKING:
    from engine.state.record import ContainerRecord
    from engine.supervisor.attach import Attachment, Input
    from engine.supervisor.container import Supervised
    from engine.supervisor.keeper import Keeper

F_SETPIPE_SZ = 1031
PIPE_SIZE = 1 << 20
READ_SIZE = 1 << 18


class Stream:
    """One output of the container (a FIFO, or the pty's master), read into the log and to the attached clients."""

    def __init__(self, io: ContainerIO, fd: int, name: str, terminal: bool = False):
        self.io, self.fd, self.name, self.terminal, self.lines = io, fd, name, terminal, LineSplitter()
        io.loop.add_reader(fd, self.drain)

    def drain(self) -> None:
        while self.fd >= 0:
            try:
                data = os.read(self.fd, READ_SIZE)
            except BlockingIOError:
                return
            except OSError:  # EIO: every end of the pty's slave side has closed
                data = b""
            if not data:
                self.close()
                return
            self.io.sup.log().write(self.name, self.lines.feed(data))
            for client in list(self.io.attached):  # a client that has gone leaves the list as it is told
                client.send(self.name, data)

    def close(self) -> None:
        if self.fd >= 0:
            self.io.sup.log().write(self.name, self.lines.flush())
            self.io.loop.remove_reader(self.fd)
            if self.terminal:
                self.io.lose_terminal()
            os.close(self.fd)
            self.fd = -1


class ContainerIO:
    def __init__(self, sup: Supervised):
        self.sup, self.loop = sup, sup.daemon.loop
        self.streams: list[Stream] = []
        self.attached: list[Attachment] = []
        self.input: Input | None = None       # where the clients' input goes: the pty's master or our stdin end
        self.stdin_fd = -1                     # our (writing) end of the stdin FIFO
        self.console: socket.socket | None = None  # our end of the socket the pty's master arrives on
        self.keeper: Keeper | None = None

    def directory(self) -> str:
        path = self.sup.daemon.run_root / "containers" / self.sup.id
        path.mkdir(parents=True, exist_ok=True)
        return str(path)

    def fifo(self, name: str) -> str:
        path = os.path.join(self.directory(), name)
        if not os.path.exists(path):
            os.mkfifo(path, 0o600)
        return path

    # -- before a start -----------------------------------------------------------------
    def prepare(self, record: ContainerRecord) -> Stdio:
        """The process's descriptors for this start (`release` closes our copies once the launcher has them)."""
        self.streams = [s for s in self.streams if s.fd >= 0]
        out, err = (self._output(name) for name in ("stdout", "stderr"))
        stdin, console = -1, -1
        if record.config.tty:
            self.console, theirs = socket.socketpair()
            console = theirs.detach()
        elif record.config.open_stdin and self._open_stdin():
            stdin = os.open(self.fifo("stdin"), os.O_RDONLY | os.O_CLOEXEC)  # a writer (ours) exists: no wait
            if self.keeper is None:  # released when the last run ended
                self.keep(self.stdin_fd, "stdin")
        return Stdio(stdin, out, err, console)

    def _output(self, name: str) -> int:
        """Our reading end of one output FIFO (a Stream); returns the container's end."""
        path = self.fifo(name)
        self.streams.append(Stream(self, os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC), name))
        theirs = os.open(path, os.O_RDWR | os.O_CLOEXEC)
        with contextlib.suppress(OSError):  # above /proc/sys/fs/pipe-max-size: keep the default
            fcntl.fcntl(theirs, F_SETPIPE_SZ, PIPE_SIZE)
        return theirs

    def _open_stdin(self) -> bool:
        """Our writing end of the stdin FIFO, opened once a run; False once closed for this run (stdin_once)."""
        if self.stdin_fd == -1:
            from engine.supervisor.attach import Input  # imported when a container first has input: memory

            self.stdin_fd = os.open(self.fifo("stdin"), os.O_RDWR | os.O_NONBLOCK | os.O_CLOEXEC)
            self.input = Input(self.loop, self.stdin_fd, self.resume_clients)
            self.keep(self.stdin_fd, "stdin")
        return self.stdin_fd >= 0

    @staticmethod
    def release(stdio: Stdio) -> None:
        for fd in (stdio.stdin, stdio.stdout, stdio.stderr, stdio.console, stdio.report):
            if fd >= 0:
                os.close(fd)

    def take_terminal(self) -> None:
        """The process runs: its pty's master, which the launcher has sent, becomes our terminal stream."""
        sock, self.console = self.console, None
        if sock is None:
            return
        with sock:
            sock.setblocking(False)
            try:
                _, fds, _, _ = socket.recv_fds(sock, 64, 1)
            except OSError:
                fds = []
        if not fds:
            raise LaunchFailed("start container: its terminal (the pty's master) never arrived", exit_code=1)
        self.use_terminal(fds[0])
        self.keep(fds[0], "terminal")

    def use_terminal(self, master: int) -> None:
        from engine.supervisor.attach import Input

        os.set_blocking(master, False)
        self.streams.append(Stream(self, master, "stdout", terminal=True))
        self.input = Input(self.loop, master, self.resume_clients)

    def keep(self, fd: int, kind: str) -> None:
        """A keeper for `fd`, so that it outlives this daemon (reaped by our loop when it is released)."""
        from engine.supervisor.keeper import Keeper

        self.release_keeper()
        self.keeper = Keeper.start(self.directory(), fd, kind)
        if self.keeper is not None:
            self.loop.watch_child(self.keeper.pid, lambda _status: None)

    def release_keeper(self, kind: str | None = None) -> None:
        if self.keeper is not None and kind in (None, self.keeper.kind):
            self.keeper.release()
            self.keeper = None

    def abandon_console(self) -> None:
        if self.console is not None:
            self.console.close()
            self.console = None

    def reopen(self) -> None:
        """After a restart of the daemon: read the FIFOs again, and take the terminal or stdin back from the
        keeper (which stays, for the next daemon)."""
        from engine.supervisor.attach import Input
        from engine.supervisor.keeper import Keeper

        for name in ("stdout", "stderr"):
            path = os.path.join(self.directory(), name)
            if os.path.exists(path):
                self.streams.append(Stream(self, os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC), name))
        self.keeper = Keeper.load(self.directory())
        fd = self.keeper.retrieve() if self.keeper is not None else None
        if fd is None:
            return
        if self.keeper.kind == "terminal":  # type: ignore[union-attr]
            self.use_terminal(fd)
        else:
            self.stdin_fd = fd
            os.set_blocking(fd, False)
            self.input = Input(self.loop, fd, self.resume_clients)

    # -- the terminal -------------------------------------------------------------------
    def terminal(self) -> int:
        return next((s.fd for s in self.streams if s.terminal and s.fd >= 0), -1)

    def resize(self, rows: int, cols: int) -> None:
        import struct
        import termios

        fd = self.terminal()
        if fd >= 0 and rows > 0 and cols > 0:
            fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    def lose_terminal(self) -> None:
        if self.input is not None and self.input.fd == self.terminal():
            self.input.close()
            self.input = None
        self.release_keeper("terminal")

    # -- clients ------------------------------------------------------------------------
    def attach(self, sock: socket.socket, record: ContainerRecord, stdin: bool, early: bytes = b"") -> None:
        """A client from now on: the output, and its input when it asks and the container keeps stdin open."""
        from engine.supervisor.attach import Attachment

        wants = stdin and record.config.open_stdin
        if wants and not record.config.tty:
            self._open_stdin()
        client = Attachment(self.loop, sock, record.config.tty, (lambda: self.input) if wants else None,
                            self.input_ended, self.gone, self.flow)
        self.attached.append(client)
        if early:
            client.received(early)

    def input_ended(self, client: Attachment) -> None:
        if self.sup.record().config.stdin_once:
            self.close_stdin()

    def gone(self, client: Attachment) -> None:
        with contextlib.suppress(ValueError):
            self.attached.remove(client)
        self.flow()

    def flow(self) -> None:
        """The container's output read while no client is behind, held back while one is (Docker's backpressure)."""
        held = any(client.behind() for client in self.attached)
        for stream in self.streams:
            if stream.fd >= 0 and self.loop.has_reader(stream.fd) == held:
                if held:
                    self.loop.remove_reader(stream.fd)
                else:
                    self.loop.add_reader(stream.fd, stream.drain)

    def resume_clients(self) -> None:
        for client in list(self.attached):
            client.resume()

    def close_stdin(self) -> None:
        """The process's end of input (without a tty): our end of its stdin closed for good."""
        if self.stdin_fd >= 0:
            if self.input is not None and self.input.fd == self.stdin_fd:
                self.input.close()
            self.input = None
            os.close(self.stdin_fd)
            self.stdin_fd = -2  # closed for this run: not reopened before the next start
            self.release_keeper("stdin")

    # -- the end ------------------------------------------------------------------------
    def drain(self) -> None:
        for stream in self.streams:
            stream.drain()

    def ended(self) -> None:
        """The process has ended: its output read to the end, its pty closed, its clients let go."""
        self.drain()
        for stream in self.streams:
            if stream.terminal:
                stream.close()
        self.abandon_console()
        self.release_keeper()  # nothing runs to keep them for (a next start keeps them again)
        if self.stdin_fd == -2:
            self.stdin_fd = -1  # a stdin ended by stdin_once is a new one on the next start
        for client in list(self.attached):
            client.finish()

    def close(self, release: bool = True) -> None:
        """Every descriptor closed: the container is forgotten (`release`: its keeper ends too), or this daemon is
        leaving while it runs (its keeper stays, for the next daemon)."""
        if not release:
            self.keeper = None  # let go of it, without ending it
        self.ended()
        for stream in self.streams:
            stream.close()
        for client in list(self.attached):
            client.close()
        if self.stdin_fd >= 0:
            self.close_stdin()
        self.release_keeper()
