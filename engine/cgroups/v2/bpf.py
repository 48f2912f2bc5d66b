"""The bpf(2) calls that device control on cgroup v2 needs, through ctypes: load, attach, query, detach.

A device program is a BPF_PROG_TYPE_CGROUP_DEVICE program; attached to a cgroup
(BPF_CGROUP_DEVICE, with BPF_F_ALLOW_MULTI so that a parent's programs still run) it
decides every open and mknod of a device node by the processes in that cgroup and its
descendants. The cgroup holds the program: our file descriptors are closed at once,
and the program goes when the cgroup is removed.

    fd = bpf.load_device_program(instructions)    # the kernel verifies it here
    bpf.replace_device_program(cgroup_dir, fd)     # attach the new one, detach the ones before it

Every failure is a CgroupError naming the cgroup (or the program) and the kernel's reason.
"""

from __future__ import annotations

import ctypes
import os
import platform
import struct
from pathlib import Path

from engine.cgroups.errors import CgroupError

# bpf(2) commands, program and attach types, flags (include/uapi/linux/bpf.h).
BPF_PROG_LOAD = 5
BPF_PROG_ATTACH = 8
BPF_PROG_DETACH = 9
BPF_PROG_GET_FD_BY_ID = 13
BPF_PROG_QUERY = 16
BPF_PROG_TYPE_CGROUP_DEVICE = 15
BPF_CGROUP_DEVICE = 6
BPF_F_ALLOW_MULTI = 2
CGROUP2_SUPER_MAGIC = 0x63677270

_BPF_NUMBER = {"x86_64": 321, "aarch64": 280, "riscv64": 280, "i686": 357, "i386": 357, "ppc64le": 361,
               "s390x": 351, "armv7l": 386}
_ATTR_SIZE = 128  # larger than every union member used here; the kernel wants the rest zero
_LOG_SIZE = 1 << 16

_libc = None


def _lib() -> ctypes.CDLL:
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    return _libc


def _bpf(cmd: int, attr: ctypes.Array[ctypes.c_char]) -> int:
    number = _BPF_NUMBER.get(platform.machine())
    if number is None:
        raise OSError(38, f"bpf: not known on {platform.machine()}")
    result = int(_lib().syscall(number, cmd, attr, ctypes.c_uint(_ATTR_SIZE)))
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return result


def is_cgroup2(directory: Path) -> bool:
    """Whether `directory` lies on a cgroup2 file system (fstatfs), and so can hold a device program."""
    buf = ctypes.create_string_buffer(256)  # struct statfs; f_type is its first field, a long, on every ABI
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        if _lib().fstatfs(fd, buf) != 0:
            return False
    finally:
        os.close(fd)
    return ctypes.c_long.from_buffer(buf).value & 0xFFFFFFFF == CGROUP2_SUPER_MAGIC


def load_device_program(instructions: bytes, name: str = "pycompose_dev") -> int:
    """Load a device program; its file descriptor. The verifier's log is in the error when it refuses."""
    insns = ctypes.create_string_buffer(instructions, len(instructions))
    license_ = ctypes.create_string_buffer(b"Apache")
    log = ctypes.create_string_buffer(_LOG_SIZE)
    attr = ctypes.create_string_buffer(_ATTR_SIZE)
    struct.pack_into("=IIQQIIQII", attr, 0, BPF_PROG_TYPE_CGROUP_DEVICE, len(instructions) // 8,
                     ctypes.addressof(insns), ctypes.addressof(license_), 1, _LOG_SIZE, ctypes.addressof(log), 0, 0)
    struct.pack_into("=16s", attr, 48, name.encode()[:15])
    try:
        return _bpf(BPF_PROG_LOAD, attr)
    except OSError as e:
        verifier = log.value.decode(errors="replace").strip()
        raise CgroupError(f"load device program `{name}`: {e.strerror}" + (f": {verifier}" if verifier else "")
                          ) from None


def _attach_attr(cgroup_fd: int, prog_fd: int, flags: int = 0) -> ctypes.Array[ctypes.c_char]:
    attr = ctypes.create_string_buffer(_ATTR_SIZE)
    struct.pack_into("=IIII", attr, 0, cgroup_fd, prog_fd, BPF_CGROUP_DEVICE, flags)
    return attr


def attached(cgroup_fd: int) -> list[int]:
    """The ids of the device programs attached to the cgroup itself (not its parents)."""
    ids = (ctypes.c_uint32 * 64)()
    attr = ctypes.create_string_buffer(_ATTR_SIZE)
    struct.pack_into("=IIIIQI", attr, 0, cgroup_fd, BPF_CGROUP_DEVICE, 0, 0, ctypes.addressof(ids), len(ids))
    _bpf(BPF_PROG_QUERY, attr)
    count = struct.unpack_from("=I", attr, 24)[0]
    return list(ids[:count])


def replace_device_program(cgroup: Path, prog_fd: int) -> None:
    """Attach `prog_fd` to `cgroup`, then detach the device programs attached there before (as runc does)."""
    try:
        cgroup_fd = os.open(cgroup, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as e:
        raise CgroupError(f"open cgroup `{cgroup}`: {e.strerror}") from None
    try:
        before = attached(cgroup_fd)
        _bpf(BPF_PROG_ATTACH, _attach_attr(cgroup_fd, prog_fd, BPF_F_ALLOW_MULTI))
        for prog_id in before:
            attr = ctypes.create_string_buffer(_ATTR_SIZE)
            struct.pack_into("=I", attr, 0, prog_id)
            old = _bpf(BPF_PROG_GET_FD_BY_ID, attr)
            try:
                _bpf(BPF_PROG_DETACH, _attach_attr(cgroup_fd, old))
            finally:
                os.close(old)
    except OSError as e:
        raise CgroupError(f"attach device program to cgroup `{cgroup}`: {e.strerror}") from None
    finally:
        os.close(cgroup_fd)
