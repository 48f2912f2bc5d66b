"""Capabilities: names to numbers, Docker's default set, and applying the five sets.

Order matters. The bounding set is trimmed first (PR_CAPBSET_DROP needs CAP_SETPCAP,
which the user switch may take away); `keep()` then asks the kernel to keep the
permitted set across setuid; after the user switch `apply()` sets effective,
permitted and inheritable with capset(2), and raises the ambient ones.
"""

from __future__ import annotations

import functools

from engine.runtime import syscalls as sc
from engine.runtime.errors import BundleInvalid, SetupFailed

NAMES: tuple[str, ...] = (
    "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID",
    "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW",
    "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT",
    "SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD",
    "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG",
    "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE",
)
NUMBERS: dict[str, int] = {f"CAP_{name}": i for i, name in enumerate(NAMES)}

# The capabilities Docker gives a container unless told otherwise.
DOCKER_DEFAULT: tuple[str, ...] = (
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
    "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
    "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
)

SETS = ("bounding", "effective", "permitted", "inheritable", "ambient")


@functools.cache
def last_cap() -> int:
    """The kernel's highest capability number (read once: the container's setup asked it ~60 times)."""
    try:
        with open("/proc/sys/kernel/cap_last_cap") as f:
            return int(f.read())
    except OSError:
        return len(NAMES) - 1


def mask(names: tuple[str, ...] | list[str]) -> int:
    """The bit mask of capability names; a name the kernel does not know is ignored, an unknown one refused."""
    bits = 0
    for name in names:
        key = name.upper() if name.upper().startswith("CAP_") else f"CAP_{name.upper()}"
        if key not in NUMBERS:
            raise BundleInvalid(f"process.capabilities: unknown capability {name!r}")
        if NUMBERS[key] <= last_cap():
            bits |= 1 << NUMBERS[key]
    return bits


def masks(caps: dict[str, tuple[str, ...]]) -> dict[str, int]:
    return {s: mask(caps.get(s, ())) for s in SETS}


def drop_bounding(keep_bits: int) -> None:
    for cap in range(last_cap() + 1):
        if not keep_bits & (1 << cap):
            try:
                sc.prctl(sc.PR_CAPBSET_DROP, cap)
            except OSError as e:
                raise SetupFailed(f"drop capability `{cap}` from the bounding set: {e.strerror}") from None


def keep() -> None:
    sc.prctl(sc.PR_SET_KEEPCAPS, 1)


def apply(bits: dict[str, int]) -> None:
    try:
        sc.capset(bits["effective"], bits["permitted"], bits["inheritable"])
        sc.prctl(sc.PR_CAP_AMBIENT, sc.PR_CAP_AMBIENT_CLEAR_ALL)
        for cap in range(last_cap() + 1):
            if bits["ambient"] & (1 << cap) and bits["inheritable"] & bits["permitted"] & (1 << cap):
                sc.prctl(sc.PR_CAP_AMBIENT, sc.PR_CAP_AMBIENT_RAISE, cap)
    except OSError as e:
        raise SetupFailed(f"set capabilities: {e.strerror}") from None
