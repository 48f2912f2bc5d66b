"""What a user asks of `container run` / `container create`, as frozen data (the CLI fills it in).

The fields follow Docker's HostConfig; their Docker spellings are parsed in engine.containers.flags
and they become config.json in engine.containers.bundle (with .security, .isolation, .devices, .limits).
Docker's defaults: `ipc` private, `pid`/`uts` the container's own, `cgroupns` private, /dev/shm 64 MiB,
the json-file log driver without rotation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.state.record import Healthcheck

RUNTIMES = ("native", "runc", "crun")
PROPAGATIONS = ("private", "rprivate", "shared", "rshared", "slave", "rslave")


@dataclass(frozen=True)
class Mount:
    """One mount of `-v`, `--mount` or `--tmpfs`: `type` bind, volume or tmpfs.

    bind: `source` a host path (made when missing only with `create_host_path`), `propagation` one of
    PROPAGATIONS (None: rprivate); volume: `source` a volume's name (None: an anonymous one, named on
    create), `subpath` a directory in it to mount instead of its root; tmpfs: `size` in bytes, `mode` bits.
    """

    type: str
    target: str
    source: str | None = None
    read_only: bool = False
    create_host_path: bool = False
    nocopy: bool = False
    size: int | None = None
    mode: int | None = None
    propagation: str | None = None
    subpath: str | None = None


@dataclass(frozen=True)
class Ulimit:
    """One `--ulimit name=soft[:hard]`: `name` as Docker spells it (nofile, nproc, core, ...); -1 unlimited."""

    name: str
    soft: int
    hard: int


@dataclass(frozen=True)
class Device:
    """One `--device HOST[:CONTAINER][:PERMISSIONS]`: a host device node (or a directory of them)."""

    host: str
    container: str
    permissions: str = "rwm"


@dataclass(frozen=True)
class RunOptions:
    """What `run`/`create` is asked of one container, in Docker's terms (the CLI and compose fill it in)."""

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
    remove_on_exit: bool = False           # the supervisor removes it once it has exited (run -d --rm: none waits)
    volatile_rootfs: bool = False          # its changes need not survive a crash (a build's RUN): never synced
    healthcheck: Healthcheck | None = None  # None: the image's HEALTHCHECK, if it has one
    mounts: tuple[Mount, ...] = ()
    resolv_conf: str | None = None         # a host file to bind at /etc/resolv.conf instead of the engine's
    hosts: str | None = None               # a host file to bind at /etc/hosts instead of the engine's
    # security and the process (engine.containers.security)
    privileged: bool = False
    cap_add: tuple[str, ...] = ()          # CAP_NET_ADMIN, net_admin or ALL, as Docker takes them
    cap_drop: tuple[str, ...] = ()
    read_only: bool = False
    no_new_privileges: bool = False
    seccomp: str | None = None             # None: the default profile; "unconfined"; or a host path to a profile
    system_paths_unconfined: bool = False  # `--security-opt systempaths=unconfined`: no masked/read-only paths
    group_add: tuple[str, ...] = ()        # group names (the container's /etc/group) or numbers
    init: bool = False
    domainname: str | None = None
    sysctls: dict[str, str] = field(default_factory=dict)
    ulimits: tuple[Ulimit, ...] = ()
    oom_score_adj: int | None = None
    annotations: dict[str, str] = field(default_factory=dict)
    # namespaces (engine.containers.isolation); container:<name|id> joins another container's
    ipc: str = "private"                   # private, shareable, host, none, container:<x>
    pid: str = ""                          # "" (its own), host, container:<x>
    uts: str = ""                          # "" (its own), host
    cgroupns: str = "private"              # private, host
    userns: str = ""                       # "" or host: user namespaces are not remapped here
    shm_size: int | None = None            # bytes of /dev/shm (Docker's default 64 MiB)
    # devices (engine.containers.devices)
    devices: tuple[Device, ...] = ()
    device_cgroup_rules: tuple[str, ...] = ()  # `c 1:3 rwm`
    # resources, in Docker's units (engine.containers.limits)
    cpu_shares: int | None = None
    cpu_quota: int | None = None           # microseconds per period
    cpu_period: int | None = None          # microseconds
    cpuset_cpus: str | None = None
    cpuset_mems: str | None = None
    memory_reservation: str | None = None  # soft limit, as --memory
    memory_swap: str | None = None         # memory+swap, as --memory; "-1" unlimited
    memory_swappiness: int | None = None   # 0..100
    oom_kill_disable: bool = False
    blkio_weight: int | None = None        # 10..1000
    blkio_weight_device: tuple[tuple[str, int], ...] = ()   # (device path, weight)
    device_read_bps: tuple[tuple[str, str], ...] = ()       # (device path, rate as 1mb)
    device_write_bps: tuple[tuple[str, str], ...] = ()
    device_read_iops: tuple[tuple[str, int], ...] = ()
    device_write_iops: tuple[tuple[str, int], ...] = ()
    cgroup_parent: str | None = None       # the container's cgroup is <parent>/<id>, under pycompose
    # logging (the supervisor writes json-file; local is json-file with local's defaults; none keeps nothing)
    log_driver: str = "json-file"
    log_opts: dict[str, str] = field(default_factory=dict)
    # from another container, and metadata
    volumes_from: tuple[str, ...] = ()     # <name|id>[:ro|:rw]: its mounts, again here
    expose: tuple[str, ...] = ()           # 80/tcp: Config.ExposedPorts, nothing more (as Docker)
    extra_hosts: tuple[tuple[str, str], ...] = ()  # (host, address) lines of the engine's /etc/hosts
    # a terminal and stdin (compose.cli.interactive, the supervisor's attach)
    tty: bool = False                      # -t: a pseudo-terminal for the process
    open_stdin: bool = False               # -i: keep its stdin open for attached clients
    stdin_once: bool = False               # close that stdin when the first attached client's input ends
    console_size: tuple[int, int] | None = None  # (rows, columns) of the pty when it starts
