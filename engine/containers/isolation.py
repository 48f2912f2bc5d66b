"""Which namespaces a container has of its own, which it shares, and its /dev/shm: config.json, pure.

    namespaces(options, joins)   Docker's WithNamespaces: pid, ipc, uts and cgroup new, or none (the host's),
                                 or another container's by path (`joins`: {"pid": "/proc/<pid>/ns/pid", ...},
                                 resolved by the caller when the container starts); mount always new; the
                                 network as `options.network` says (none: a new empty one, host, or a path)
    shm(mounts, options, source) Docker's /dev/shm: a tmpfs of `shm_size` (64 MiB) for a private IPC
                                 namespace, none for `ipc: none`, and for shareable, host and container:x
                                 a bind of `source` (the container's own tmpfs on the host, the host's
                                 /dev/shm, or the other container's), so that another may join it
    own(spaces)                  the namespace kinds the container does not share with the host
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.containers.errors import ContainerInvalid
from engine.containers.options import RunOptions

DEFAULT_SHM_SIZE = 64 << 20
SHM_BOUND = ("shareable", "host")  # besides container:x, the modes whose /dev/shm is a bind


def joined(mode: str) -> str | None:
    """The container a `container:<name|id>` mode names, else None."""
    kind, sep, target = mode.partition(":")
    return target if kind == "container" and sep else None


def _space(kind: str, mode: str, joins: Mapping[str, str]) -> list[dict[str, str]]:
    if mode == "host":
        return []
    if joined(mode) is None:
        return [{"type": kind}]
    if kind not in joins:
        raise ContainerInvalid(f"{kind} mode {mode}: the namespace of that container was not resolved")
    return [{"type": kind, "path": joins[kind]}]


def network_space(network: str) -> list[dict[str, str]]:
    if network == "none":
        return [{"type": "network"}]
    if network == "host":
        return []
    if not network.startswith("/"):
        raise ContainerInvalid(f"network `{network}`: give none, host, or the path of a network namespace")
    return [{"type": "network", "path": network}]


def namespaces(options: RunOptions, joins: Mapping[str, str] | None = None) -> list[dict[str, str]]:
    joins = joins or {}
    if options.userns not in ("", "host"):
        raise ContainerInvalid(f"userns mode `{options.userns}` is not supported",
                               hint="user namespaces are not remapped here: leave it unset or host")
    spaces = _space("pid", options.pid or "private", joins)
    spaces += _space("ipc", "private" if options.ipc in ("shareable", "none") else options.ipc, joins)
    spaces += [] if options.uts == "host" else [{"type": "uts"}]
    spaces.append({"type": "mount"})
    spaces += [] if options.cgroupns == "host" else [{"type": "cgroup"}]
    return spaces + network_space(options.network)


def own(spaces: list[dict[str, str]]) -> set[str]:
    """The kinds of namespace the container does not share with the host (a joined one counts: not the host's)."""
    return {s["type"] for s in spaces}


def shm(mounts: list[dict[str, Any]], options: RunOptions, source: str | None) -> list[dict[str, Any]]:
    """`mounts` with /dev/shm as the options ask."""
    out = []
    for mount in mounts:
        if mount["destination"] != "/dev/shm":
            out.append(mount)
        elif options.ipc == "none":
            continue
        elif options.ipc in SHM_BOUND or joined(options.ipc):
            if not source:
                raise ContainerInvalid(f"ipc mode {options.ipc}: no /dev/shm to share was resolved")
            out.append({"destination": "/dev/shm", "type": "bind", "source": source, "options": ["rbind", "rprivate"]})
        else:
            size = options.shm_size if options.shm_size is not None else DEFAULT_SHM_SIZE
            if size <= 0:
                raise ContainerInvalid(f"shm size {size}: must be more than 0")
            kept = [o for o in mount["options"] if not o.startswith("size=")]
            out.append(dict(mount, options=[*kept, f"size={size}"]))
    return out
