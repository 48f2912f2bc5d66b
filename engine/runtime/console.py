"""process.terminal: a pseudo-terminal from the container's own devpts, its master sent to the caller.

Like runc, the caller passes `--console-socket PATH`, a listening unix socket. The
child connects before pivot_root (the path is a host path), and after it opens
/dev/ptmx of the container, sizes it (process.consoleSize), makes the slave its
controlling terminal and stdio, binds it over /dev/console (the container's own
process, not an exec'd one), and sends the master through the socket (SCM_RIGHTS,
with the slave's name as the message).
"""

from __future__ import annotations

import fcntl
import os
import socket
import struct
import termios

from engine.runtime import syscalls as sc
from engine.runtime.errors import SetupFailed

TIOCGPTN = 0x80045430
TIOCSPTLCK = 0x40045431
TIOCSCTTY = 0x540E


class Console:
    def __init__(self, socket_path: str):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self.sock.connect(socket_path)
        except OSError as e:
            raise SetupFailed(f"connect to console socket `{socket_path}`: {e.strerror}") from None

    def attach(self, size: tuple[int, int] | None = None, console: bool = True,
               owner: tuple[int, int] | None = None) -> None:
        """The calling process gets a new pty as its terminal; `size` (rows, columns); `console`: bind
        the slave over /dev/console (the container's process does, an exec'd one does not); `owner`:
        the slave's uid and gid (the process's user, as runc sets them)."""
        try:
            master = os.open("/dev/ptmx", os.O_RDWR | os.O_NOCTTY | os.O_CLOEXEC)
            fcntl.ioctl(master, TIOCSPTLCK, struct.pack("i", 0))
            number = struct.unpack("I", fcntl.ioctl(master, TIOCGPTN, b"\0" * 4))[0]
            name = f"/dev/pts/{number}"
            slave = os.open(name, os.O_RDWR | os.O_NOCTTY)
            if owner is not None:
                os.fchown(slave, *owner)
            if size and size[0] > 0 and size[1] > 0:
                fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", size[0], size[1], 0, 0))
            if console:
                if not os.path.exists("/dev/console"):
                    os.close(os.open("/dev/console", os.O_CREAT | os.O_WRONLY | os.O_CLOEXEC, 0o600))
                sc.mount(name, "/dev/console", None, sc.MS_BIND, None)
            os.setsid()
            fcntl.ioctl(slave, TIOCSCTTY, 0)
            for fd in (0, 1, 2):
                os.dup2(slave, fd)
            os.close(slave)
            socket.send_fds(self.sock, [name.encode()], [master])
            os.close(master)
            self.sock.close()
        except OSError as e:
            raise SetupFailed(f"set up the console: {e.strerror}") from None
