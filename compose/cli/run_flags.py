"""The container options `container run` and `create` share beyond the basics, with Docker's names.

    @app.command("run")
    @run_flags.accepts
    def run(image: Image, ..., extra: dict | None = None) -> None:
        fields, warnings = run_flags.options(extra)      # RunOptions fields, warnings to print

`accepts` adds each flag of FLAGS to the command's signature (typer reads the signature) and hands
their values to the command as one dict, `extra`, so that the two commands declare them once.
The values are parsed by engine.containers.flags, in Docker's syntax and with Docker's messages.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Annotated, Any

import typer

Strings = list[str] | None


def _flag(kind: Any, *names: str, help: str) -> Any:  # noqa: A002 - typer's word
    return Annotated[kind, typer.Option(*names, help=help)]


# (parameter, annotation, default): Docker's flags of `docker run` for what RunOptions holds
FLAGS: tuple[tuple[str, Any, Any], ...] = (
    ("privileged", _flag(bool, "--privileged", help="Give extended privileges to this container"), False),
    ("cap_add", _flag(Strings, "--cap-add", help="Add Linux capabilities"), None),
    ("cap_drop", _flag(Strings, "--cap-drop", help="Drop Linux capabilities"), None),
    ("read_only", _flag(bool, "--read-only", help="Mount the container's root filesystem as read only"), False),
    ("security_opt", _flag(Strings, "--security-opt", help="Security Options"), None),
    ("group_add", _flag(Strings, "--group-add", help="Add additional groups to join"), None),
    ("init", _flag(bool, "--init", help="Run an init inside the container that forwards signals and reaps "
                                         "processes"), False),
    ("domainname", _flag(str | None, "--domainname", help="Container NIS domain name"), None),
    ("sysctl", _flag(Strings, "--sysctl", help="Sysctl options"), None),
    ("ulimit", _flag(Strings, "--ulimit", help="Ulimit options"), None),
    ("oom_score_adj", _flag(int | None, "--oom-score-adj", help="Tune host's OOM preferences (-1000 to 1000)"),
     None),
    ("oom_kill_disable", _flag(bool, "--oom-kill-disable", help="Disable OOM Killer"), False),
    ("annotation", _flag(Strings, "--annotation", help="Add an annotation to the container (passed through to "
                                                       "the OCI runtime)"), None),
    ("ipc", _flag(str, "--ipc", help="IPC mode to use"), ""),
    ("pid", _flag(str, "--pid", help="PID namespace to use"), ""),
    ("uts", _flag(str, "--uts", help="UTS namespace to use"), ""),
    ("cgroupns", _flag(str, "--cgroupns", help="Cgroup namespace to use (host|private)"), ""),
    ("userns", _flag(str, "--userns", help="User namespace to use"), ""),
    ("shm_size", _flag(str | None, "--shm-size", help="Size of /dev/shm"), None),
    ("device", _flag(Strings, "--device", help="Add a host device to the container"), None),
    ("device_cgroup_rule", _flag(Strings, "--device-cgroup-rule", help="Add a rule to the cgroup allowed devices "
                                                                       "list"), None),
    ("cpu_shares", _flag(int | None, "--cpu-shares", "-c", help="CPU shares (relative weight)"), None),
    ("cpu_quota", _flag(int | None, "--cpu-quota", help="Limit CPU CFS (Completely Fair Scheduler) quota"), None),
    ("cpu_period", _flag(int | None, "--cpu-period", help="Limit CPU CFS (Completely Fair Scheduler) period"),
     None),
    ("cpuset_cpus", _flag(str | None, "--cpuset-cpus", help="CPUs in which to allow execution (0-3, 0,1)"), None),
    ("cpuset_mems", _flag(str | None, "--cpuset-mems", help="MEMs in which to allow execution (0-3, 0,1)"), None),
    ("memory_reservation", _flag(str | None, "--memory-reservation", help="Memory soft limit"), None),
    ("memory_swap", _flag(str | None, "--memory-swap", help="Swap limit equal to memory plus swap: '-1' to enable "
                                                            "unlimited swap"), None),
    ("memory_swappiness", _flag(int | None, "--memory-swappiness", help="Tune container memory swappiness (0 to "
                                                                        "100)"), None),
    ("blkio_weight", _flag(int | None, "--blkio-weight", help="Block IO (relative weight), between 10 and 1000"),
     None),
    ("blkio_weight_device", _flag(Strings, "--blkio-weight-device", help="Block IO weight (relative device weight)"),
     None),
    ("device_read_bps", _flag(Strings, "--device-read-bps", help="Limit read rate (bytes per second) from a device"),
     None),
    ("device_write_bps", _flag(Strings, "--device-write-bps", help="Limit write rate (bytes per second) to a "
                                                                   "device"), None),
    ("device_read_iops", _flag(Strings, "--device-read-iops", help="Limit read rate (IO per second) from a device"),
     None),
    ("device_write_iops", _flag(Strings, "--device-write-iops", help="Limit write rate (IO per second) to a device"),
     None),
    ("cgroup_parent", _flag(str | None, "--cgroup-parent", help="Optional parent cgroup for the container"), None),
    ("log_driver", _flag(str, "--log-driver", help="Logging driver for the container: json-file, local or none"),
     "json-file"),
    ("log_opt", _flag(Strings, "--log-opt", help="Log driver options (max-size=10m, max-file=3)"), None),
    ("volumes_from", _flag(Strings, "--volumes-from", help="Mount volumes from the specified container(s)"), None),
    ("expose", _flag(Strings, "--expose", help="Expose a port or a range of ports"), None),
    ("add_host", _flag(Strings, "--add-host", help="Add a custom host-to-IP mapping (host:ip)"), None),
)


def accepts(command: Callable[..., Any]) -> Callable[..., Any]:
    """`command` with FLAGS in its signature; their values reach it as `extra` (a dict)."""
    names = [name for name, _, _ in FLAGS]

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        extra = {name: kwargs.pop(name) for name in names if name in kwargs}
        return command(*args, extra=extra, **kwargs)

    signature = inspect.signature(command, eval_str=True)
    own = [p for p in signature.parameters.values() if p.name != "extra"]
    added = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)
             for name, annotation, default in FLAGS]
    wrapper.__signature__ = signature.replace(parameters=[*own, *added])  # type: ignore[attr-defined]
    wrapper.__annotations__ = {**{p.name: p.annotation for p in own}, **{n: a for n, a, _ in FLAGS}}
    return wrapper


def _log_opts(items: list[str]) -> dict[str, str]:
    """`--log-opt k=v`, repeatable; `k=v,k2=v2` in one is read as two (Docker takes one a flag)."""
    from engine.containers import flags

    split = [part for item in items for part in (item.split(",") if all("=" in p for p in item.split(","))
                                                 else [item])]
    return flags.key_values(split, "--log-opt")


def _throttles(v: dict[str, Any]) -> dict[str, Any]:
    from engine.containers import flags

    numeric = {"blkio_weight_device": True, "device_read_bps": False, "device_write_bps": False,
               "device_read_iops": True, "device_write_iops": True}
    out: dict[str, Any] = {}
    for name, is_number in numeric.items():
        pairs = [flags.device_rate(spec, "--" + name.replace("_", "-"), is_number) for spec in v[name] or ()]
        out[name] = tuple((path, int(value) if is_number else value) for path, value in pairs)
    return out


def options(extra: dict[str, Any] | None) -> tuple[dict[str, Any], list[str]]:
    """RunOptions fields from the flags' values, and the warnings Docker would print for them."""
    from engine.cgroups.resources import parse_bytes
    from engine.containers import flags

    v = {name: default for name, _, default in FLAGS} | (extra or {})
    security, warnings = flags.security_opts(v["security_opt"] or ())
    fields: dict[str, Any] = {
        "privileged": v["privileged"], "cap_add": tuple(v["cap_add"] or ()), "cap_drop": tuple(v["cap_drop"] or ()),
        "read_only": v["read_only"], "group_add": tuple(v["group_add"] or ()), "init": v["init"],
        "domainname": v["domainname"], "sysctls": flags.sysctls(v["sysctl"] or ()),
        "ulimits": tuple(map(flags.ulimit, v["ulimit"] or ())), "oom_score_adj": v["oom_score_adj"],
        "oom_kill_disable": v["oom_kill_disable"], "annotations": flags.key_values(v["annotation"] or (),
                                                                                     "--annotation"),
        **flags.modes(v["ipc"], v["pid"], v["uts"], v["cgroupns"], v["userns"]),
        "shm_size": None if v["shm_size"] is None else parse_bytes(v["shm_size"]),
        "devices": tuple(map(flags.device, v["device"] or ())),
        "device_cgroup_rules": tuple(map(flags.device_cgroup_rule, v["device_cgroup_rule"] or ())),
        "cpu_shares": v["cpu_shares"], "cpu_quota": v["cpu_quota"], "cpu_period": v["cpu_period"],
        "cpuset_cpus": v["cpuset_cpus"], "cpuset_mems": v["cpuset_mems"],
        "memory_reservation": v["memory_reservation"], "memory_swap": v["memory_swap"],
        "memory_swappiness": v["memory_swappiness"], "blkio_weight": v["blkio_weight"],
        **_throttles(v),
        "cgroup_parent": v["cgroup_parent"], "log_driver": v["log_driver"],
        "log_opts": _log_opts(v["log_opt"] or []), "volumes_from": tuple(v["volumes_from"] or ()),
        "expose": flags.expose(v["expose"] or ()), "extra_hosts": tuple(map(flags.add_host, v["add_host"] or ())),
        **security,
    }
    return fields, warnings
