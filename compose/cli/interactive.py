"""Attached and interactive commands, shared by `container run|start -a|attach|exec` and compose's `run`, `attach`
and `exec`: attach (before the start, so that nothing is missed), relay (compose.cli.terminal), then the exit code.

    code = attached(svc, record, stdin=True, proxy=True, start=True)   # None when the user detached
    code = execute(svc, "web", ExecOptions(argv=("sh",), tty=True, interactive=True))
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from compose.cli import terminal
from compose.errors import ComposeError
from engine.containers.attach import check_attachable

if TYPE_CHECKING:
    from engine.containers.exec import ExecOptions
    from engine.containers.service import ContainerService
    from engine.state import ContainerRecord


class EscapeSequence(ComposeError):
    """The user typed the detach keys in `attach`: Docker reports it as an error (exit 1), the container runs on."""


def attached(svc: ContainerService, record: ContainerRecord, *, stdin: bool, proxy: bool, start: bool,
             detach_keys: str | None = None, refresh: bool = False) -> int | None:
    """Attach to `record` (our stdin too when `stdin` and it keeps stdin open), start it when asked, relay until
    it ends; its exit code, or None when the detach keys were typed. `proxy`: our signals go to it."""
    keys = detach_keys or terminal.DEFAULT_DETACH_KEYS
    terminal.detach_keys(keys)  # a bad sequence is refused before anything starts
    conn = svc.attach(record.id, stdin=stdin)
    try:
        if start:
            svc.start(record.id)
        else:  # it may have stopped since it was looked at: we would wait for its next start
            check_attachable(svc.get(record.id))
        remote = terminal.Attached(conn, resize=lambda rows, cols: svc.resize(record.id, rows, cols),
                                   kill=lambda name: svc.kill(record.id, name))
        terminal.stdout_flushed()
        outcome = terminal.session(remote, stdin=conn.stdin, tty=conn.tty, detach=keys, proxy=proxy,
                                   refresh=refresh)
    finally:
        conn.close()
    if outcome == "detached":
        return None
    return svc.wait(record.id)


def attach_running(svc: ContainerService, ref: str, *, no_stdin: bool, proxy: bool,
                   detach_keys: str | None = None) -> int:
    """`attach`: join a running container's output (and its stdin, when it keeps one open, unless `no_stdin`);
    its exit code. The detach keys end it with Docker's `read escape sequence` (exit 1)."""
    record = svc.get(ref)
    check_attachable(record)
    terminal.check_tty(not no_stdin, record.config.tty)
    code = attached(svc, record, stdin=not no_stdin and record.config.open_stdin,
                    proxy=proxy and not record.config.tty, start=False, detach_keys=detach_keys, refresh=True)
    if code is None:
        raise EscapeSequence("read escape sequence")
    return code


def execute(svc: ContainerService, ref: str, options: ExecOptions, detach_keys: str | None = None) -> int:
    """`exec`: with a tty, the process's pty relayed here (raw mode when our stdin is taken and a terminal);
    without one, our stdio are its own. Its exit code.

    Unlike Docker's, the exec'd process's pty is held by this CLI, not by a daemon: there are no detach keys
    (Ctrl-P reaches the process), and if we go, its terminal hangs up (SIGHUP), as over ssh."""
    if not options.tty or options.detach:
        sys.stdout.flush()
        return svc.exec(ref, options)
    terminal.check_tty(options.interactive, True)
    execution = svc.exec_tty(ref, options)
    remote = terminal.Pty(execution.master, kill=execution.kill)
    try:
        remote.resize(*(terminal.window_size() or (0, 0)))
        terminal.stdout_flushed()
        terminal.session(remote, stdin=options.interactive, tty=True, detach=None, proxy=True)
    except BaseException:
        execution.hang_up()  # we go: its terminal goes with us (SIGHUP), as with ssh
        raise
    return execution.wait()


def detached_notice(record: ContainerRecord, removing: bool) -> None:
    """After Ctrl-P Ctrl-Q on `run --rm`: the container runs on, and nothing will remove it."""
    if removing:
        sys.stderr.write(f"container `{record.name}` keeps running and will not be removed when it exits "
                         f"(--rm acts while run is attached); remove it with `rm -f {record.name}`\n")
