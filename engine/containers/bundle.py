"""Image config + options -> an OCI runtime config.json, as Docker would write it. Pure: no file is touched.

    doc = bundle.config(image.config.container_config, options, Identity(...), files, resources)

What comes from where:
    process.args     Entrypoint + Cmd; `--entrypoint` replaces the first and drops the image's Cmd,
                     a command replaces Cmd (Docker's rule)
    process.env      the image's Env, then `-e` (a later key wins); PATH, HOSTNAME and HOME when absent,
                     and TERM=xterm with a terminal (Docker's daemon adds it)
    process.terminal `-t`, with consoleSize from `options.console_size` (the caller's terminal)
    process.cwd      `-w`, else WorkingDir, else /
    process.user     `-u`, else User (resolved by the caller against the container's /etc/passwd)
    mounts           the runtime's defaults (/proc, /dev, ...) + /etc/hostname, /etc/hosts, /etc/resolv.conf,
                     then `-v`/`--mount`/`--tmpfs` (binds rbind, `ro` remounted; a volume by its mountpoint)
                     (the last two from `options.hosts` / `options.resolv_conf` when the caller gives them:
                     compose writes them from what netplan knows of the container's networks)
    linux            Docker's capabilities, masked and read-only paths (engine.runtime.defaults),
                     resources and cgroupsPath (engine.cgroups), namespaces with network none/host/a path,
                     seccomp for the final bounding set (engine.containers.seccomp: Docker's default profile,
                     none when unconfined or privileged, or the profile file `options.seccomp` names: the one
                     file this module may read)
    the rest         engine.containers.security (capabilities, privileged, read-only, rlimits, sysctls,
                     init, ...), .isolation (namespaces shared or not, /dev/shm) and .devices (host devices,
                     given resolved as `Host.devices`)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.containers import isolation, seccomp, security
from engine.containers.errors import ContainerInvalid
from engine.containers.options import Mount, RunOptions
from engine.runtime import defaults

DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


@dataclass(frozen=True)
class Identity:
    """Who and where the process is: resolved by the caller (the user needs the mounted rootfs)."""

    hostname: str
    uid: int = 0
    gid: int = 0
    home: str = "/root"
    cgroup: str = ""  # pycompose/<id>
    additional_gids: tuple[int, ...] = ()  # the user's groups and `--group-add`'s, from the container's files


@dataclass(frozen=True)
class Host:
    """What the options need from the host and from other containers, resolved by the caller
    (engine.containers.resolve) so that `config` stays pure."""

    joins: dict[str, str] = field(default_factory=dict)  # "pid"/"ipc" -> /proc/<pid>/ns/<kind> of container:x
    shm: str | None = None                 # the host directory bound at /dev/shm (shareable, host, container:x)
    devices: tuple[dict[str, Any], ...] = ()  # OCI linux.devices of --device (and privileged's host devices)
    init_path: str | None = None           # docker-init, for `--init`
    bounding: int | None = None            # the capabilities the engine holds (None: read from /proc/self)
    sysctls: dict[str, str] = field(default_factory=dict)  # Docker's defaults for a network of its own


def process_args(image: dict[str, Any], options: RunOptions) -> list[str]:
    if options.entrypoint is not None:
        entrypoint, cmd = list(options.entrypoint), list(options.command)
    else:
        entrypoint = list(image.get("Entrypoint") or [])
        cmd = list(options.command) if options.command else list(image.get("Cmd") or [])
    args = [a for a in entrypoint if a] + cmd  # `--entrypoint ""` clears it
    if not args:
        raise ContainerInvalid(f"create container from `{options.image}`: no command specified",
                               hint="give a command after the image name, or an image with a CMD")
    return args


def environment(image: dict[str, Any], options: RunOptions, who: Identity) -> list[str]:
    merged: dict[str, str] = {}
    for item in [*(image.get("Env") or []), *options.env]:
        key, sep, value = item.partition("=")
        if not key:
            raise ContainerInvalid(f"invalid environment variable: {item!r}")
        merged[key] = value if sep else merged.get(key, "")
    out = {"PATH": DEFAULT_PATH.partition("=")[2], "HOSTNAME": who.hostname}
    if options.tty:
        out["TERM"] = "xterm"
    out.update(merged)
    out.setdefault("HOME", who.home or "/")
    return [f"{k}={v}" for k, v in out.items()]


def namespaces(network: str) -> list[dict[str, str]]:
    """The namespaces of a container with Docker's defaults and this network (see engine.containers.isolation)."""
    return isolation.namespaces(RunOptions("", network=network))


def mount_entry(mount: Mount, volumes: Mapping[str, str]) -> dict[str, Any]:
    """One OCI mount of the user's; `volumes` maps a volume's name to its mountpoint."""
    if mount.type == "tmpfs":
        options = ["nosuid", "nodev", "noexec"]
        options += [f"size={mount.size}"] if mount.size else []
        options += [f"mode={mount.mode:o}"] if mount.mode is not None else []
        return {"destination": mount.target, "type": "tmpfs", "source": "tmpfs",
                "options": options + (["ro"] if mount.read_only else [])}
    if mount.type == "bind":
        source = mount.source or ""
    elif mount.type == "volume":
        source = volumes[mount.source or ""]
        if mount.subpath:
            source = os.path.join(source, mount.subpath)
    else:
        raise ContainerInvalid(f"mount `{mount.target}`: type `{mount.type}` is not supported",
                               hint="use bind, volume or tmpfs")
    return {"destination": mount.target, "type": "bind", "source": source,
            "options": ["rbind", mount.propagation or "rprivate"] + (["ro"] if mount.read_only else [])}


def rootfs_propagation(mounts: tuple[Mount, ...]) -> str | None:
    """Docker's: the container's mounts shared when one bind is (shared, rshared), else slaves when one is
    (slave, rslave), so that what the bind passes on can travel; None: the runtime's default (rslave)."""
    kinds = {m.propagation.removeprefix("r") for m in mounts if m.type == "bind" and m.propagation}
    return "shared" if "shared" in kinds else "rslave" if "slave" in kinds else None


def _depth(mount: dict[str, Any]) -> int:
    return len([p for p in mount["destination"].split("/") if p])


def config(image: dict[str, Any], options: RunOptions, who: Identity, files: dict[str, str],
           resources: dict[str, Any] | None = None, volumes: Mapping[str, str] | None = None,
           host: Host | None = None) -> dict[str, Any]:
    """The config.json document; `files` maps /etc/hostname and friends to the host files to bind there,
    `volumes` the volumes the options mount to their mountpoints, `host` what was resolved on the host."""
    host = host or Host()
    doc = defaults.config(process_args(image, options), hostname=who.hostname,
                          cwd=options.workdir or image.get("WorkingDir") or "/",
                          env=environment(image, options, who))
    process = doc["process"]
    process["user"] = {"uid": who.uid, "gid": who.gid}
    if who.additional_gids:
        process["user"]["additionalGids"] = list(who.additional_gids)
    if options.tty:
        process["terminal"] = True
        if options.console_size:
            process["consoleSize"] = {"height": options.console_size[0], "width": options.console_size[1]}
    given = {"/etc/hosts": options.hosts, "/etc/resolv.conf": options.resolv_conf}
    files = {dest: given.get(dest) or src for dest, src in files.items()}
    own = [{"destination": dest, "type": "bind", "source": src, "options": ["rbind", "rprivate"]}
           for dest, src in files.items()]
    own += [mount_entry(m, volumes or {}) for m in options.mounts]
    targets = {m["destination"] for m in own}
    doc["mounts"] = isolation.shm([m for m in doc["mounts"] if m["destination"] not in targets], options, host.shm)
    doc["mounts"] += sorted(own, key=_depth)  # a parent before what is mounted inside it (-v x:/etc, /etc/hosts)
    linux = doc["linux"]
    linux["namespaces"] = isolation.namespaces(options, host.joins)
    propagation = rootfs_propagation(options.mounts)
    if propagation:
        linux["rootfsPropagation"] = propagation
    if options.uts == "host":
        if options.hostname or options.domainname:
            raise ContainerInvalid(f"conflicting options: {'hostname' if options.hostname else 'domainname'} "
                                   "and the UTS mode")
        del doc["hostname"]  # the host's, which a container without its own UTS namespace cannot set
    if host.devices:
        linux["devices"] = list(host.devices)
    security.check_sysctls(options, isolation.own(linux["namespaces"]))
    security.apply(doc, options, init_path=host.init_path, user_targets={m.target for m in options.mounts},
                   bounding=host.bounding, default_sysctls=host.sysctls)
    if who.cgroup:
        linux["cgroupsPath"] = "/" + who.cgroup
    if resources:
        linux["resources"] = resources
    # Last: the profile's conditions read the final capability set.
    confine = seccomp.linux_seccomp(options.seccomp, process["capabilities"]["bounding"],
                                    privileged=options.privileged)
    if confine is not None:
        linux["seccomp"] = confine
    return doc
