"""What the options ask of the host and of other containers, looked up so that the bundle stays pure.

    groups(rootfs, "web", 33, ("audio", "5"))      # the gids a process of user web gets (Docker's getUser)
    joins(svc, options)                            # (namespace paths, /dev/shm) of container:x modes
    host(svc, options, bundle)                     # bundle.Host for config()
    volumes_from(svc, options)                     # the mounts of `--volumes-from` containers

Joining another container needs it running: its namespaces are those of its process, so they are
resolved each time this container starts (its pid may have changed since). Joining its IPC
namespace also binds its /dev/shm, which only a `shareable` (or host-IPC) container has, as Docker.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from engine.containers import devices as devs
from engine.containers.bundle import Host
from engine.containers.errors import ContainerInvalid
from engine.containers.files import colon_table
from engine.containers.isolation import joined
from engine.containers.options import Mount, RunOptions
from engine.containers.security import held
from engine.containers.service import SHM_DIR

if TYPE_CHECKING:
    from engine.containers.service import ContainerService

HOST_SHM = "/dev/shm"
INIT_BINARIES = ("docker-init", "tini-static", "tini")


def groups(rootfs: Path, user: str, gid: int, group_add: tuple[str, ...]) -> tuple[int, ...]:
    """The primary gid, the groups that list the user in the container's /etc/group, then `group_add`
    (names looked up there, numbers as they are), once each."""
    table = colon_table(rootfs / "etc" / "group")
    name = user.partition(":")[0]
    if name.isdigit():
        name = next((e[0] for e in colon_table(rootfs / "etc" / "passwd") if len(e) >= 3 and e[2] == name), "")
    found = [gid]
    found += [int(e[2]) for e in table if len(e) >= 4 and name and name in e[3].split(",") and e[2].isdigit()]
    for group in group_add:
        if group.isdigit():
            found.append(int(group))
            continue
        match = next((e for e in table if len(e) >= 3 and e[0] == group), None)
        if match is None:
            raise ContainerInvalid(f"unable to find group {group}: no matching entries in group file")
        found.append(int(match[2]))
    return tuple(dict.fromkeys(found))


def _running(svc: ContainerService, ref: str, what: str, strict: bool) -> tuple[int, dict]:
    """(pid, launch) of the container `ref` that `what` (IPC, PID) joins; its pid is 0 when it does not run
    and `strict` is off (at create: the paths are resolved again at each start)."""
    record = svc.get(ref)
    pid = svc.container_pid(record) if record.state == "running" else 0
    if not pid and strict:
        if what == "PID":
            raise ContainerInvalid(f"cannot join PID of a non running container: {ref}")
        raise ContainerInvalid(f"can't join {what} of container {ref}: container {ref} is not running")
    return pid, record.config.launch


def joins(svc: ContainerService, options: RunOptions, strict: bool = True) -> tuple[dict[str, str], str | None]:
    """The namespace paths of `container:x` modes, and the /dev/shm to bind when IPC is joined."""
    paths: dict[str, str] = {}
    shm = None
    pid_of = joined(options.pid)
    if pid_of is not None:
        pid, _ = _running(svc, pid_of, "PID", strict)
        paths["pid"] = f"/proc/{pid}/ns/pid" if pid else ""
    ipc_of = joined(options.ipc)
    if ipc_of is not None:
        pid, launch = _running(svc, ipc_of, "IPC", strict)
        shm = launch.get("shm")
        if not shm:
            raise ContainerInvalid(f"can't join IPC of container {ipc_of}: non-shareable IPC (hint: use "
                                   "IpcMode:shareable for the donor container)")
        paths["ipc"] = f"/proc/{pid}/ns/ipc" if pid else ""
    return paths, shm


def own_shm(options: RunOptions, bundle: Path) -> str | None:
    """Where this container's /dev/shm lies on the host, when another may join it: its own tmpfs
    (shareable) or the host's (host IPC); None otherwise."""
    if options.ipc == "shareable":
        return str(bundle / SHM_DIR)
    if options.ipc == "host":
        if not Path(HOST_SHM).is_dir():
            raise ContainerInvalid("/dev/shm is not mounted, but must be for --ipc=host")
        return HOST_SHM
    return None


def shm_source(svc: ContainerService, options: RunOptions, bundle: Path) -> str | None:
    """The host directory that is this container's /dev/shm when others may join it (a container that joins
    another's IPC shares that one's, so a third may join either)."""
    if joined(options.ipc) is not None:
        return joins(svc, options, strict=False)[1]
    return own_shm(options, bundle)


# Docker's sysctls for a container with a network namespace of its own: ICMP echo sockets for every group
# (ping without CAP_NET_RAW) and every port bindable without CAP_NET_BIND_SERVICE (moby's WithCommonOptions)
DEFAULT_SYSCTLS = {"net.ipv4.ping_group_range": "0 2147483647", "net.ipv4.ip_unprivileged_port_start": "0"}


def default_sysctls() -> dict[str, str]:
    """DEFAULT_SYSCTLS that this kernel has (runc refuses one it does not)."""
    return {k: v for k, v in DEFAULT_SYSCTLS.items() if Path("/proc/sys", *k.split(".")).exists()}


def init_path() -> str | None:
    return next((p for p in map(shutil.which, INIT_BINARIES) if p), None)


def source_propagation(path: str, mountinfo: str) -> tuple[str, str]:
    """(the mount point holding `path`, its propagation: shared, slave or private) as `mountinfo` says."""
    best, kind = "/", "private"
    for line in mountinfo.splitlines():
        fields = line.split()
        point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), fields[4])  # \040 is a space
        inside = path == point or path.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):  # the longest, and the last of equals (mounted over the others)
            optional = fields[6:fields.index("-")]
            best = point
            kind = ("shared" if any(f.startswith("shared:") for f in optional) else
                    "slave" if any(f.startswith("master:") for f in optional) else "private")
    return best, kind


def check_propagation(options: RunOptions) -> None:
    """A bind that shares (or receives) mounts needs a source mount that does, as Docker requires."""
    wanted = [(m, m.propagation.removeprefix("r")) for m in options.mounts
              if m.type == "bind" and m.source and m.propagation and m.propagation.removeprefix("r") != "private"]
    if not wanted:
        return
    mountinfo = Path("/proc/self/mountinfo").read_text()
    for mount, kind in wanted:
        assert mount.source is not None
        point, has = source_propagation(os.path.realpath(mount.source), mountinfo)
        if kind == "shared" and has != "shared":
            raise ContainerInvalid(f"path {mount.source} is mounted on {point} but it is not a shared mount",
                                   hint=f"mount --make-shared {point}, or bind with rprivate propagation")
        if kind == "slave" and has == "private":
            raise ContainerInvalid(f"path {mount.source} is mounted on {point} but it is not a shared or slave "
                                   "mount", hint=f"mount --make-shared {point}, or bind with rprivate propagation")


def host(svc: ContainerService, options: RunOptions, bundle: Path, strict: bool = True) -> tuple[Host, tuple]:
    """bundle.Host for `options`, and the device cgroup rules its devices need."""
    check_propagation(options)
    paths, shm = joins(svc, options, strict)
    nodes: list[dict] = devs.host_devices() if options.privileged else []
    rules = []
    for device in options.devices:
        if options.privileged and device.host == device.container:
            continue  # already there, as every host device is
        found, allowed = devs.from_path(device)
        nodes += found
        rules += allowed
    wants_init = options.init and not options.pid
    return (Host(joins=paths, shm=shm or own_shm(options, bundle), devices=tuple(nodes),
                 init_path=init_path() if wants_init else None, bounding=held(), sysctls=default_sysctls()),
            devs.cgroup_rules(options, rules))


def volumes_from(svc: ContainerService, options: RunOptions) -> RunOptions:
    """`options` with the mounts of each `--volumes-from` container (`:ro` makes them read-only, `:rw` keeps
    each as it was there); a target the options mount themselves keeps their mount."""
    taken = {m.target for m in options.mounts}
    extra: list[Mount] = []
    for spec in options.volumes_from:
        ref, _, mode = spec.partition(":")
        if mode not in ("", "ro", "rw"):
            raise ContainerInvalid(f"invalid mode for volumes-from: {spec}", hint="give <container>[:ro|:rw]")
        record = svc.get(ref)
        for raw in record.config.launch.get("options", {}).get("mounts") or []:
            mount = Mount(**raw)
            if mount.type == "tmpfs" or mount.target in taken:
                continue
            taken.add(mount.target)
            extra.append(replace(mount, read_only=True) if mode == "ro" else mount)
    return replace(options, mounts=options.mounts + tuple(extra)) if extra else options
