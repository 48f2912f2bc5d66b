"""Device nodes and the standard /dev symlinks of a container.

A container whose /dev is a fresh tmpfs gets the six nodes every program expects
(null, zero, full, random, urandom, tty), the spec's `linux.devices`, and the links
fd, stdin, stdout, stderr, core and ptmx. In a user namespace mknod is refused, so
each node is the host's, bind-mounted onto an empty file (as runc does).
"""

from __future__ import annotations

import os
import stat

from engine.runtime import syscalls as sc
from engine.runtime.errors import SetupFailed
from engine.runtime.mounts import secure_join
from engine.runtime.spec import Device

DEFAULT: tuple[Device, ...] = (
    Device("/dev/null", "c", 1, 3), Device("/dev/zero", "c", 1, 5), Device("/dev/full", "c", 1, 7),
    Device("/dev/random", "c", 1, 8), Device("/dev/urandom", "c", 1, 9), Device("/dev/tty", "c", 5, 0),
)

LINKS: tuple[tuple[str, str], ...] = (
    ("/proc/self/fd", "/dev/fd"), ("/proc/self/fd/0", "/dev/stdin"),
    ("/proc/self/fd/1", "/dev/stdout"), ("/proc/self/fd/2", "/dev/stderr"),
)

_TYPES = {"c": stat.S_IFCHR, "u": stat.S_IFCHR, "b": stat.S_IFBLK, "p": stat.S_IFIFO}


def create(rootfs: str, devices: tuple[Device, ...], bind: bool = False) -> None:
    wanted = {d.path: d for d in DEFAULT}
    wanted.update({d.path: d for d in devices})
    old = os.umask(0)
    try:
        for d in wanted.values():
            path = secure_join(rootfs, d.path)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            if os.path.lexists(path):
                os.unlink(path)
            try:
                if bind:
                    os.close(os.open(path, os.O_CREAT | os.O_WRONLY | os.O_CLOEXEC, 0o644))
                    sc.mount(d.path, path, None, sc.MS_BIND, None)
                else:
                    sc.mknod(path, _TYPES[d.type] | (d.file_mode & 0o7777), os.makedev(d.major, d.minor))
                    os.chown(path, d.uid, d.gid)
            except OSError as e:
                raise SetupFailed(f"create device `{d.path}`: {e.strerror}") from None
    finally:
        os.umask(old)


def link(rootfs: str, has_devpts: bool) -> None:
    links = list(LINKS)
    if os.path.exists("/proc/kcore"):
        links.append(("/proc/kcore", "/dev/core"))
    if has_devpts:
        links.append(("pts/ptmx", "/dev/ptmx"))
    for target, name in links:
        path = secure_join(rootfs, name)
        if os.path.lexists(path):
            if name != "/dev/ptmx":
                continue
            os.unlink(path)
        os.symlink(target, path)
