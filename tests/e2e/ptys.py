"""A command run on a pseudo-terminal of the test's own, as a user at a terminal runs it: keys in, screen out.

    with Terminal([sys.executable, "-m", "compose.cli.main", "container", "run", "-it", "busybox", "sh"],
                  env=env, cwd=REPO, rows=33, cols=101) as term:
        term.expect(b"/ # ")
        term.send(b"exit 3\\r")
        assert term.wait() == 3

Reads wait on the pty with a deadline (never sleeps); `expect` fails with what was seen. The
command leads a session of its own with the pty as its controlling terminal; `close` kills
what is left of it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import select
import signal
import struct
import termios
import time


class Terminal:
    def __init__(self, argv: list[str], *, env: dict[str, str], cwd: str | os.PathLike[str], rows: int = 24,
                 cols: int = 80):
        self.master, slave = os.openpty()
        self.slave_name = os.ttyname(slave)
        self.resize(rows, cols)
        self.seen = b""
        self.pid = os.fork()
        if self.pid == 0:  # the child: the pty as its terminal, then the command
            try:
                os.close(self.master)
                os.setsid()
                fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
                for fd in (0, 1, 2):
                    os.dup2(slave, fd)
                os.closerange(3, 1 << 16)
                os.chdir(cwd)
                os.execvpe(argv[0], argv, env)
            finally:
                os._exit(127)
        os.close(slave)
        self.status: int | None = None

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def resize(self, rows: int, cols: int) -> None:
        """The terminal's new size (its foreground process group gets SIGWINCH)."""
        fcntl.ioctl(self.master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    def cooked(self) -> bool:
        """Whether the terminal is back in its usual (canonical, echoing) mode, as the command found it."""
        fd = os.open(self.slave_name, os.O_RDWR | os.O_NOCTTY)
        try:
            lflag = termios.tcgetattr(fd)[3]
        finally:
            os.close(fd)
        return bool(lflag & termios.ICANON and lflag & termios.ECHO)

    def send(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def _read(self, timeout: float) -> bool:
        """Whatever the command wrote, within `timeout`; False at its end (the slave closed)."""
        if not select.select([self.master], [], [], max(0.0, timeout))[0]:
            return True
        try:
            data = os.read(self.master, 65536)
        except OSError:  # EIO: nobody holds the slave any longer
            return False
        self.seen += data
        return bool(data)

    def expect(self, pattern: bytes | str, timeout: float = 20.0) -> re.Match[bytes]:
        """Wait until `pattern` (a regular expression) appears in what was written since the last match."""
        regex = re.compile(pattern.encode() if isinstance(pattern, str) else pattern)
        deadline = time.monotonic() + timeout
        while True:
            found = regex.search(self.seen)
            if found:
                self.seen = self.seen[found.end():]
                return found
            left = deadline - time.monotonic()
            if left <= 0 or not self._read(left):
                raise AssertionError(f"{pattern!r} did not appear within {timeout}s; the terminal shows "
                                     f"{self.seen[-2000:]!r}")

    def wait(self, timeout: float = 30.0) -> int:
        """The command's exit code, reading what it writes meanwhile (a full pty would block it)."""
        deadline = time.monotonic() + timeout
        while self.status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = status
                break
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"the command did not end within {timeout}s; the terminal shows "
                                     f"{self.seen[-2000:]!r}")
            if not self._read(min(left, 0.05)):
                with contextlib.suppress(ChildProcessError):
                    _, self.status = os.waitpid(self.pid, 0)
        return os.waitstatus_to_exitcode(self.status)

    def close(self) -> None:
        if self.status is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                _, self.status = os.waitpid(self.pid, 0)
        with contextlib.suppress(OSError):
            os.close(self.master)
