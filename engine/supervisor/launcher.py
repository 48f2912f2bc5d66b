"""The launcher: how the supervisor starts a container's process, runs a command in it, and signals it.

The supervisor knows nothing of namespaces or bundles; a launcher does. Lifecycle:

    child = launcher.start(record, stdout_fd, stderr_fd)  # a child of the supervisor
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
exit status is the probe's. Both get file descriptors to use as stdout/stderr and
must not keep them open in the supervisor.

A record names its launcher (`config.launcher`): a name from LAUNCHERS or a
`module:Class` path, imported when first needed. `process` runs a host command
(`config.launch = {"argv": [...], "env": {...}, "cwd": "/"}`): tests and benchmarks
use it, and the native runtime plugs in beside it.
"""

from __future__ import annotations

import errno
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


class Launcher(Protocol):
    creates: bool

    def start(self, record: ContainerRecord, stdout: int, stderr: int) -> int: ...

    def created(self, record: ContainerRecord, status: int) -> int: ...

    def exec(self, record: ContainerRecord, argv: list[str], output: int) -> int: ...

    def signal(self, record: ContainerRecord, pid: int, sig: int) -> None: ...


def _child_stdio(stdout: int, stderr: int) -> None:
    """In a fresh child: a session of its own, stdin /dev/null, the given stdout/stderr, default signals."""
    os.setsid()
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(stdout, 1)
    os.dup2(stderr, 2)
    for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT, signal.SIGPIPE, signal.SIGXFSZ):
        signal.signal(sig, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])


def detach(work: Callable[[], int], stdout: int, stderr: int) -> int:
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
        _child_stdio(stdout, stderr)
        os.closerange(3, 1 << 16)
        code = work()
    finally:
        os._exit(code)


def spawn(argv: list[str], env: dict[str, str] | None, cwd: str | None, stdout: int, stderr: int) -> int:
    """fork + setsid + exec with stdin from /dev/null; an exec failure is raised here, in the parent."""
    if not argv:
        raise LaunchFailed("start process: no command")
    errors_r, errors_w = os.pipe()  # close-on-exec: EOF on a successful exec
    pid = os.fork()
    if pid == 0:  # the child: no Python beyond this block, and never return
        try:
            os.close(errors_r)
            signal.set_wakeup_fd(-1)
            _child_stdio(stdout, stderr)
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

    def start(self, record: ContainerRecord, stdout: int, stderr: int) -> int:
        launch = record.config.launch
        return spawn(list(launch.get("argv") or []), launch.get("env"), launch.get("cwd"), stdout, stderr)

    def created(self, record: ContainerRecord, status: int) -> int:
        raise LaunchFailed("the process launcher creates nothing")

    def exec(self, record: ContainerRecord, argv: list[str], output: int) -> int:
        launch = record.config.launch
        return spawn(argv, launch.get("env"), launch.get("cwd"), output, output)

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
