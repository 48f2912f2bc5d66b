"""prctl(PR_SET_CHILD_SUBREAPER): orphans among our descendants become our children (and ours to reap).

The supervisor is one, so that a container's process, left by the runtime that made it, is
reaped by it; `exec -t` makes the CLI one for the same reason (the runtime's `exec --detach`
leaves the exec'd process to it). ctypes is imported only here, when it is needed.
"""

from __future__ import annotations

import os

PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> None:
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"prctl PR_SET_CHILD_SUBREAPER: {os.strerror(errno)}")
