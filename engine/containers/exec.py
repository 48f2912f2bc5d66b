"""`exec`: another process in a running container, through its runtime's `exec`.

    code = exec.run(svc, "web", ExecOptions(argv=("sh", "-c", "exit 4")))   # 4

The process joins all of the container's namespaces (the runtime does that: the
native one's `engine.runtime exec`, or `runc`/`crun exec`) and its cgroup: runc
and crun place it there themselves; for the native runtime the runtime process
joins the cgroup before it forks, so its child is born inside it. Its stdio are
the caller's (a detached one gets /dev/null) and its exit code is returned; the
runtime's own failures keep runc's codes (126 not runnable, 127 not found, 1).

Terms: a user is resolved against the container's /etc/passwd here (`-u nobody`
becomes `65534:65534`, and HOME follows it); the runtimes take numbers only.
Refused (Conflict) unless the container is running: a paused one first needs
`unpause`.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from engine.containers import files, launcher
from engine.containers.errors import ContainerBusy, ContainerInvalid
from engine.state import ContainerRecord


@dataclass(frozen=True)
class ExecOptions:
    argv: tuple[str, ...]
    env: tuple[str, ...] = ()       # KEY=VALUE, over the container's environment
    user: str | None = None         # uid[:gid] or name[:group], as `run -u`
    workdir: str | None = None
    detach: bool = False
    privileged: bool = False        # every capability the engine holds (`docker exec --privileged`)
    quiet: bool = False             # wait for it, its output dropped (a compose hook run detached)


def check_running(record: ContainerRecord) -> None:
    if record.state == "paused":
        raise ContainerBusy(f"container `{record.name}` is paused", hint="unpause the container before exec")
    if record.state != "running":
        raise ContainerBusy(f"container `{record.name}` is not running")


def runtime_argv(record: ContainerRecord, rootfs: Path, options: ExecOptions) -> list[str]:
    """The runtime's `exec` command line for `options` (pure but for reading the container's passwd)."""
    if not options.argv:
        raise ContainerInvalid("exec: give the command to run in the container")
    flags: list[str] = []
    if options.user:
        uid, gid, home = files.resolve_user(rootfs, options.user)
        flags += ["--user", f"{uid}:{gid}", "--env", f"HOME={home}"]
    for item in options.env:
        if not item.partition("=")[0]:
            raise ContainerInvalid(f"invalid environment variable: {item!r}")
        flags += ["--env", item]
    if options.workdir:
        flags += ["--cwd", options.workdir]
    if options.detach:
        flags.append("--detach")
    if options.privileged:
        from engine.containers.security import every_capability

        flags += [flag for cap in every_capability() for flag in ("--cap", cap)]
    launch = record.config.launch
    head = launcher.exec_argv(launch, [])  # [..., "exec", ID]
    return [*head[:-1], *flags, head[-1], *options.argv]


def _joiner(procs: list[str]) -> Callable[[], None] | None:
    if not procs:
        return None

    def join() -> None:  # in the child, before exec: the runtime, then its fork, are in the cgroup
        pid = str(os.getpid())
        for path in procs:
            with open(path, "w") as f:
                f.write(pid)
    return join


def run(record: ContainerRecord, rootfs: Path, options: ExecOptions) -> int:
    """Run `options.argv` in the (observed) running container `record`; its exit code (0 when detached)."""
    check_running(record)
    argv = runtime_argv(record, rootfs, options)
    launch = record.config.launch
    native = launch.get("runtime", "native") == "native"
    env = {"PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"), "LANG": "C.UTF-8",
           "PYTHONPATH": str(launch.get("pythonpath", ""))}
    quiet = subprocess.DEVNULL if options.detach or options.quiet else None
    # detached: the program outlives us, so it must not hold our stdout/stderr (as `docker exec -d`)
    done = subprocess.run(argv, env=env, cwd="/", stdin=subprocess.DEVNULL, stdout=quiet, stderr=quiet, check=False,
                          preexec_fn=_joiner(list(launch.get("cgroup_procs", ()))) if native else None)
    return done.returncode
