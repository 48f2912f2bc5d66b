"""What a container may do, into config.json as Docker's daemon writes it (moby's oci_linux.go): pure.

    capabilities(options)          Docker's TweakCapabilities: the default set, then cap_drop, then cap_add;
                                   `ALL` in cap_add is every capability but the dropped ones, `ALL` in
                                   cap_drop leaves only the added ones; privileged has them all.
                                   Names are case-insensitive, with or without the CAP_ prefix.
    apply(doc, options, init_path) the capability sets, noNewPrivileges, rlimits (ulimits replace the
                                   default by name), sysctls (those of namespaces the container owns),
                                   oomScoreAdj, the domain name (as kernel.domainname), annotations, a
                                   read-only root, `--init`, and privileged: /sys writable, no masked or
                                   read-only paths (as `systempaths=unconfined`).

`--init` is Docker's: docker-init (tini) bound at /sbin/docker-init as PID 1, the program after `--`,
for every runtime; without docker-init on the host, the native runtime's own reaping PID 1 (the
`org.pycompose.init` annotation) stands in. Neither when the container shares another PID namespace
(there is an init there already). docker-init, not the native one, where both exist: it costs a
container some hundred kilobytes where a Python PID 1 costs megabytes, and `ps` shows what Docker's does.
"""

from __future__ import annotations

from typing import Any

from engine.containers.errors import ContainerInvalid
from engine.containers.options import RunOptions
from engine.runtime import capabilities as caps

INIT_IN_CONTAINER = "/sbin/docker-init"
INIT_ANNOTATION = "org.pycompose.init"  # engine.runtime.launch reads it
# namespaced sysctls (runc's validation): prefix -> the namespace that must be the container's own
SYSCTL_NAMESPACES = (("kernel.msg", "ipc"), ("kernel.sem", "ipc"), ("kernel.shm", "ipc"), ("fs.mqueue.", "ipc"),
                     ("net.", "network"), ("kernel.domainname", "uts"), ("kernel.hostname", "uts"))
# mounts a read-only root leaves writable (Docker's WithMounts)
WRITABLE_UNDER_RO = ("/proc", "/dev/pts", "/dev/shm", "/dev/mqueue", "/dev")


def held() -> int:
    """The bounding set of this process, as a mask: no container can be given a capability outside it."""
    try:
        with open("/proc/self/status") as f:
            line = next(line for line in f if line.startswith("CapBnd:"))
        return int(line.split()[1], 16)
    except (OSError, StopIteration, ValueError):
        return (1 << (caps.last_cap() + 1)) - 1


def every_capability(bounding: int | None = None) -> list[str]:
    """All capabilities this kernel knows and the engine holds, as Docker lists them for ALL and privileged."""
    bounding = held() if bounding is None else bounding
    return [f"CAP_{name}" for i, name in enumerate(caps.NAMES) if bounding & (1 << i)]


def _normalize(names: tuple[str, ...]) -> list[str]:
    out = []
    for name in names:
        upper = name.upper()
        if upper != "ALL" and not upper.startswith("CAP_"):
            upper = "CAP_" + upper
        if upper != "ALL" and upper not in caps.NUMBERS:
            raise ContainerInvalid(f'unknown capability: "{upper}"', hint="see capabilities(7) for their names")
        out.append(upper)
    return out


def capabilities(options: RunOptions, bounding: int | None = None) -> list[str]:
    """The capability set of the container's process: Docker's rules, within what the engine holds."""
    known = every_capability(bounding)
    if options.privileged:
        return known
    if not options.cap_add and not options.cap_drop:
        return list(caps.DOCKER_DEFAULT)
    drop, add = _normalize(options.cap_drop), _normalize(options.cap_add)
    missing = [c for c in add if c != "ALL" and c not in known]
    if missing:
        raise ContainerInvalid(f"cap_add {', '.join(missing)}: this host does not grant it to pycompose",
                               hint="the engine's own bounding set lacks it (/proc/self/status CapBnd)")
    if "ALL" in add:
        return [c for c in known if c not in drop]
    kept = [] if "ALL" in drop else [c for c in caps.DOCKER_DEFAULT if c not in drop]
    return list(dict.fromkeys(kept + add))  # once each, in order


def _rlimits(options: RunOptions, defaults: list[dict[str, Any]]) -> list[dict[str, Any]]:
    wanted = {f"RLIMIT_{u.name.upper()}": u for u in options.ulimits}
    out = [r for r in defaults if r["type"] not in wanted]
    for kind, u in wanted.items():  # -1 is unlimited: uint64(-1), as Docker converts it
        out.append({"type": kind, "hard": u.hard % (1 << 64), "soft": u.soft % (1 << 64)})
    return out


def check_sysctls(options: RunOptions, own: set[str]) -> None:
    """Each sysctl must belong to a namespace the container has of its own (`own`: ipc, network, uts)."""
    for key in options.sysctls:
        space = next((ns for prefix, ns in SYSCTL_NAMESPACES if key.startswith(prefix)), None)
        if space is None:
            raise ContainerInvalid(f'sysctl "{key}" is not in a separate kernel namespace',
                                   hint="only kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.* and net.* are")
        if space not in own:
            where = {"network": "network", "ipc": "IPC", "uts": "UTS"}[space]
            raise ContainerInvalid(f'sysctl "{key}" not allowed in host {where} namespace')


def _init(doc: dict[str, Any], options: RunOptions, init_path: str | None) -> None:
    if not options.init or options.pid:  # `--pid host|container:x`: an init is there already
        return
    if init_path:
        doc["process"]["args"] = [INIT_IN_CONTAINER, "--", *doc["process"]["args"]]
        doc["mounts"].append({"destination": INIT_IN_CONTAINER, "type": "bind", "source": init_path,
                              "options": ["bind", "ro"]})
    elif options.runtime == "native":
        doc.setdefault("annotations", {})[INIT_ANNOTATION] = "true"
    else:
        raise ContainerInvalid(f"--init with runtime `{options.runtime}`: docker-init is not on this host",
                               hint="install tini (docker-init), or run it on the native runtime")


def _read_only(doc: dict[str, Any], user_targets: set[str]) -> None:
    doc["root"]["readonly"] = True
    for mount in doc["mounts"]:
        target = mount["destination"]
        if target not in WRITABLE_UNDER_RO and target not in user_targets and "ro" not in mount["options"]:
            at = 1 if mount["type"] == "bind" else len(mount["options"])  # a bind's after its mode, as Docker's
            mount["options"].insert(at, "ro")


def _privileged(doc: dict[str, Any]) -> None:
    for mount in doc["mounts"]:
        if mount["destination"] == "/sys":
            mount["options"] = [o for o in mount["options"] if o != "ro"]


def apply(doc: dict[str, Any], options: RunOptions, *, init_path: str | None = None,
          user_targets: set[str] | frozenset[str] = frozenset(), bounding: int | None = None,
          default_sysctls: dict[str, str] | None = None) -> None:
    """Write the options' security and process settings into `doc` (defaults.config's shape), in place.

    `user_targets`: where the user mounts something (a read-only root leaves those as asked; the /etc files
    the engine binds turn read-only with it, as Docker's). `default_sysctls`: Docker's for a container with a
    network namespace of its own (unprivileged ping and low ports), the user's own sysctls over them.
    """
    process, linux = doc["process"], doc["linux"]
    chosen = capabilities(options, bounding)
    process["capabilities"] = {"bounding": chosen, "effective": list(chosen), "permitted": list(chosen)}
    process["noNewPrivileges"] = options.no_new_privileges
    process["rlimits"] = _rlimits(options, process.get("rlimits") or [])
    if options.oom_score_adj is not None:
        if not -1000 <= options.oom_score_adj <= 1000:
            raise ContainerInvalid(f"Invalid value {options.oom_score_adj}, range for oom score adj is "
                                   "[-1000, 1000]")
        process["oomScoreAdj"] = options.oom_score_adj
    # The NIS domain name as the sysctl of the same effect, as Docker sets it (runc 1.1 ignores `domainname`);
    # the user's sysctls after, as Docker merges them
    sysctl = dict(default_sysctls or {}) if options.network != "host" else {}
    sysctl.update({"kernel.domainname": options.domainname} if options.domainname else {})
    sysctl.update(options.sysctls)
    if sysctl:
        linux["sysctl"] = sysctl
    if options.annotations:
        doc["annotations"] = {**doc.get("annotations", {}), **options.annotations}
    if options.privileged:
        _privileged(doc)
    if options.privileged or options.system_paths_unconfined:
        linux["maskedPaths"], linux["readonlyPaths"] = [], []
    if options.read_only:
        _read_only(doc, set(user_targets))
    _init(doc, options, init_path)
