"""Resource limits: the spec's RLIMIT_* names applied with setrlimit(2)."""

from __future__ import annotations

import resource

from engine.runtime.errors import BundleInvalid, SetupFailed

NAMES: dict[str, int] = {name: getattr(resource, name) for name in (
    "RLIMIT_AS", "RLIMIT_CORE", "RLIMIT_CPU", "RLIMIT_DATA", "RLIMIT_FSIZE", "RLIMIT_LOCKS",
    "RLIMIT_MEMLOCK", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_NOFILE", "RLIMIT_NPROC",
    "RLIMIT_RSS", "RLIMIT_RTPRIO", "RLIMIT_RTTIME", "RLIMIT_SIGPENDING", "RLIMIT_STACK",
) if hasattr(resource, name)}

_UNLIMITED = 2**64 - 1


def _limit(value: int) -> int:
    return resource.RLIM_INFINITY if value >= _UNLIMITED else value


def resolve(rlimits: tuple[tuple[str, int, int], ...]) -> list[tuple[int, int, int]]:
    out = []
    for name, soft, hard in rlimits:
        if name not in NAMES:
            raise BundleInvalid(f"process.rlimits: unknown resource limit {name!r}")
        out.append((NAMES[name], _limit(soft), _limit(hard)))
    return out


def apply(rlimits: tuple[tuple[str, int, int], ...]) -> None:
    for (name, _, _), (res, soft, hard) in zip(rlimits, resolve(rlimits), strict=True):
        try:
            resource.setrlimit(res, (soft, hard))
        except (OSError, ValueError) as e:
            raise SetupFailed(f"set `{name}` to {soft}/{hard}: {e}") from None
