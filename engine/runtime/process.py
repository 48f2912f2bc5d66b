"""The container's process, from fork to execve: namespaces, rootfs, identity, then the program.

`container_main` runs in the forked child and never returns. It talks to the
launcher over `chan` (one JSON object a line): it waits for `go` (the launcher has
placed it in its cgroups), sets everything up, says `ready` (or `error`), waits to
be started (a byte through the exec fifo for `create`, or `start` on `chan` for
`run`), and execs. `apply` is the part `exec` shares: it turns a spec `process`
into the calling process's identity, limits and working directory.

Exec failures read like Docker's: exec: "nosuch": executable file not found in $PATH
(exit 127; 126 when the file is there but cannot be run).
"""

from __future__ import annotations

import errno
import json
import os
import signal
import socket
import stat
import sys

from engine.runtime import capabilities, namespaces, rlimits, rootfs, seccomp, user
from engine.runtime import syscalls as sc
from engine.runtime.console import Console
from engine.runtime.errors import SetupFailed
from engine.runtime.spec import Process, Spec
from pycompose.errors import PycomposeError

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class ExecFailed(SetupFailed):
    """The program cannot be run: 127 when it is not found, 126 when it cannot be executed."""


def environ(process: Process) -> dict[str, str]:
    env = {}
    for item in process.env:
        key, _, value = item.partition("=")
        env[key] = value
    return env


def lookup(name: str, path: str) -> str:
    """Where `name` is, the way a shell (and Go's exec.LookPath) finds it."""
    def runnable(candidate: str) -> bool:
        try:
            st = os.stat(candidate)
        except OSError:
            return False
        return stat.S_ISREG(st.st_mode) and bool(st.st_mode & 0o111)

    if "/" in name:
        if os.path.exists(name):
            return name
        raise ExecFailed(f'exec: "{name}": stat {name}: no such file or directory', exit_code=127)
    for directory in path.split(":"):
        candidate = os.path.join(directory or ".", name)
        if runnable(candidate):
            return candidate
    raise ExecFailed(f'exec: "{name}": executable file not found in $PATH', exit_code=127)


def apply(process: Process, confine: seccomp.Filter | None = None) -> tuple[str, dict[str, str]]:
    """Identity, limits and cwd of `process` on the calling process; returns (program, env).

    Without no_new_privileges the seccomp filter `confine` is loaded here, while the process
    still has CAP_SYS_ADMIN; with it, `confine_late` loads it just before execve (runc's order).
    """
    if process.oom_score_adj is not None:
        with open("/proc/self/oom_score_adj", "w") as f:
            f.write(str(process.oom_score_adj))
    rlimits.apply(process.rlimits)
    if confine is not None and not process.no_new_privileges:
        seccomp.load(confine)
    bits = None if process.capabilities is None else capabilities.masks(process.capabilities)
    if bits is not None:
        capabilities.drop_bounding(bits["bounding"])
        capabilities.keep()
    user.switch(process.user)
    if bits is not None:
        capabilities.apply(bits)
    if process.no_new_privileges:
        sc.prctl(sc.PR_SET_NO_NEW_PRIVS, 1)
    try:
        os.chdir(process.cwd)
    except OSError as e:
        raise SetupFailed(f'chdir to cwd ("{process.cwd}") set in config.json failed: {e.strerror}') from None
    env = environ(process)
    return lookup(process.args[0], env.get("PATH", DEFAULT_PATH)), env


def confine_late(process: Process, confine: seccomp.Filter | None) -> None:
    """With no_new_privileges, the seccomp filter goes on last, so that few syscalls run under it."""
    if confine is not None and process.no_new_privileges:
        seccomp.load(confine)


def execute(program: str, process: Process, env: dict[str, str]) -> None:
    """execve, or die as a shell would: the message on stderr, 126 or 127."""
    try:
        os.execve(program, list(process.args), env)
    except OSError as e:
        code = 127 if e.errno == errno.ENOENT else 126
        os.write(2, f'exec: "{process.args[0]}": {e.strerror.lower() if e.strerror else e}\n'.encode())
        os._exit(code)


def sysctls(values: dict[str, str]) -> None:
    for key, value in values.items():
        path = "/proc/sys/" + key.replace(".", "/")
        try:
            with open(path, "w") as f:
                f.write(value)
        except OSError as e:
            raise SetupFailed(f"set sysctl `{key}` to {value!r}: {e.strerror}") from None


class Channel:
    """One JSON object a line over a socket: the launcher's and the child's conversation."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.file = sock.makefile("rb")

    def send(self, kind: str, **fields: object) -> None:
        self.sock.sendall(json.dumps({"type": kind, **fields}).encode() + b"\n")

    def receive(self) -> dict[str, object]:
        line = self.file.readline()
        if not line:
            return {"type": "eof"}
        return dict(json.loads(line))


def reap_forever(child: int) -> None:
    """PID 1's job: pass every signal on to `child`, reap every orphan, exit as `child` does."""
    for sig in set(signal.Signals) - {signal.SIGKILL, signal.SIGSTOP, signal.SIGCHLD}:
        try:
            signal.signal(sig, lambda s, _f: os.kill(child, s))
        except (OSError, ValueError):
            continue
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            os._exit(0)
        if pid == child:
            os._exit(exit_code(status))


def exit_code(status: int) -> int:
    return 128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


def wait_for_start(chan: Channel, fifo_fd: int | None) -> bool:
    if fifo_fd is None:
        return chan.receive().get("type") == "start"
    started = os.read(fifo_fd, 1) != b""
    os.close(fifo_fd)
    return started


def _enter_user_namespace(plan: namespaces.Plan, chan: Channel) -> None:
    """Make the user namespace and the others inside it; returns in the new PID 1 (its parent exits).

    The launcher writes the maps when told `userns`, and learns PID 1's pid from `pid`."""
    namespaces.join(list(plan.joins))  # still host root: the given paths need it
    try:
        sc.unshare(sc.CLONE_NEWUSER)
    except OSError as e:
        raise SetupFailed(f"unshare the user namespace: {e.strerror}") from None
    chan.send("userns")
    if chan.receive().get("type") != "mapped":
        os._exit(1)
    user.become_root()
    try:
        sc.unshare(plan.new | (sc.CLONE_NEWPID if plan.new_pid else 0))
    except OSError as e:
        raise SetupFailed(f"unshare namespaces in the user namespace: {e.strerror}") from None
    child = os.fork()
    if child:
        chan.send("pid", pid=child)
        os._exit(0)


def _setup(spec: Spec, plan: namespaces.Plan, console: Console | None,
           confine: seccomp.Filter | None) -> tuple[str, dict[str, str]]:
    if not plan.new_user:  # else entered already, by _enter_user_namespace
        namespaces.enter(plan)
    if not plan.has("mount"):
        raise SetupFailed("the native runtime needs a mount namespace (linux.namespaces: mount)")
    rootfs.enter(spec)
    if spec.hostname is not None and plan.has("uts"):
        sc.sethostname(spec.hostname)
    if spec.domainname is not None and plan.has("uts"):
        sc.setdomainname(spec.domainname)
    sysctls(spec.sysctl)  # before /proc/sys is made read-only
    os.makedirs(spec.process.cwd, exist_ok=True)  # before a read-only root stops it
    rootfs.seal(spec)
    if console is not None:
        console.attach(spec.process.console_size, owner=(spec.process.user.uid, spec.process.user.gid))
    return apply(spec.process, confine)


def container_main(spec: Spec, plan: namespaces.Plan, chan: Channel, fifo_fd: int | None, init: bool,
                   console_socket: str | None = None, confine: seccomp.Filter | None = None) -> None:
    """The forked child: never returns."""
    code = 1
    try:
        if chan.receive().get("type") != "go":
            os._exit(1)
        if plan.new_user:
            _enter_user_namespace(plan, chan)
        console = Console(console_socket) if console_socket else None
        program, env = _setup(spec, plan, console, confine)
        chan.send("ready")
        if not wait_for_start(chan, fifo_fd):
            os._exit(0)
        chan.sock.close()
        confine_late(spec.process, confine)
        if init:
            child = os.fork()
            if child == 0:
                execute(program, spec.process, env)
            reap_forever(child)
        execute(program, spec.process, env)
    except PycomposeError as e:
        code = e.exit_code if isinstance(e, ExecFailed) else 1
        _report(chan, e.message, code)
    except BaseException as e:  # noqa: BLE001 - the child must report, never unwind into the launcher
        _report(chan, f"container setup: {e!r}", 1)
    os._exit(code)


def _report(chan: Channel, message: str, code: int) -> None:
    try:
        chan.send("error", message=message, code=code)
    except OSError:
        sys.stderr.write(message + "\n")
