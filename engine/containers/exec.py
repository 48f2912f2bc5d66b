"""`exec`: another process in a running container, through its runtime's `exec`.

    code = exec.run(svc, "web", ExecOptions(argv=("sh", "-c", "exit 4")))   # 4

The process joins all of the container's namespaces (the runtime does that: the
native one's `engine.runtime exec`, or `runc`/`crun exec`) and its cgroup: runc
and crun place it there themselves; for the native runtime the runtime process
joins the cgroup before it forks, so its child is born inside it. Its stdout and
stderr are the caller's, its stdin too with `interactive` (else /dev/null; a
detached one gets /dev/null for all three) and its exit code is returned; the
runtime's own failures keep runc's codes (126 not runnable, 127 not found, 1).

With `tty`, `start_tty` gives the process a pty of the container's devpts, as
containerd's shim does it: the runtime's `exec --tty --console-socket --detach
--pid-file` sends the master to a socket we listen on and leaves the process to us
(the caller becomes a child subreaper, so that it is our child to wait for). The
caller relays the master (compose.cli.terminal) and `Execution.wait()`s.

    execution = exec.start_tty(record, rootfs, ExecOptions(argv=("sh",), tty=True, interactive=True))
    code = execution.wait()

The process is described whole to the runtime (`exec --process FILE`, as Docker's
daemon drives runc): the container's own `process` with the command, environment,
user, working directory and terminal changed (`process()`); runc, crun and the
native runtime then read the same thing (crun's `--env` would replace the
environment where runc's adds to it).

Terms: a user is resolved against the container's /etc/passwd here (`-u nobody`
becomes `65534:65534`, and HOME follows it); the runtimes take numbers only.
Refused (Conflict) unless the container is running: a paused one first needs
`unpause`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from engine.containers import files, launcher
from engine.containers.errors import ContainerBusy, ContainerInvalid, ExecFailed
from engine.state import ContainerRecord


@dataclass(frozen=True)
class ExecOptions:
    """What `exec` is asked: command, environment, user, directory, terminal."""

    argv: tuple[str, ...]
    env: tuple[str, ...] = ()       # KEY=VALUE, over the container's environment
    user: str | None = None         # uid[:gid] or name[:group], as `run -u`
    workdir: str | None = None
    detach: bool = False
    tty: bool = False               # a pty for the process (start_tty)
    interactive: bool = False       # our stdin is the process's (without a tty)
    privileged: bool = False        # every capability the engine holds (`docker exec --privileged`)
    quiet: bool = False             # wait for it, its output dropped (a compose hook run detached)


def check_running(record: ContainerRecord) -> None:
    if record.state == "paused":
        raise ContainerBusy(f"container `{record.name}` is paused", hint="unpause the container before exec")
    if record.state != "running":
        raise ContainerBusy(f"container `{record.name}` is not running")


def process(config: dict, rootfs: Path, options: ExecOptions) -> dict:
    """The exec'd process as a runtime-spec `process`, for the runtime's `exec --process` (as Docker's daemon
    hands one to runc): the container's own, with the command, the environment (the container's, then `-e`, a
    later key winning; TERM=xterm with a tty), the user (and its HOME), the working directory and the terminal
    asked for. Pure but for reading the container's passwd."""
    if not options.argv:
        raise ContainerInvalid("exec: give the command to run in the container")
    proc = dict(config["process"])
    env = dict(item.partition("=")[::2] for item in proc.get("env") or ())
    if options.user:
        uid, gid, home = files.resolve_user(rootfs, options.user)
        proc["user"] = {"uid": uid, "gid": gid}
        env["HOME"] = home
    for item in options.env:
        key, _, value = item.partition("=")
        if not key:
            raise ContainerInvalid(f"invalid environment variable: {item!r}")
        env[key] = value
    if options.tty:
        env.setdefault("TERM", "xterm")  # as Docker's daemon adds it
    proc.update(args=list(options.argv), env=[f"{k}={v}" for k, v in env.items()], terminal=options.tty)
    if options.workdir:
        proc["cwd"] = options.workdir
    if options.privileged:
        from engine.containers.security import every_capability

        every = list(every_capability())
        proc["capabilities"] = {"bounding": every, "effective": every, "permitted": every}
    proc.pop("consoleSize", None)
    return proc


def runtime_argv(record: ContainerRecord, process_file: str, *flags: str) -> list[str]:
    """The runtime's `exec` command line: `--process FILE` and `flags` (--detach, --tty, ...) before the ID."""
    head = launcher.exec_argv(record.config.launch, [])  # [..., "exec", ID]
    return [*head[:-1], *flags, "--process", process_file, head[-1]]


@contextlib.contextmanager
def _scratch(record: ContainerRecord, rootfs: Path, options: ExecOptions) -> Iterator[str]:
    """A directory of our own for one exec: `process.json` written there; removed afterwards. Under the run root,
    whose path is short enough for the console socket a tty needs (a unix socket's path)."""
    import tempfile

    run_root = os.path.dirname(record.config.launch["root"])
    directory = tempfile.mkdtemp(prefix="pcexec-", dir=run_root if len(run_root) < 80 else None)
    try:
        config = json.loads((rootfs.parent / "config.json").read_text())
        with open(os.path.join(directory, "process.json"), "w") as f:
            json.dump(process(config, rootfs, options), f)
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _joiner(procs: list[str]) -> Callable[[], None] | None:
    if not procs:
        return None

    def join() -> None:  # in the child, before exec: the runtime, then its fork, are in the cgroup
        pid = str(os.getpid())
        for path in procs:
            with open(path, "w") as f:
                f.write(pid)
    return join


def _runtime_env(launch: dict) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"), "LANG": "C.UTF-8",
            "PYTHONPATH": str(launch.get("pythonpath", ""))}


def _preexec(launch: dict) -> Callable[[], None] | None:
    native = launch.get("runtime", "native") == "native"
    return _joiner(list(launch.get("cgroup_procs", ()))) if native else None


def run(record: ContainerRecord, rootfs: Path, options: ExecOptions) -> int:
    """Run `options.argv` in the (observed) running container `record`; its exit code (0 when detached)."""
    check_running(record)
    launch = record.config.launch
    quiet = subprocess.DEVNULL if options.detach or options.quiet else None
    # detached: the program outlives us, so it must not hold our stdio (as `docker exec -d`)
    stdin = None if options.interactive and not options.detach else subprocess.DEVNULL
    with _scratch(record, rootfs, dataclasses.replace(options, tty=False)) as scratch:
        argv = runtime_argv(record, os.path.join(scratch, "process.json"), *(["--detach"] if options.detach else []))
        done = subprocess.run(argv, env=_runtime_env(launch), cwd="/", stdin=stdin, stdout=quiet, stderr=quiet,
                              check=False, preexec_fn=_preexec(launch))
    return done.returncode


@dataclass
class Execution:
    """An exec'd process with a pty: our child (we are its subreaper), its master held here."""

    pid: int
    master: int

    def wait(self) -> int:
        """Its exit code (128 + N when signal N ended it); the master is closed."""
        try:
            _, status = os.waitpid(self.pid, 0)
        finally:
            os.close(self.master)
        code = os.waitstatus_to_exitcode(status)
        return 128 - code if code < 0 else code

    def kill(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signum)

    def hang_up(self) -> None:
        """Close the master without waiting: the process's terminal hangs up."""
        with contextlib.suppress(OSError):
            os.close(self.master)


def start_tty(record: ContainerRecord, rootfs: Path, options: ExecOptions) -> Execution:
    """Start `options.argv` in `record` with a pty of its own; raises ExecFailed when it cannot be run."""
    import socket

    from engine.supervisor.subreaper import become_subreaper

    check_running(record)
    become_subreaper()
    launch = record.config.launch
    with _scratch(record, rootfs, dataclasses.replace(options, tty=True)) as scratch, \
            socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
        console, pid_file = os.path.join(scratch, "console.sock"), os.path.join(scratch, "pid")
        argv = runtime_argv(record, os.path.join(scratch, "process.json"), "--detach", "--tty",
                            "--console-socket", console, "--pid-file", pid_file)
        listener.bind(console)
        listener.listen(1)
        done = subprocess.run(argv, env=_runtime_env(launch), cwd="/", stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False,
                              preexec_fn=_preexec(launch))
        if done.returncode != 0:
            message = done.stderr.strip() or f"exec: the runtime exited with code {done.returncode}"
            raise ExecFailed(message, exit_code=_exit_code(done.returncode, message))
        listener.settimeout(10.0)
        conn, _ = listener.accept()
        with conn:
            _, fds, _, _ = socket.recv_fds(conn, 1024, 1)
        with open(pid_file) as f:
            pid = int(f.read().strip())
    if not fds:
        raise ExecFailed("exec: the runtime sent no terminal", exit_code=1)
    return Execution(pid, fds[0])


def _exit_code(code: int, message: str) -> int:
    """The runtime's code when it is one of the shell's (126, 127), else Docker's reading of its words."""
    return code if code in (126, 127) else launcher.exit_code_for(message)
