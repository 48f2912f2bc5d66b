"""Seccomp profiles in Docker's format, rendered into a config.json's `linux.seccomp` as Docker's daemon does.

Terms: a *profile* is what a user writes (Docker's JSON: `defaultAction`, `archMap` or
`architectures`, and `syscalls` entries that may hold only under conditions, `includes`
and `excludes`, on capabilities, architectures and the kernel's version); the
*rendering* is what a runtime gets: the entries whose conditions hold for this
container (its bounding capabilities) on this host (its architecture and kernel), the
architectures of this host, and no conditions left.

    profile = seccomp.profile_for(options.seccomp)        # the default, None (unconfined), or a file's
    doc["linux"]["seccomp"] = seccomp.render(profile, doc["process"]["capabilities"]["bounding"])

The default profile is Docker's (`seccomp_default.PROFILE`). A profile file that cannot
be read or is not a profile is one `ContainerInvalid` naming the file.
"""

from __future__ import annotations

import json
import os
import platform
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from engine.containers.errors import ContainerInvalid

UNCONFINED = "unconfined"
ACTIONS = frozenset({"SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
                     "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY"})
OPERATORS = frozenset({"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",
                       "SCMP_CMP_MASKED_EQ"})

# platform.machine() -> the architecture names profiles use in `includes.arches` (Go's, as libseccomp spells them).
MACHINES = {"x86_64": "amd64", "aarch64": "arm64", "i386": "x86", "i686": "x86", "armv7l": "arm", "armv6l": "arm",
            "ppc64le": "ppc64le", "ppc64": "ppc64", "s390x": "s390x", "riscv64": "riscv64", "mips64": "mips64"}
# ... and that name -> the libseccomp architecture whose entry in `archMap` applies.
NATIVE = {"amd64": "SCMP_ARCH_X86_64", "arm64": "SCMP_ARCH_AARCH64", "x86": "SCMP_ARCH_X86", "arm": "SCMP_ARCH_ARM",
          "ppc64le": "SCMP_ARCH_PPC64LE", "ppc64": "SCMP_ARCH_PPC64", "s390x": "SCMP_ARCH_S390X",
          "riscv64": "SCMP_ARCH_RISCV64", "mips64": "SCMP_ARCH_MIPS64"}


@dataclass(frozen=True)
class Arg:
    """A condition on argument `index`: `op` compares it with `value` (MASKED_EQ: arg & value == value_two)."""

    index: int
    op: str
    value: int
    value_two: int = 0


@dataclass(frozen=True)
class Rule:
    """What the filter does to `names`, when every condition holds.

    caps: all of them in the bounding set; not_caps: none of them. arches / not_arches: this
    host's architecture is (is not) one of them. min_kernel: the kernel is at least this
    (major, minor); not_min_kernel: it is older.
    """

    names: tuple[str, ...]
    action: str = "SCMP_ACT_ALLOW"
    args: tuple[Arg, ...] = ()
    errno: int | None = None
    caps: tuple[str, ...] = ()
    not_caps: tuple[str, ...] = ()
    arches: tuple[str, ...] = ()
    not_arches: tuple[str, ...] = ()
    min_kernel: tuple[int, int] | None = None
    not_min_kernel: tuple[int, int] | None = None

    def holds(self, bounding: frozenset[str], arch: str, kernel: tuple[int, int]) -> bool:
        if not all(c in bounding for c in self.caps) or any(c in bounding for c in self.not_caps):
            return False
        if (self.arches and arch not in self.arches) or arch in self.not_arches:
            return False
        if self.min_kernel is not None and kernel < self.min_kernel:
            return False
        return self.not_min_kernel is None or kernel < self.not_min_kernel


@dataclass(frozen=True)
class Profile:
    """A seccomp profile in Docker's format, read."""

    default_action: str
    rules: tuple[Rule, ...] = ()
    default_errno: int | None = None
    arch_map: Mapping[str, tuple[str, ...]] | None = None  # native -> its sub-architectures
    architectures: tuple[str, ...] = ()                    # or a fixed list (a profile gives one or the other)
    flags: tuple[str, ...] = ()


def host_arch() -> str:
    machine = platform.machine()
    return MACHINES.get(machine, machine)


def kernel_version(release: str | None = None) -> tuple[int, int]:
    """(major, minor) of a kernel release string such as `6.1.0-18-amd64`."""
    found = re.match(r"(\d+)\.(\d+)", release or os.uname().release)
    return (int(found.group(1)), int(found.group(2))) if found else (0, 0)


def render(profile: Profile, bounding: Iterable[str], arch: str | None = None,
           kernel: tuple[int, int] | None = None) -> dict[str, Any]:
    """The OCI `linux.seccomp` object for a container with this bounding set, as Docker writes it."""
    arch = arch or host_arch()
    kernel = kernel or kernel_version()
    caps = frozenset(bounding)
    doc: dict[str, Any] = {"defaultAction": profile.default_action}
    if profile.default_errno is not None:
        doc["defaultErrnoRet"] = profile.default_errno
    architectures = list(profile.architectures)
    native = NATIVE.get(arch)
    if profile.arch_map and native in profile.arch_map:
        architectures += [native, *profile.arch_map[native]]
    if architectures:
        doc["architectures"] = architectures
    if profile.flags:
        doc["flags"] = list(profile.flags)
    doc["syscalls"] = [_syscall(rule) for rule in profile.rules if rule.holds(caps, arch, kernel)]
    return doc


def _syscall(rule: Rule) -> dict[str, Any]:
    entry: dict[str, Any] = {"names": list(rule.names), "action": rule.action}
    if rule.args:
        entry["args"] = [{"index": a.index, "value": a.value, **({"valueTwo": a.value_two} if a.value_two else {}),
                          "op": a.op} for a in rule.args]
    if rule.errno is not None:
        entry["errnoRet"] = rule.errno
    return entry


def profile_for(setting: str | None) -> Profile | None:
    """The profile a container's `seccomp` option asks for: None (unconfined), Docker's default, or a file's."""
    if setting == UNCONFINED:
        return None
    if setting is None:
        from engine.containers.seccomp_default import PROFILE
        return PROFILE
    try:
        with open(setting, "rb") as f:
            raw = json.load(f)
    except OSError as e:
        raise ContainerInvalid(f"read seccomp profile `{setting}`: {e.strerror}") from None
    except ValueError as e:
        raise ContainerInvalid(f"read seccomp profile `{setting}`: not JSON: {e}") from None
    return from_docker(raw, setting)


def linux_seccomp(setting: str | None, bounding: Iterable[str], privileged: bool = False) -> dict[str, Any] | None:
    """`linux.seccomp` for a container, or None for none at all (unconfined, privileged, an empty profile)."""
    profile = None if privileged else profile_for(setting)
    return None if profile is None else render(profile, bounding)


# -- Docker's JSON format ----------------------------------------------------------------------

def from_docker(raw: object, source: str) -> Profile | None:
    """A profile from Docker's JSON; None when it has neither a default action nor syscalls (Docker: disabled)."""
    def bad(reason: str) -> ContainerInvalid:
        return ContainerInvalid(f"read seccomp profile `{source}`: {reason}")

    if not isinstance(raw, dict):
        raise bad("expected a JSON object")
    if not raw.get("defaultAction") and not raw.get("syscalls"):
        return None
    if raw.get("architectures") and raw.get("archMap"):
        raise bad("'architectures' and 'archMap' were specified in the seccomp profile, use either one")
    arch_map = None
    if raw.get("archMap"):
        arch_map = {_text(m, "architecture", bad): tuple(m.get("subArchitectures") or ())
                    for m in _list(raw, "archMap", bad)}
    try:
        return Profile(
            default_action=_action(raw.get("defaultAction"), bad),
            default_errno=_int_or_none(raw.get("defaultErrnoRet"), "defaultErrnoRet", bad),
            arch_map=arch_map,
            architectures=tuple(str(a) for a in raw.get("architectures") or ()),
            flags=tuple(str(f) for f in raw.get("flags") or ()),
            rules=tuple(_rule(entry, i, bad) for i, entry in enumerate(_list(raw, "syscalls", bad))),
        )
    except (TypeError, AttributeError) as e:
        raise bad(f"not a seccomp profile: {e}") from None


def _rule(entry: Any, i: int, bad: Any) -> Rule:
    where = f"syscalls[{i}]"
    if not isinstance(entry, dict):
        raise bad(f"{where}: expected an object")
    if entry.get("name") and entry.get("names"):
        raise bad(f"{where}: 'name' and 'names' were specified in the seccomp profile, use either 'name' or 'names'")
    names = (entry["name"],) if entry.get("name") else tuple(entry.get("names") or ())
    if not names or not all(isinstance(n, str) and n for n in names):
        raise bad(f"{where}: names: expected a list of syscall names")
    includes, excludes = entry.get("includes") or {}, entry.get("excludes") or {}
    return Rule(
        names=names,
        action=_action(entry.get("action"), bad, where),
        args=tuple(_arg(a, f"{where}.args[{j}]", bad) for j, a in enumerate(entry.get("args") or ())),
        errno=_int_or_none(entry.get("errnoRet"), f"{where}.errnoRet", bad),
        caps=tuple(includes.get("caps") or ()), not_caps=tuple(excludes.get("caps") or ()),
        arches=tuple(includes.get("arches") or ()), not_arches=tuple(excludes.get("arches") or ()),
        min_kernel=_kernel(includes.get("minKernel"), bad, where),
        not_min_kernel=_kernel(excludes.get("minKernel"), bad, where),
    )


def _arg(raw: Any, where: str, bad: Any) -> Arg:
    if not isinstance(raw, dict) or raw.get("op") not in OPERATORS:
        raise bad(f"{where}: expected index, value and an op of {', '.join(sorted(OPERATORS))}")
    index = _int_or_none(raw.get("index", 0), f"{where}.index", bad) or 0
    if not 0 <= index < 6:
        raise bad(f"{where}.index: a syscall has arguments 0 to 5, not {index}")
    return Arg(index, raw["op"], _int_or_none(raw.get("value", 0), f"{where}.value", bad) or 0,
               _int_or_none(raw.get("valueTwo", 0), f"{where}.valueTwo", bad) or 0)


def _action(value: Any, bad: Any, where: str = "defaultAction") -> str:
    if value not in ACTIONS:
        raise bad(f"{where}: unknown action {value!r}")
    return str(value)


def _int_or_none(value: Any, where: str, bad: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise bad(f"{where}: expected a non-negative integer, got {value!r}")
    return value


def _kernel(value: Any, bad: Any, where: str) -> tuple[int, int] | None:
    if not value:
        return None
    major, _, minor = str(value).partition(".")
    if not major.isdigit() or not minor.split(".")[0].isdigit():
        raise bad(f"{where}: minKernel: expected a version such as 4.8, got {value!r}")
    return int(major), int(minor.split(".")[0])


def _text(raw: Any, key: str, bad: Any) -> str:
    value = raw.get(key) if isinstance(raw, dict) else None
    if not isinstance(value, str):
        raise bad(f"{key}: expected a string")
    return value


def _list(raw: dict[str, Any], key: str, bad: Any) -> list[Any]:
    value = raw.get(key) or []
    if not isinstance(value, list):
        raise bad(f"{key}: expected a list")
    return value
