"""The launcher: how the supervisor starts a container's process, runs a command in it, and signals it.

The supervisor knows nothing of namespaces or bundles; a launcher does. Lifecycle:

    child = launcher.start(record, Stdio(stdin, stdout, stderr, console))  # a child of the supervisor
    pid = launcher.created(record, status)               # creating launchers: once `child` has exited
    pid = launcher.exec(record, argv, out_fd)             # a healthcheck probe "inside" it
    launcher.signal(record, pid, signal.SIGTERM)

Terms: `start` returns the pid of a child of the supervisor, in a session of its
own (so that the supervisor's death does not take it along). For a launcher whose
`creates` is False that child is the container's main process. For one whose
`creates` is True it is a short-lived creator, as containerd's shim and conmon
drive an OCI runtime: it runs the runtime's `create` and `start` and exits, 0 once
the container's process runs; that process, orphaned, is reparented to the
supervisor (a child subreaper), which reaps it and so learns its exit status, and
`created(record, creator's wait status)` names it (or raises LaunchFailed with the
reason and exit code). `exec` returns the pid of a child of the supervisor whose
exit status is the probe's. Both get file descriptors to use as stdio and must not
keep them open in the supervisor.

Stdio: `stdin` is -1 (the process reads /dev/null) or the read end of its stdin;
with `console` (a unix socket, else -1) the process gets a new pty as its terminal
and stdio instead, and the pty's master is sent through that socket (SCM_RIGHTS)
before `start` returns (a creating launcher: before its creator exits). `report` (a
creating launcher's, else -1) is the write end of a pipe on which the creator writes
its exit code ("N\n") once its work is done, before it exits: the supervisor goes on
without waiting for the creator's memory to be torn down (`detach`).

A record names its launcher (`config.launcher`): a name from LAUNCHERS or a
`module:Class` path, imported when first needed. `process` runs a host command
(`config.launch = {"argv": [...], "env": {...}, "cwd": "/"}`): tests and benchmarks
use it, and the native runtime plugs in beside it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import importlib
import os
import signal
from collections.abc import Callable
from typing import Protocol

from engine.errors import EngineError
from engine.state.record import ContainerRecord
from pycompose.errors import InvalidArgument, Unavailable


class LaunchFailed(EngineError, Unavailable):
    pass


class UnknownLauncher(EngineError, InvalidArgument):
    pass


class Stdio:
    __slots__ = ("stdin", "stdout", "stderr", "console", "report")

    def __init__(self, stdin: int, stdout: int, stderr: int, console: int = -1, report: int = -1):
        self.stdin, self.stdout, self.stderr, self.console = stdin, stdout, stderr, console
        self.report = report


class Launcher(Protocol):
    creates: bool

    def start(self, record: ContainerRecord, stdio: Stdio) -> int: ...

    def created(self, record: ContainerRecord, status: int) -> int: ...

    def exec(self, record: ContainerRecord, argv: list[str], output: int) -> int: ...

    def signal(self, record: ContainerRecord, pid: int, sig: int) -> None: ...


CONSOLE_FD = 3  # where a child finds the console socket of its Stdio
REPORT_FD = 4  # and where a detached child finds its report pipe


def _child_stdio(stdio: Stdio) -> None:
    """In a fresh child: a session of its own, stdin (else /dev/null), stdout and stderr, the console socket at
    fd 3 (if any), default signals."""
    os.setsid()
    stdin = stdio.stdin if stdio.stdin >= 0 else os.open(os.devnull, os.O_RDONLY)
    os.dup2(stdin, 0)
    os.dup2(stdio.stdout, 1)
    os.dup2(stdio.stderr, 2)
    if stdio.console >= 0:
        os.dup2(stdio.console, CONSOLE_FD)
    for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT, signal.SIGPIPE, signal.SIGXFSZ):
        signal.signal(sig, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])


def send_master(console: int, master: int) -> None:
    """Hand a pty's master to the supervisor through the console socket."""
    import socket

    with socket.socket(fileno=os.dup(console)) as sock:
        socket.send_fds(sock, [b"pty"], [master])


def take_terminal(console: int) -> None:
    """In a child about to exec: a new pty as its controlling terminal and stdio, the master sent through `console`."""
    import termios

    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
    for fd in (0, 1, 2):
        os.dup2(slave, fd)
    os.close(slave)
    send_master(console, master)
    os.close(master)
    os.close(console)


def detach(work: Callable[[], int], stdio: Stdio) -> int:
    """Fork a child that runs `work()` and exits with what it returns (1 if it raises); its pid.

    The child has the stdio of `_child_stdio` and no other descriptor of the
    supervisor's (its sockets, its lock, the other containers' FIFOs), and never
    returns into the supervisor's code.
    """
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        import gc

        gc.disable()  # the supervisor's objects are not ours to finalise (their descriptors are closed below)
        signal.set_wakeup_fd(-1)
        report = fcntl.fcntl(stdio.report, fcntl.F_DUPFD_CLOEXEC, REPORT_FD + 1) if stdio.report >= 0 else -1
        _child_stdio(stdio)
        if report >= 0:
            os.dup2(report, REPORT_FD, inheritable=False)
            if stdio.console < 0:
                with contextlib.suppress(OSError):
                    os.close(CONSOLE_FD)
        os.closerange(REPORT_FD + 1 if report >= 0 else CONSOLE_FD + 1 if stdio.console >= 0 else CONSOLE_FD,
                      1 << 16)
        code = work()
    finally:
        if stdio.report >= 0:
            with contextlib.suppress(OSError):
                os.write(REPORT_FD, b"%d\n" % code)
        os._exit(code)


def spawn(argv: list[str], env: dict[str, str] | None, cwd: str | None, stdio: Stdio) -> int:
    """fork + setsid + exec with the given stdio (or a new pty); an exec failure is raised here, in the parent."""
    if not argv:
        raise LaunchFailed("start process: no command")
    errors_r, errors_w = os.pipe()  # close-on-exec: EOF on a successful exec
    pid = os.fork()
    if pid == 0:  # the child: no Python beyond this block, and never return
        try:
            os.close(errors_r)
            if errors_w <= CONSOLE_FD:  # out of the way of the descriptors _child_stdio places
                errors_w = fcntl.fcntl(errors_w, fcntl.F_DUPFD_CLOEXEC, CONSOLE_FD + 1)
            signal.set_wakeup_fd(-1)
            _child_stdio(stdio)
            if stdio.console >= 0:
                take_terminal(CONSOLE_FD)
            if cwd:
                os.chdir(cwd)
            os.execvpe(argv[0], argv, env if env is not None else dict(os.environ))
        except OSError as e:
            os.write(errors_w, f"{127 if e.errno == errno.ENOENT else 126} {e.strerror}".encode())
        finally:
            os._exit(127)
    os.close(errors_w)
    with os.fdopen(errors_r, "rb") as f:
        failure = f.read()
    if failure:
        os.waitpid(pid, 0)
        code, _, reason = failure.decode(errors="replace").partition(" ")
        raise LaunchFailed(f"exec `{argv[0]}`: {reason}", exit_code=int(code))
    return pid


class ProcessLauncher:
    """A host command as the container's process: no isolation, for tests and benchmarks."""

    creates = False

    def start(self, record: ContainerRecord, stdio: Stdio) -> int:
        launch = record.config.launch
        return spawn(list(launch.get("argv") or []), launch.get("env"), launch.get("cwd"), stdio)

    def created(self, record: ContainerRecord, status: int) -> int:
        raise LaunchFailed("the process launcher creates nothing")

    def exec(self, record: ContainerRecord, argv: list[str], output: int) -> int:
        launch = record.config.launch
        return spawn(argv, launch.get("env"), launch.get("cwd"), Stdio(-1, output, output))

    def signal(self, record: ContainerRecord, pid: int, sig: int) -> None:
        os.kill(pid, sig)


LAUNCHERS = {"process": "engine.supervisor.launcher:ProcessLauncher"}
_loaded: dict[str, Launcher] = {}


def launcher_for(name: str) -> Launcher:
    if name not in _loaded:
        path = LAUNCHERS.get(name, name)
        module, _, cls = path.partition(":")
        try:
            _loaded[name] = getattr(importlib.import_module(module), cls)()
        except (ImportError, AttributeError, ValueError) as e:
            raise UnknownLauncher(f"load launcher `{name}`: {e}") from e
    return _loaded[name]
