"""Docker's spellings of the container options, parsed into RunOptions values (pure; each error names the value).

    ulimit("nofile=1024:2048")          -> Ulimit("nofile", 1024, 2048)
    device("/dev/fuse:/dev/f:rw")       -> Device("/dev/fuse", "/dev/f", "rw")
    security_opts(["no-new-privileges", "seccomp=unconfined"])
                                        -> ({"no_new_privileges": True, "seccomp": "unconfined"}, [warnings])
    log_config("json-file", {"max-size": "10m", "max-file": "3"})  -> LogConfig(max_size=10_000_000, max_file=3)

The rules and the messages are those of the Docker CLI and daemon (docker/cli opts, moby's
daemon and json-file logger), so that a mistake reads as it does with Docker.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from engine.containers.errors import ContainerInvalid
from engine.containers.options import Device, Ulimit
from engine.state.record import LogConfig

# go-units' names of the resource limits; RLIMIT_<NAME> in the runtime spec
ULIMITS = ("as", "core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile", "nproc", "rss",
           "rtprio", "rttime", "sigpending", "stack")
# the namespaced sysctls the Docker CLI lets through (opts.ValidateSysctl)
SYSCTLS = ("kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax",
           "kernel.shmmni", "kernel.shm_rmid_forced")
SYSCTL_PREFIXES = ("net.", "fs.mqueue.")
LOG_DRIVERS = ("json-file", "local", "none")
LOG_OPTS = {"json-file": ("max-file", "max-size", "compress", "labels", "labels-regex", "env", "env-regex", "tag"),
            "local": ("max-file", "max-size", "compress")}
LOCAL_DEFAULTS = {"max-size": str(20 << 20), "max-file": "5"}  # the local driver's rotation unless told
_RULE = re.compile(r"^([acb]) ([0-9]+|\*):([0-9]+|\*) ([rwm]{1,3})$")
_DECIMAL = {"": 1, "b": 1, "k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12, "p": 10**15}


def ulimit(spec: str) -> Ulimit:
    """`name=soft[:hard]` (go-units' ParseUlimit): one value is both limits."""
    name, sep, values = spec.partition("=")
    if not sep:
        raise ContainerInvalid(f"invalid ulimit argument: {spec}")
    if name not in ULIMITS:
        raise ContainerInvalid(f"invalid ulimit type: {name}", hint=f"one of {', '.join(ULIMITS)}")
    parts = values.split(":")
    if len(parts) > 2:
        raise ContainerInvalid(f"too many limit value arguments - {values}, can only have up to two, `soft[:hard]`")
    try:
        soft, hard = int(parts[0]), int(parts[-1])
    except ValueError:
        raise ContainerInvalid(f"invalid ulimit value in `{spec}`: expected soft[:hard] as numbers") from None
    if soft > hard and hard != -1:
        raise ContainerInvalid(f"ulimit soft limit must be less than or equal to hard limit: {soft} > {hard}")
    return Ulimit(name, soft, hard)


def _device_mode(text: str) -> bool:
    return bool(text) and set(text) <= set("rwm") and len(set(text)) == len(text)


def device(spec: str) -> Device:
    """`HOST[:CONTAINER][:PERMISSIONS]` (docker/cli's validateLinuxPath and parseLinuxDevice)."""
    parts = spec.split(":")
    if len(parts) > 3 or not parts[0]:
        raise ContainerInvalid(f"bad format for path: {spec}")
    host, target, mode = parts[0], parts[0], "rwm"
    if len(parts) == 2:
        if _device_mode(parts[1]):
            mode = parts[1]
        else:
            target = parts[1]
    elif len(parts) == 3:
        target, mode = parts[1], parts[2]
        if not _device_mode(mode):
            raise ContainerInvalid(f"bad mode specified: {mode}")
    if not target.startswith("/"):
        raise ContainerInvalid(f"{target} is not an absolute path")
    return Device(host, target, mode)


def device_cgroup_rule(rule: str) -> str:
    if not _RULE.match(rule):
        raise ContainerInvalid(f"invalid device cgroup format '{rule}'", hint="type major:minor access, as c 1:3 rwm")
    return rule


def sysctls(items: Iterable[str]) -> dict[str, str]:
    """`--sysctl key=value`, only the namespaced ones the Docker CLI allows."""
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key or not (key in SYSCTLS or key.startswith(SYSCTL_PREFIXES)):
            raise ContainerInvalid(f"sysctl '{item}' is not allowed")
        out[key] = value
    return out


def security_opts(items: Iterable[str]) -> tuple[dict[str, Any], list[str]]:
    """The RunOptions fields `--security-opt` sets, and warnings for what this host cannot apply (moby's
    parseSecurityOpt: `key=value`, the deprecated `key:value`, and `no-new-privileges` alone)."""
    fields: dict[str, Any] = {}
    warnings: list[str] = []
    for opt in items:
        if opt == "no-new-privileges":
            fields["no_new_privileges"] = True
            continue
        if opt == "systempaths=unconfined":
            fields["system_paths_unconfined"] = True
            continue
        key, sep, value = opt.partition("=") if "=" in opt else opt.partition(":")
        if not sep:
            raise ContainerInvalid(f"invalid --security-opt 1: {opt!r}")
        if key == "no-new-privileges":
            if value.lower() not in ("1", "t", "true", "0", "f", "false"):
                raise ContainerInvalid(f"invalid --security-opt 2: {opt!r}")
            fields["no_new_privileges"] = value.lower() in ("1", "t", "true")
        elif key == "seccomp":
            fields["seccomp"] = value
        elif key in ("label", "apparmor"):
            system = "SELinux" if key == "label" else "AppArmor"
            warnings.append(f"security-opt {opt} ignored: this host has no {system}")
        else:
            raise ContainerInvalid(f"invalid --security-opt 2: {opt!r}")
    return fields, warnings


def key_values(items: Iterable[str], what: str) -> dict[str, str]:
    """`--log-opt`, `--annotation`: KEY=VALUE each (a bare key is empty); `what` names the flag in errors."""
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not key:
            raise ContainerInvalid(f"invalid {what}: {item!r}", hint="give key=value")
        out[key] = value
    return out


def from_human_size(text: str) -> int:
    """go-units' FromHumanSize, as the json-file driver reads max-size: decimal units (10m is 10,000,000)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgtp]?)b?\s*", text.lower())
    if match is None:
        raise ContainerInvalid(f"invalid size: '{text}'")
    return int(float(match.group(1)) * _DECIMAL[match.group(2)])


def log_config(driver: str, opts: dict[str, str]) -> LogConfig:
    """The supervisor's log settings for a driver and its options, checked as Docker's drivers check them."""
    if driver not in LOG_DRIVERS:
        raise ContainerInvalid(f"logging driver `{driver}` is not supported",
                               hint="use json-file, local or none: pycompose keeps logs in files only")
    if driver == "none":
        if opts:
            raise ContainerInvalid(f"invalid logging opts for driver {driver}")
        return LogConfig(driver="none")
    for key in opts:
        if key not in LOG_OPTS[driver]:
            raise ContainerInvalid(f"unknown log opt '{key}' for {driver} log driver")
    values = {**LOCAL_DEFAULTS, **opts} if driver == "local" else opts
    max_size = 0
    if "max-size" in values:
        max_size = from_human_size(values["max-size"])
        if max_size <= 0:
            raise ContainerInvalid("max-size must be a positive number")
    max_file = 1
    if "max-file" in values:
        if not values["max-file"].lstrip("-").isdigit():
            raise ContainerInvalid(f"invalid max-file: {values['max-file']!r}")
        max_file = int(values["max-file"])
        if max_file < 1:
            raise ContainerInvalid("max-file cannot be less than 1")
    return LogConfig(driver=driver, max_size=max_size, max_file=max_file)


def expose(items: Iterable[str]) -> tuple[str, ...]:
    """`--expose 80`, `80/udp`, `8000-8002`: each port as `port/proto`, in order, once."""
    out: list[str] = []
    for item in items:
        if ":" in item:
            raise ContainerInvalid(f"invalid port format for --expose: {item}")
        port, _, proto = item.partition("/")
        first, _, last = port.partition("-")
        if not first.isdigit() or (last and not last.isdigit()):
            raise ContainerInvalid(f"invalid range format for --expose: {item}")
        for number in range(int(first), int(last or first) + 1):
            name = f"{number}/{proto or 'tcp'}"
            if name not in out:
                out.append(name)
    return tuple(out)


def device_rate(spec: str, flag: str, numeric: bool = False) -> tuple[str, str]:
    """`--device-read-bps /dev/sda:1mb`, `--device-write-iops /dev/sda:100`, `--blkio-weight-device /dev/sda:300`:
    (device path, value); the device is looked up when the container is made."""
    path, sep, value = spec.rpartition(":")
    if not sep or not path.startswith("/") or not value or (numeric and not value.isdigit()):
        example = "/dev/sda:100" if numeric else "/dev/sda:1mb"
        raise ContainerInvalid(f"invalid value for {flag}: {spec!r}", hint=f"give DEVICE:VALUE, as {example}")
    return path, value


def add_host(spec: str) -> tuple[str, str]:
    """`--add-host host:address` (or `host=address`): the address may be IPv6 (`db:::1`)."""
    sep = "=" if "=" in spec else ":"
    host, found, address = spec.partition(sep)
    if not found or not host or not address:
        raise ContainerInvalid(f"bad format for add-host: {spec!r}", hint="give host:address")
    return host, address.strip("[]")


def mode(flag: str, value: str, allowed: tuple[str, ...], joins: bool = False) -> str:
    """A namespace mode (`--ipc`, `--pid`, `--uts`, `--cgroupns`, `--userns`), checked as docker/cli does."""
    kind, sep, target = value.partition(":")
    if value in allowed or (joins and kind == "container" and sep and target):
        return value
    what = {"--ipc": "IPC", "--pid": "PID", "--uts": "UTS", "--cgroupns": "CGROUP", "--userns": "USER"}[flag]
    raise ContainerInvalid(f"{flag}: invalid {what} mode", hint=f"use {', '.join(a for a in allowed if a)}"
                           + (", container:<name|id>" if joins else ""))


def modes(ipc: str = "", pid: str = "", uts: str = "", cgroupns: str = "", userns: str = "") -> dict[str, str]:
    """The namespace modes of RunOptions, each checked; an empty ipc or cgroupns is Docker's default, private."""
    return {
        "ipc": mode("--ipc", ipc, ("", "private", "shareable", "host", "none"), joins=True) or "private",
        "pid": mode("--pid", pid, ("", "host"), joins=True),
        "uts": mode("--uts", uts, ("", "host")),
        "cgroupns": mode("--cgroupns", cgroupns, ("", "private", "host")) or "private",
        "userns": mode("--userns", userns, ("", "host")),
    }
