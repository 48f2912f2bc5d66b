"""The cgroup filesystem seam: every read, write, mkdir and rmdir of this package goes through here.

A cgroup is a directory and its interface files are small text files, so the seam is
the file system itself: controllers take the directory they write into as a parameter,
and unit tests hand them a temporary directory. This module only adds what every
caller needs: errors that read *operation `path`: reason*, the parsing of the two
kernel formats (flat `key value` lines and single values), and a bounded wait.
"""

from __future__ import annotations

import errno
import os
import time
from collections.abc import Callable
from pathlib import Path

from engine.cgroups.errors import CgroupError, CgroupLimitInvalid

# Writes the kernel refuses because of the value (not the system): the user's limit is wrong.
_VALUE_ERRNOS = {errno.EINVAL, errno.ERANGE, errno.EOVERFLOW}


def _fail(op: str, path: Path, err: OSError, value: str | None = None) -> CgroupError | CgroupLimitInvalid:
    reason = os.strerror(err.errno) if err.errno else str(err)
    if err.errno in _VALUE_ERRNOS and value is not None:
        return CgroupLimitInvalid(f"{op} `{path}`: the kernel refused {value!r}: {reason}")
    hint = "cgroups need root: run pycompose as root" if err.errno in (errno.EACCES, errno.EPERM) else None
    return CgroupError(f"{op} `{path}`: {reason}", hint=hint)


def write(path: Path, value: str | int) -> None:
    """Write one value to one interface file (one write(2), as the kernel parses each write alone)."""
    text = str(value)
    try:
        # O_CREAT serves fake trees (plain directories); cgroupfs never creates a file.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
    except OSError as err:
        if path.parent.is_dir() and not path.exists():
            raise CgroupError(f"write `{path}`: this kernel has no such cgroup file",
                              hint="the controller may be disabled or missing from this kernel") from err
        raise _fail("open", path, err) from err
    try:
        os.write(fd, text.encode())
    except OSError as err:
        raise _fail("write", path, err, text) from err
    finally:
        os.close(fd)


def read(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError as err:
        raise _fail("read", path, err) from err


def read_optional(path: Path) -> str | None:
    """The file's value, or None when the file does not exist (a controller the kernel lacks)."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        return None
    except OSError as err:
        raise _fail("read", path, err) from err


def read_int(path: Path) -> int | None:
    """An integer file; None when it is missing or reads `max`."""
    text = read_optional(path)
    if text is None or text == "max":
        return None
    return int(text)


def read_flat(path: Path) -> dict[str, int]:
    """A flat-keyed file (`memory.stat`, `cpu.stat`, `cgroup.events`): `key value` per line; {} when missing."""
    text = read_optional(path)
    pairs = (line.split() for line in (text or "").splitlines())
    return {fields[0]: int(fields[1]) for fields in pairs if len(fields) == 2 and fields[1].lstrip("-").isdigit()}


def read_pids(path: Path) -> list[int]:
    """The pids listed in `cgroup.procs` (or `tasks`); [] when the file is missing."""
    return [int(line) for line in (read_optional(path) or "").split()]


def mkdir(path: Path) -> bool:
    """Make one cgroup directory; True if this call made it."""
    try:
        path.mkdir()
    except FileExistsError:
        return False
    except OSError as err:
        raise _fail("mkdir", path, err) from err
    return True


def rmdir(path: Path) -> None:
    """Remove one cgroup directory; a missing one is already removed.

    The kernel answers EBUSY while processes or child cgroups remain, and never ENOTEMPTY
    (its interface files do not count). ENOTEMPTY therefore means a fake tree of plain
    files, whose files are removed first; subdirectories are never touched.
    """
    try:
        os.rmdir(path)
        return
    except FileNotFoundError:
        return
    except OSError as err:
        if err.errno != errno.ENOTEMPTY:
            raise _fail("rmdir", path, err) from err
    for entry in path.iterdir():
        if entry.is_file() and not entry.is_symlink():
            entry.unlink()
    try:
        os.rmdir(path)
    except OSError as err:
        raise _fail("rmdir", path, err) from err


def until(done: Callable[[], bool], timeout: float, what: str) -> None:
    """Wait, with a deadline, for a kernel condition that has no notification (freezer state, empty cgroup).

    Polls quickly at first (most conditions hold within a millisecond) and backs off to 20 ms.
    Raises CgroupError naming `what` when the deadline passes.
    """
    deadline = time.monotonic() + timeout
    pause = 0.0005
    while not done():
        if time.monotonic() >= deadline:
            raise CgroupError(f"{what}: still not done after {timeout:g} s")
        time.sleep(pause)
        pause = min(pause * 2, 0.02)
