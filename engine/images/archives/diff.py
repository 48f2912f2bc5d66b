"""What a container changed, read from its overlay upper directory (`docker diff`).

Each path in the upper directory is a change: a whiteout (0/0 character device) is
`D`, a path present in the image's layers is `C`, anything else `A`. An opaque
directory hides everything below it in the layers: those paths are `D` too.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from engine.images.unpack import OPAQUE_XATTR

ADDED, CHANGED, DELETED = "A", "C", "D"


@dataclass(frozen=True, order=True)
class Change:
    """One path a container changed: added, changed or deleted."""

    path: str  # absolute inside the container: /etc/hosts
    kind: str  # A, C or D

    def __str__(self) -> str:
        return f"{self.kind} {self.path}"


def is_whiteout(st: os.stat_result) -> bool:
    return stat.S_ISCHR(st.st_mode) and st.st_rdev == 0


def is_opaque(path: str) -> bool:
    try:
        return os.getxattr(path, OPAQUE_XATTR, follow_symlinks=False) == b"y"
    except OSError:
        return False


def _in_lowers(rel: str, lowers: Sequence[Path]) -> bool:
    """Does the image (layers topmost first) show `rel`?"""
    for layer in lowers:
        try:
            st = os.lstat(layer / rel)
        except (FileNotFoundError, NotADirectoryError):
            continue
        return not is_whiteout(st)
    return False


def _hidden_below(rel: str, upper: Path, lowers: Sequence[Path]) -> list[Change]:
    seen: set[str] = set()
    for layer in lowers:
        base = layer / rel
        if not base.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(base):
            for name in dirnames + filenames:
                sub = os.path.relpath(os.path.join(dirpath, name), layer)
                if sub not in seen and not os.path.lexists(upper / sub):
                    seen.add(sub)
    return [Change("/" + s, DELETED) for s in seen]


def changes(upper: Path, lowers: Sequence[Path]) -> list[Change]:
    """The changes in `upper` over `lowers` (the image's layer directories, topmost first), sorted by path."""
    out: list[Change] = []
    for dirpath, dirnames, filenames in os.walk(upper):
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, upper)
            st = os.lstat(full)
            if is_whiteout(st):
                out.append(Change("/" + rel, DELETED))
                continue
            out.append(Change("/" + rel, CHANGED if _in_lowers(rel, lowers) else ADDED))
            if stat.S_ISDIR(st.st_mode) and is_opaque(full):
                out.extend(_hidden_below(rel, upper, lowers))
    return sorted(out)
