"""The launcher's side of the runtime: the operations `create`, `start`, `run`, `kill`, `delete`, `exec`.

Lifecycle (runc's): `create` forks the container's process, which sets itself up
and blocks on `<root>/<id>/exec.fifo` before the user's program; `start` writes a
byte into the fifo and removes it, and the program runs; `kill` signals it; once it
is `stopped`, `delete` removes the state. `run` is create and start in one, waiting
for the program and exiting as it does.

    pid = launch.create(Store(root), "web", "/bundles/web")
    launch.start(Store(root), "web")

`on_fork(pid)` is where the caller puts the new process in its cgroups: the child
waits for it before it makes its cgroup namespace.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import socket
import time
from collections.abc import Callable

from engine.runtime import capabilities, namespaces, process, seccomp, spec
from engine.runtime import syscalls as sc
from engine.runtime.errors import SetupFailed, WrongState
from engine.runtime.process import Channel
from engine.runtime.state import Record, Store, now, start_time

INIT_ANNOTATION = "org.pycompose.init"
_FORWARDED = (signal.SIGHUP, signal.SIGINT, signal.SIGQUIT, signal.SIGTERM, signal.SIGUSR1, signal.SIGUSR2,
              signal.SIGWINCH, signal.SIGCONT)


def _fork_container(store: Store, s: spec.Spec, fifo: str | None, init: bool, console_socket: str | None,
                    on_fork: Callable[[int], None] | None) -> tuple[int, Channel]:
    plan = namespaces.plan(s.namespaces)
    confine = seccomp.program(s.seccomp, store.root)  # compiled (or read from the cache) before the fork
    capabilities.last_cap()  # read once, here: the child asks it for each capability it sets
    if plan.new_user:  # PID 1 is our grandchild: as a subreaper, we reap it (and `run` waits for it)
        sc.prctl(sc.PR_SET_CHILD_SUBREAPER, 1)
    ours, theirs = socket.socketpair()
    fifo_fd = os.open(fifo, os.O_RDWR | os.O_CLOEXEC) if fifo else None
    namespaces.enter_pid(plan)
    pid = os.fork()
    if pid == 0:
        ours.close()
        process.container_main(s, plan, Channel(theirs), fifo_fd, init, console_socket, confine)
    theirs.close()
    if fifo_fd is not None:
        os.close(fifo_fd)
    chan = Channel(ours)
    try:
        if on_fork is not None:
            on_fork(pid)
        chan.send("go")
        reply = chan.receive()
        if reply.get("type") == "userns":
            pid, reply = _map_user_namespace(s, pid, chan)
    except BaseException:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise
    if reply.get("type") != "ready":
        os.waitpid(pid, 0)
        code = int(reply.get("code", 1))  # type: ignore[call-overload]
        message = str(reply.get("message", "the container's process died during setup"))
        raise (process.ExecFailed if code in (126, 127) else SetupFailed)(message, exit_code=code)
    return pid, chan


def _map_user_namespace(s: spec.Spec, pid: int, chan: Channel) -> tuple[int, dict[str, object]]:
    """Write the maps of the user namespace `pid` made; (PID 1's pid, its next message)."""
    namespaces.write_id_maps(pid, s.uid_mappings, s.gid_mappings)
    chan.send("mapped")
    reply = chan.receive()
    if reply.get("type") != "pid":
        return pid, reply  # an error, reported by the caller
    os.waitpid(pid, 0)  # the intermediate process, gone once PID 1 exists (reparented to us)
    return int(reply["pid"]), chan.receive()  # type: ignore[call-overload]


def _record(store: Store, cid: str, s: spec.Spec, pid: int) -> Record:
    record = Record(id=cid, pid=pid, bundle=s.bundle, rootfs=s.root_path, created=now(),
                    starttime=start_time(pid) or 0, annotations=s.annotations, ociVersion=s.oci_version)
    store.save(record)
    return record


def _write_pid_file(path: str | None, pid: int) -> None:
    if path:
        tmp = f"{path}.tmp"
        with open(tmp, "w") as f:
            f.write(str(pid))
        os.replace(tmp, path)


def create(store: Store, cid: str, bundle: str, *, pid_file: str | None = None, init: bool | None = None,
           console_socket: str | None = None, on_fork: Callable[[int], None] | None = None) -> int:
    s = spec.load(bundle)
    store.reserve(cid)
    try:
        fifo = store.fifo(cid)
        os.mkfifo(fifo, 0o622)
        wants_init = init if init is not None else s.annotations.get(INIT_ANNOTATION) == "true"
        pid, chan = _fork_container(store, s, fifo, wants_init, console_socket, on_fork)
        chan.sock.close()
        _record(store, cid, s, pid)
        _write_pid_file(pid_file, pid)
    except BaseException:
        store.release(cid)
        raise
    return pid


def start(store: Store, cid: str) -> None:
    record = store.load(cid)
    store.check("start", record)
    fifo = store.fifo(cid)
    try:
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        raise WrongState("cannot start a container that has stopped") from None
    try:
        os.write(fd, b"0")
    finally:
        os.close(fd)
        os.unlink(fifo)


def _forward_signals(pid: int) -> None:
    for sig in _FORWARDED:
        signal.signal(sig, lambda s, _f: _signal_quietly(pid, s))


def _signal_quietly(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def run(store: Store, cid: str, bundle: str, *, pid_file: str | None = None, init: bool | None = None,
        detach: bool = False, console_socket: str | None = None,
        on_fork: Callable[[int], None] | None = None) -> int:
    """Create and start; the program's exit code (128+n when signal n ended it), or 0 when detached."""
    if detach:
        create(store, cid, bundle, pid_file=pid_file, init=init, console_socket=console_socket, on_fork=on_fork)
        start(store, cid)
        return 0
    s = spec.load(bundle)
    store.reserve(cid)
    try:
        wants_init = init if init is not None else s.annotations.get(INIT_ANNOTATION) == "true"
        pid, chan = _fork_container(store, s, None, wants_init, console_socket, on_fork)
        _record(store, cid, s, pid)
        _write_pid_file(pid_file, pid)
        _forward_signals(pid)
        chan.send("start")
        chan.sock.close()
        _, status = os.waitpid(pid, 0)
        return process.exit_code(status)
    finally:
        store.release(cid)


def parse_signal(text: str) -> int:
    if text.isdigit():
        return int(text)
    name = text.upper()
    name = name if name.startswith("SIG") else f"SIG{name}"
    try:
        return int(signal.Signals[name])
    except KeyError:
        raise SetupFailed(f"unknown signal {text!r}") from None


def _pid_namespace_members(pid: int) -> list[int]:
    try:
        ns = os.stat(f"/proc/{pid}/ns/pid").st_ino
    except OSError:
        return []
    members = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}/ns/pid").st_ino == ns:
                    members.append(int(entry))
            except OSError:
                continue
    return members


def kill(store: Store, cid: str, sig: int = signal.SIGTERM, all_processes: bool = False) -> None:
    record = store.load(cid)
    store.check("kill", record)
    targets = _pid_namespace_members(record.pid) if all_processes else [record.pid]
    for pid in targets or [record.pid]:
        _signal_quietly(pid, sig)


def wait_gone(pid: int, starttime: int, timeout: float = 10.0) -> bool:
    """Wait until `pid` (which need not be our child) has exited: pidfd poll, with a deadline."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        if start_time(pid) != starttime:
            return True
        deadline = time.monotonic() + timeout
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        while (left := deadline - time.monotonic()) > 0:
            if poller.poll(left * 1000):
                return True
        return False
    finally:
        os.close(fd)


def delete(store: Store, cid: str, force: bool = False) -> None:
    record = store.load(cid)
    status = store.status(record)
    if status == "running" and not force:
        store.check("delete", record)
    if status != "stopped":
        _signal_quietly(record.pid, signal.SIGKILL)
        if not wait_gone(record.pid, record.starttime):
            raise SetupFailed(f"delete container `{cid}`: its process {record.pid} did not exit after SIGKILL")
    store.release(cid)
