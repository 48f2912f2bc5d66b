"""The local side of an interactive session: raw mode, relaying both ways, window size, detach keys, signals.

    remote = Attached(conn, resize=lambda rows, cols: svc.resize(cid, rows, cols), kill=...)
    outcome = session(remote, stdin=True, tty=True, detach_keys=DEFAULT_DETACH_KEYS)
    # "ended" (the container's output ended: ask its exit code) or "detached" (Ctrl-P Ctrl-Q)

As Docker's CLI does it: with a terminal and our stdin taken, the local terminal is put in
raw mode for the session (keys, Ctrl-C included, go to the container's pty, whose line
discipline makes SIGINT of it) and restored on every way out; the detach keys (Docker's
default Ctrl-P Ctrl-Q) end the session and leave the process running; the pty gets our
window size at once and again on every SIGWINCH. Without a terminal, stdout and stderr stay
apart and the end of our stdin is passed on. Signals the CLI receives are passed to the
container when `proxy` is given (`--sig-proxy`).

Two remotes: `Attached` (a container, through its supervisor: engine.containers.attach)
and `Pty` (an exec'd process's pty master, held here).
"""

from __future__ import annotations

import contextlib
import errno
import os
import select
import signal
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Protocol

from compose.errors import ComposeError
from pycompose.errors import InvalidArgument, PycomposeError

if TYPE_CHECKING:
    from engine.containers.attach import Connection

DEFAULT_DETACH_KEYS = "ctrl-p,ctrl-q"
PROXIED = (signal.SIGHUP, signal.SIGINT, signal.SIGQUIT, signal.SIGTERM, signal.SIGUSR1, signal.SIGUSR2)
READ_SIZE = 1 << 16
# ctrl-@ is 0, ctrl-a 1 ... ctrl-z 26, then ctrl-[ ctrl-\ ctrl-] ctrl-^ ctrl-_ (as Docker's term.ToBytes reads them)
CONTROL = {f"ctrl-{c}": i for i, c in enumerate("@abcdefghijklmnopqrstuvwxyz[\\]^_")}


class TerminalError(ComposeError, InvalidArgument):
    """A flag or a stdin that an interactive session cannot use."""


def detach_keys(text: str) -> bytes:
    """Docker's --detach-keys: comma-separated single characters, `ctrl-<x>` and `DEL`."""
    codes = bytearray()
    for key in text.split(","):
        if len(key) == 1:
            codes += key.encode()
        elif key in CONTROL:
            codes.append(CONTROL[key])
        elif key == "DEL":
            codes.append(127)
        else:
            raise TerminalError(f"invalid detach keys `{text}`: unknown key `{key}`",
                                hint="use characters, ctrl-<a-z>, ctrl-@, ctrl-[, ctrl-\\, ctrl-], ctrl-^, "
                                     "ctrl-_ or DEL, separated by commas")
    if not codes:
        raise TerminalError(f"invalid detach keys `{text}`: no key given")
    return bytes(codes)


class Escape:
    """Watches typed bytes for the detach sequence: holds a partial match back, lets it go when it breaks."""

    def __init__(self, keys: bytes):
        self.keys, self.held = keys, b""

    def feed(self, data: bytes) -> tuple[bytes, bool]:
        """(bytes to pass on, whether the whole sequence was typed)."""
        out = bytearray()
        for byte in data:
            key = bytes([byte])
            if not self.keys.startswith(self.held + key):
                out += self.held  # not the sequence after all; this key may start it again
                self.held = b""
                if not self.keys.startswith(key):
                    out += key
                    continue
            self.held += key
            if self.held == self.keys:
                self.held = b""
                return bytes(out), True
        return bytes(out), False


def check_tty(stdin: bool, tty: bool) -> None:
    """Docker's CheckTty: a terminal on our stdin is needed to give one's keys to a container's pty."""
    if stdin and tty and not os.isatty(0):
        raise TerminalError("the input device is not a TTY")


def window_size(fd: int = 1) -> tuple[int, int] | None:
    """(rows, columns) of the terminal on `fd`, None when it is not one."""
    try:
        size = os.get_terminal_size(fd)
    except OSError:
        return None
    return size.lines, size.columns


@contextlib.contextmanager
def raw(fd: int) -> Iterator[None]:
    """The terminal on `fd` in raw mode for the block; its settings back however the block ends."""
    import termios
    import tty

    saved = termios.tcgetattr(fd)
    try:
        tty.setraw(fd, termios.TCSANOW)
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


class Remote(Protocol):
    fd: int        # readable when output (or its end) is there

    def read(self) -> list[tuple[str, bytes]] | None: ...  # None: the output has ended

    def write(self, data: bytes) -> None: ...

    def end_input(self) -> None: ...

    def resize(self, rows: int, cols: int) -> None: ...

    def kill(self, signum: int) -> None: ...


class Attached:
    """A container through its supervisor (engine.containers.attach.Connection)."""

    def __init__(self, conn: Connection, resize: Callable[[int, int], None], kill: Callable[[str], None]):
        self.conn, self.fd, self._resize, self._kill = conn, conn.sock.fileno(), resize, kill

    def read(self) -> list[tuple[str, bytes]] | None:
        try:
            data = self.conn.sock.recv(READ_SIZE)
        except ConnectionResetError:
            data = b""
        if not data:
            return None
        return [("stdout", data)] if self.conn.tty else self.conn.demux.feed(data)

    def write(self, data: bytes) -> None:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.conn.sock.sendall(data)

    def end_input(self) -> None:
        if not self.conn.tty:  # with a pty there is no end of input, only keys (Ctrl-D)
            self.conn.end_input()

    def resize(self, rows: int, cols: int) -> None:
        with contextlib.suppress(PycomposeError, OSError):  # best effort, as Docker's size monitor
            self._resize(rows, cols)

    def kill(self, signum: int) -> None:
        with contextlib.suppress(PycomposeError, OSError):  # it may have ended meanwhile
            self._kill(signal.Signals(signum).name)


class Pty:
    """An exec'd process's pty, whose master we hold."""

    def __init__(self, master: int, kill: Callable[[int], None]):
        self.fd, self._kill = master, kill

    def read(self) -> list[tuple[str, bytes]] | None:
        try:
            data = os.read(self.fd, READ_SIZE)
        except OSError as e:
            if e.errno != errno.EIO:  # EIO: the process (every holder of the slave) has gone
                raise
            data = b""
        return [("stdout", data)] if data else None

    def write(self, data: bytes) -> None:
        with contextlib.suppress(OSError):
            _write_all(self.fd, data)

    def end_input(self) -> None:
        pass

    def resize(self, rows: int, cols: int) -> None:
        import fcntl
        import struct
        import termios

        with contextlib.suppress(OSError):
            fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    def kill(self, signum: int) -> None:
        self._kill(signum)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def session(remote: Remote, *, stdin: bool, tty: bool, detach: str | None = DEFAULT_DETACH_KEYS,
            proxy: bool = False, refresh: bool = False) -> str:
    """Relay until the remote's output ends ("ended") or the detach keys are typed ("detached").

    `stdin`: our stdin goes to the remote; `tty`: it is a pty (raw mode when our stdin is a terminal
    and taken; the window size followed); `detach`: the keys, when a pty takes our keys; `proxy`:
    pass the signals we receive on; `refresh`: nudge the pty's size once so that a program redraws
    (Docker's attach does it too)."""
    relay = Relay(remote, stdin, Escape(detach_keys(detach)) if detach and tty and stdin else None, proxy)
    following = tty and window_size() is not None
    keys = stdin and tty and os.isatty(0)
    caught = set(PROXIED if proxy else ())
    if following:
        caught.add(signal.SIGWINCH)
    if keys and not proxy:
        caught |= {signal.SIGTERM, signal.SIGHUP}  # to end the session, so that the terminal is restored
    before = {sig: signal.signal(sig, relay.caught) for sig in caught}
    try:
        with raw(0) if keys else contextlib.nullcontext():
            if following:
                relay.follow_size(refresh)
            return relay.run()
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)
        relay.close()


class Relay:
    """The select loop of a session: the remote's output, our input, and signals (through a self-pipe)."""

    def __init__(self, remote: Remote, stdin: bool, escape: Escape | None, proxy: bool):
        self.remote, self.escape, self.proxy = remote, escape, proxy
        self.wake, self.poke = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        self.received: list[int] = []
        self.watched = [remote.fd, self.wake] + ([0] if stdin else [])

    def caught(self, signum: int, _frame: object) -> None:
        self.received.append(signum)
        with contextlib.suppress(OSError):
            os.write(self.poke, b"!")

    def close(self) -> None:
        os.close(self.wake)
        os.close(self.poke)

    def run(self) -> str:
        while True:
            ready = select.select(self.watched, [], [])[0]
            if self.wake in ready:
                self.signals()
            if self.remote.fd in ready and not self.output():
                return "ended"
            if 0 in ready and self.input():
                return "detached"

    def signals(self) -> None:
        with contextlib.suppress(BlockingIOError):
            os.read(self.wake, 512)
        while self.received:
            signum = self.received.pop(0)
            if signum == signal.SIGWINCH:
                self.follow_size()
            elif self.proxy:
                self.remote.kill(signum)
            else:
                raise SystemExit(128 + signum)  # the terminal is restored on the way out

    def follow_size(self, nudge: bool = False) -> None:
        size = window_size()
        if size is None:
            return
        if nudge:
            self.remote.resize(size[0] + 1, size[1] + 1)
        self.remote.resize(*size)

    def output(self) -> bool:
        """The remote's output written out; False once it has ended."""
        chunks = self.remote.read()
        if chunks is None:
            return False
        for stream, data in chunks:
            _write_all(2 if stream == "stderr" else 1, data)
        return True

    def input(self) -> bool:
        """Our input passed on; True when it held the detach keys."""
        data = os.read(0, READ_SIZE)
        if not data:
            self.watched.remove(0)
            self.remote.end_input()
            return False
        detached = False
        if self.escape is not None:
            data, detached = self.escape.feed(data)
        if data:
            self.remote.write(data)
        return detached


def stdout_flushed() -> None:
    """What Python buffered for stdout and stderr written out before the session writes to their descriptors."""
    sys.stdout.flush()
    sys.stderr.flush()
