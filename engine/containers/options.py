"""What a user asks of `container run` / `container create`, as frozen data (the CLI fills it in)."""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.state.record import Healthcheck

RUNTIMES = ("native", "runc", "crun")


@dataclass(frozen=True)
class Mount:
    """One mount of `-v`, `--mount` or `--tmpfs`: `type` bind, volume or tmpfs.

    bind: `source` a host path (made when missing only with `create_host_path`); volume: `source`
    a volume's name (None: an anonymous one, named on create); tmpfs: `size` in bytes, `mode` bits.
    """

    type: str
    target: str
    source: str | None = None
    read_only: bool = False
    create_host_path: bool = False
    nocopy: bool = False
    size: int | None = None
    mode: int | None = None


@dataclass(frozen=True)
class RunOptions:
    image: str
    command: tuple[str, ...] = ()          # replaces the image's Cmd
    entrypoint: tuple[str, ...] | None = None  # replaces the image's Entrypoint (and drops its Cmd)
    name: str | None = None
    env: tuple[str, ...] = ()              # KEY=VALUE, over the image's Env
    user: str | None = None                # uid[:gid] or name[:group]
    workdir: str | None = None
    hostname: str | None = None
    memory: str | None = None              # Docker's --memory: 16m, 1g, bytes
    cpus: float | None = None
    pids_limit: int | None = None
    network: str = "none"                  # none, host, or the path of a network namespace
    runtime: str = "native"
    labels: dict[str, str] = field(default_factory=dict)
    restart: str = "no"
    stop_signal: str | None = None
    stop_timeout: float | None = None
    auto_remove: bool = False
    healthcheck: Healthcheck | None = None  # None: the image's HEALTHCHECK, if it has one
    mounts: tuple[Mount, ...] = ()
    resolv_conf: str | None = None         # a host file to bind at /etc/resolv.conf instead of the engine's
    hosts: str | None = None               # a host file to bind at /etc/hosts instead of the engine's
    seccomp: str | None = None             # None: Docker's default profile; "unconfined": none; else a profile file
    tty: bool = False                      # -t: a pseudo-terminal for the process
    open_stdin: bool = False               # -i: keep its stdin open for attached clients
    stdin_once: bool = False               # close that stdin when the first attached client's input ends
    console_size: tuple[int, int] | None = None  # (rows, columns) of the pty when it starts
