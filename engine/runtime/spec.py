"""The part of an OCI runtime `config.json` the native runtime honours, as typed immutable tuples.

(NamedTuple, not dataclasses: the runtime starts on every `run`, and dataclasses
costs its start-up the `inspect` module.)

`load(bundle)` reads `<bundle>/config.json`; `process_from(dict)` reads a `process`
object alone (what `exec --process` takes). Unknown keys are ignored, as the runtime
specification asks; a wrong type is a `BundleInvalid` naming the key.
"""

from __future__ import annotations

import json
import os
from typing import Any, NamedTuple

from engine.runtime.errors import BundleInvalid


class User(NamedTuple):
    uid: int = 0
    gid: int = 0
    additional_gids: tuple[int, ...] = ()
    umask: int | None = None


class Process(NamedTuple):
    args: tuple[str, ...]
    env: tuple[str, ...] = ()
    cwd: str = "/"
    user: User = User()
    terminal: bool = False
    capabilities: dict[str, tuple[str, ...]] | None = None
    rlimits: tuple[tuple[str, int, int], ...] = ()
    no_new_privileges: bool = False
    oom_score_adj: int | None = None
    console_size: tuple[int, int] | None = None  # (height, width) of the terminal


class Mount(NamedTuple):
    destination: str
    type: str | None = None
    source: str | None = None
    options: tuple[str, ...] = ()


class Namespace(NamedTuple):
    type: str
    path: str | None = None


class Device(NamedTuple):
    path: str
    type: str
    major: int = 0
    minor: int = 0
    file_mode: int = 0o666
    uid: int = 0
    gid: int = 0


class IdMapping(NamedTuple):
    """One line of a user namespace's uid_map or gid_map: `size` ids from `container_id` are `host_id` onwards."""

    container_id: int
    host_id: int
    size: int


class SeccompArg(NamedTuple):
    index: int
    op: str
    value: int
    value_two: int = 0


class Syscall(NamedTuple):
    names: tuple[str, ...]
    action: str
    errno: int | None = None
    args: tuple[SeccompArg, ...] = ()


class Seccomp(NamedTuple):
    """`linux.seccomp`; `digest` names the document (sha256 of its canonical JSON), the key of its compiled filter."""

    default_action: str
    digest: str
    default_errno: int | None = None
    architectures: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    syscalls: tuple[Syscall, ...] = ()


class Spec(NamedTuple):
    bundle: str
    process: Process
    root_path: str
    root_readonly: bool = False
    hostname: str | None = None
    domainname: str | None = None
    mounts: tuple[Mount, ...] = ()
    namespaces: tuple[Namespace, ...] = ()
    devices: tuple[Device, ...] = ()
    masked_paths: tuple[str, ...] = ()
    readonly_paths: tuple[str, ...] = ()
    sysctl: dict[str, str] = {}  # noqa: RUF012 - never mutated
    rootfs_propagation: str | None = None
    annotations: dict[str, str] = {}  # noqa: RUF012 - never mutated
    oci_version: str = "1.0.2"
    seccomp: Seccomp | None = None
    uid_mappings: tuple[IdMapping, ...] = ()
    gid_mappings: tuple[IdMapping, ...] = ()


def _get(obj: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str, default: Any = None) -> Any:
    value = obj.get(key, default)
    if value is not None and not isinstance(value, kind):
        raise BundleInvalid(f"config.json: {where}{key}: expected {getattr(kind, '__name__', kind)}, "
                            f"got {type(value).__name__}")
    return value


def process_from(raw: dict[str, Any], where: str = "process.") -> Process:
    args = _get(raw, "args", list, where)
    if not args:
        raise BundleInvalid(f"config.json: {where}args: must name the program to run")
    user_raw = _get(raw, "user", dict, where, {})
    user = User(int(user_raw.get("uid", 0)), int(user_raw.get("gid", 0)),
                tuple(int(g) for g in user_raw.get("additionalGids") or ()), user_raw.get("umask"))
    caps = _get(raw, "capabilities", dict, where)
    rlimits = tuple((r["type"], int(r["soft"]), int(r["hard"])) for r in _get(raw, "rlimits", list, where, []))
    return Process(
        args=tuple(str(a) for a in args),
        env=tuple(_get(raw, "env", list, where, [])),
        cwd=_get(raw, "cwd", str, where, "/"),
        user=user,
        terminal=bool(raw.get("terminal", False)),
        capabilities=None if caps is None else {k: tuple(v or ()) for k, v in caps.items()},
        rlimits=rlimits,
        no_new_privileges=bool(raw.get("noNewPrivileges", False)),
        oom_score_adj=_get(raw, "oomScoreAdj", int, where),
        console_size=_console_size(_get(raw, "consoleSize", dict, where)),
    )


def _console_size(raw: dict[str, Any] | None) -> tuple[int, int] | None:
    return None if raw is None else (int(raw.get("height", 0)), int(raw.get("width", 0)))


def _device(raw: dict[str, Any]) -> Device:
    return Device(raw["path"], raw.get("type", "c"), int(raw.get("major", 0)), int(raw.get("minor", 0)),
                  int(raw.get("fileMode", 0o666)), int(raw.get("uid", 0)), int(raw.get("gid", 0)))


def sha256(data: bytes) -> str:
    """Hex SHA-256 without `hashlib`, whose OpenSSL costs the runtime's start-up some milliseconds."""
    try:
        from _sha256 import sha256 as digest  # Python 3.11's built-in implementation
    except ImportError:
        try:
            from _sha2 import sha256 as digest  # 3.12 and later
        except ImportError:
            from hashlib import sha256 as digest
    return str(digest(data).hexdigest())


def _seccomp(raw: dict[str, Any] | None) -> Seccomp | None:
    if raw is None:
        return None
    where = "linux.seccomp."
    if not isinstance(raw.get("defaultAction"), str):
        raise BundleInvalid("config.json: linux.seccomp.defaultAction: expected a string")
    syscalls = []
    for i, entry in enumerate(_get(raw, "syscalls", list, where, [])):
        names = entry.get("names") or []
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise BundleInvalid(f"config.json: {where}syscalls[{i}].names: expected a list of syscall names")
        args = tuple(SeccompArg(int(a.get("index", 0)), str(a["op"]), int(a.get("value", 0)), int(a.get("valueTwo", 0)))
                     for a in entry.get("args") or ())
        syscalls.append(Syscall(tuple(names), str(entry["action"]), _get(entry, "errnoRet", int, ""), args))
    canonical = json.dumps(raw, sort_keys=True, separators=(",", ":")).encode()
    return Seccomp(default_action=raw["defaultAction"], digest=sha256(canonical),
                   default_errno=_get(raw, "defaultErrnoRet", int, where),
                   architectures=tuple(_get(raw, "architectures", list, where, [])),
                   flags=tuple(_get(raw, "flags", list, where, [])), syscalls=tuple(syscalls))


def _mappings(linux: dict[str, Any], key: str) -> tuple[IdMapping, ...]:
    return tuple(IdMapping(int(m["containerID"]), int(m["hostID"]), int(m["size"]))
                 for m in _get(linux, key, list, "linux.", []))


def from_dict(raw: dict[str, Any], bundle: str) -> Spec:
    root = _get(raw, "root", dict, "", {})
    root_path = root.get("path") or "rootfs"
    linux = _get(raw, "linux", dict, "", {})
    return Spec(
        bundle=bundle,
        process=process_from(_get(raw, "process", dict, "", {})),
        root_path=os.path.join(bundle, root_path),
        root_readonly=bool(root.get("readonly", False)),
        hostname=_get(raw, "hostname", str, ""),
        domainname=_get(raw, "domainname", str, ""),
        mounts=tuple(Mount(m["destination"], m.get("type"), m.get("source"), tuple(m.get("options") or ()))
                     for m in _get(raw, "mounts", list, "", [])),
        namespaces=tuple(Namespace(n["type"], n.get("path")) for n in _get(linux, "namespaces", list, "linux.", [])),
        devices=tuple(_device(d) for d in _get(linux, "devices", list, "linux.", [])),
        masked_paths=tuple(_get(linux, "maskedPaths", list, "linux.", [])),
        readonly_paths=tuple(_get(linux, "readonlyPaths", list, "linux.", [])),
        sysctl=dict(_get(linux, "sysctl", dict, "linux.", {})),
        rootfs_propagation=_get(linux, "rootfsPropagation", str, "linux."),
        annotations=dict(_get(raw, "annotations", dict, "", {})),
        oci_version=str(raw.get("ociVersion", "1.0.2")),
        seccomp=_seccomp(_get(linux, "seccomp", dict, "linux.")),
        uid_mappings=_mappings(linux, "uidMappings"),
        gid_mappings=_mappings(linux, "gidMappings"),
    )


def load(bundle: str) -> Spec:
    bundle = os.path.abspath(bundle)
    path = os.path.join(bundle, "config.json")
    try:
        with open(path, "rb") as f:
            raw = json.load(f)
    except FileNotFoundError:
        raise BundleInvalid(f"read `{path}`: JSON specification file config.json not found") from None
    except (OSError, ValueError) as e:
        raise BundleInvalid(f"read `{path}`: {e}") from None
    if not isinstance(raw, dict):
        raise BundleInvalid(f"read `{path}`: not a JSON object")
    try:
        return from_dict(raw, bundle)
    except (KeyError, TypeError, ValueError) as e:
        raise BundleInvalid(f"config.json: {e!r}") from None
