"""Errors of the cgroup layer: each is an `EngineError` and one kind of `pycompose.errors`.

    EngineError
     |-- CgroupError         (Unavailable)      a cgroup file or directory could not be read, written, made or removed
     |-- CgroupLimitInvalid  (InvalidArgument)  the kernel or the converter refused a value (cpuset `7` on 2 CPUs)
     `-- CgroupNotFound      (NotFound)         the container's cgroup does not exist

Messages read *operation `object`: reason*, for example
``write `/sys/fs/cgroup/memory/pycompose/web/memory.limit_in_bytes`: Device or resource busy``.
"""

from __future__ import annotations

from engine.errors import EngineError
from pycompose.errors import InvalidArgument, NotFound, Unavailable


class CgroupError(EngineError, Unavailable):
    """The kernel refused an operation on a cgroup (or it did not finish in time)."""


class CgroupLimitInvalid(EngineError, InvalidArgument):
    """A resource limit the kernel (or the conversion between versions) cannot take."""


class CgroupNotFound(EngineError, NotFound):
    """The named cgroup does not exist on this host."""
