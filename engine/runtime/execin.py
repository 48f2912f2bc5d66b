"""`exec`: another process in a running container, in all of its namespaces.

The launcher joins the container's PID namespace (effective for its next child)
and forks; the child joins the rest (mount last), takes on the process spec (by
default the container's own `process`, with the given args) and execs. A
close-on-exec pipe tells the launcher whether the exec happened: it is closed
unread on success, or carries the error.

With `process.terminal` the child connects to `console_socket` (a host path, so
before it joins the mount namespace), opens a pty of the container's devpts, makes
it its terminal and sends the master through the socket, as `run` does (runc's
`exec --tty --console-socket`).
"""

from __future__ import annotations

import json
import os

from engine.runtime import namespaces, process, seccomp, spec
from engine.runtime import syscalls as sc
from engine.runtime.console import Console
from engine.runtime.errors import SetupFailed
from engine.runtime.spec import Process
from engine.runtime.state import Store
from pycompose.errors import PycomposeError


def _child(targets: list[tuple[str, int]], proc: Process, report: int, confine: seccomp.Filter | None,
           console_socket: str | None) -> None:
    try:
        console = Console(console_socket) if console_socket else None
        namespaces.join([t for t in targets if t[1] != sc.CLONE_NEWPID])
        if console is not None:
            console.attach(proc.console_size, console=False, owner=(proc.user.uid, proc.user.gid))
        program, env = process.apply(proc, confine)
        process.confine_late(proc, confine)
        os.execve(program, list(proc.args), env)
    except PycomposeError as e:
        code = e.exit_code if isinstance(e, process.ExecFailed) else 1
        os.write(report, json.dumps({"message": e.message, "code": code}).encode())
    except OSError as e:
        code = 127 if e.errno == 2 else 126
        os.write(report, json.dumps({"message": f'exec: "{proc.args[0]}": {e.strerror}', "code": code}).encode())
    except BaseException as e:  # noqa: BLE001 - never unwind into the launcher
        os.write(report, json.dumps({"message": f"exec setup: {e!r}", "code": 1}).encode())
    os._exit(1)


def exec_in(store: Store, cid: str, proc: Process, *, detach: bool = False, pid_file: str | None = None,
            console_socket: str | None = None) -> int:
    """Run `proc` in container `cid`; its exit code, or 0 when detached."""
    record = store.load(cid)
    store.check("exec", record)
    confine = seccomp.program(spec.load(record.bundle).seccomp, store.root)  # the container's own filter
    if proc.terminal and not console_socket:
        raise SetupFailed("exec with a terminal: give --console-socket to receive its pty")
    targets = namespaces.foreign(record.pid)
    namespaces.join([t for t in targets if t[1] == sc.CLONE_NEWPID])
    read_end, write_end = os.pipe2(os.O_CLOEXEC)
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        _child(targets, proc, write_end, confine, console_socket if proc.terminal else None)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as f:
        failure = f.read()
    if failure:
        os.waitpid(pid, 0)
        reply = json.loads(failure)
        raise (process.ExecFailed if reply["code"] in (126, 127) else SetupFailed)(
            reply["message"], exit_code=reply["code"])
    if pid_file:
        with open(pid_file, "w") as f:
            f.write(str(pid))
    if detach:
        return 0
    from engine.runtime.launch import _forward_signals
    _forward_signals(pid)
    _, status = os.waitpid(pid, 0)
    return process.exit_code(status)
