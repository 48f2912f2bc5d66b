"""Seccomp: `linux.seccomp` compiled to a BPF program once, cached, and loaded as runc loads it.

Compiling the filter of Docker's default profile with libseccomp (pyseccomp) costs
about 200 ms here (loading the library, some 350 rules, the export); loading a compiled
program is one syscall. So the launcher, before it forks, asks `program()` for the
compiled filter: it is read from `<root>/~seccomp/<key>.bpf`, where the key hashes
the `linux.seccomp` document with the machine and the kernel release, or compiled
and stored there (atomically: a rename) on the first start. The child only loads
the bytes, with `load()`.

When (runc's order): without `noNewPrivileges`, loading a filter needs CAP_SYS_ADMIN,
so it is loaded before the capabilities are dropped and the user switched; with it,
as late as possible, just before execve, so that few syscalls run under it.

The rules follow runc's reading of the document: an ERRNO or TRACE action without
`errnoRet` returns EPERM; a rule whose action is the default action is skipped; a
syscall libseccomp does not know is skipped; several conditions on one argument
become one rule each (libseccomp cannot AND them).
"""

from __future__ import annotations

import errno
import os
from typing import Any, NamedTuple

from engine.runtime import syscalls as sc
from engine.runtime.errors import BundleInvalid, SetupFailed
from engine.runtime.spec import Seccomp, sha256

CACHE = "~seccomp"  # under the runtime's root: `~` is not allowed in a container id, so no container takes it
FLAGS = {"SECCOMP_FILTER_FLAG_TSYNC": 1, "SECCOMP_FILTER_FLAG_LOG": 2, "SECCOMP_FILTER_FLAG_SPEC_ALLOW": 4}


class Filter(NamedTuple):
    program: bytes  # classic BPF, as seccomp(2) takes it
    flags: int = 0


def flags(s: Seccomp) -> int:
    bits = 0
    for name in s.flags:
        if name not in FLAGS:
            raise BundleInvalid(f"config.json: linux.seccomp.flags: unknown flag {name!r}")
        bits |= FLAGS[name]
    return bits


def cache_key(s: Seccomp) -> str:
    uname = os.uname()
    return sha256(f"{s.digest} {uname.machine} {uname.release}".encode())


def program(s: Seccomp | None, root: str) -> Filter | None:
    """The compiled filter of `s` (None: no seccomp), from the cache under `root` or compiled into it."""
    if s is None:
        return None
    bits = flags(s)
    cache = os.path.join(root, CACHE)
    path = os.path.join(cache, cache_key(s) + ".bpf")
    try:
        with open(path, "rb") as f:
            return Filter(f.read(), bits)
    except FileNotFoundError:
        pass
    os.makedirs(cache, mode=0o700, exist_ok=True)
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        with open(tmp, "w+b") as f:
            build(s).export_bpf(f)
            f.seek(0)
            compiled = f.read()
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return Filter(compiled, bits)


def load(f: Filter) -> None:
    """Confine the calling process (and its children) with `f`: irrevocable."""
    try:
        sc.seccomp_filter(f.program, f.flags)
    except OSError as e:
        raise SetupFailed(f"load seccomp filter: {os.strerror(e.errno) if e.errno else e}") from None


# -- compiling, with libseccomp ------------------------------------------------------------------

def _libseccomp() -> Any:
    """pyseccomp, also when the runtime runs with `python -S` (start-up speed): site-packages are added then."""
    try:
        import pyseccomp
    except ImportError:
        import site
        import sys
        sys.path.extend(p for p in site.getsitepackages() if p not in sys.path)
        try:
            import pyseccomp
        except ImportError:
            raise SetupFailed("compile seccomp filter: the pyseccomp package is missing",
                              hint="pip install pyseccomp (and the system's libseccomp2)") from None
    return pyseccomp


def _action(lib: Any, name: str, errno_ret: int | None, where: str) -> int:
    code = errno.EPERM if errno_ret is None else errno_ret
    actions = {"SCMP_ACT_KILL": lib.KILL_THREAD, "SCMP_ACT_KILL_THREAD": lib.KILL_THREAD,
               "SCMP_ACT_KILL_PROCESS": lib.KILL_PROCESS, "SCMP_ACT_TRAP": lib.TRAP, "SCMP_ACT_ALLOW": lib.ALLOW,
               "SCMP_ACT_LOG": lib.LOG, "SCMP_ACT_ERRNO": lib.ERRNO(code), "SCMP_ACT_TRACE": lib.TRACE(code)}
    if name not in actions:
        raise BundleInvalid(f"config.json: linux.seccomp.{where}: unsupported action {name!r}")
    return int(actions[name])


def _arch(lib: Any, name: str) -> int:
    short = name.removeprefix("SCMP_ARCH_")
    value = getattr(lib.Arch, short, None) if short != "NATIVE" else None
    if value is None:
        raise BundleInvalid(f"config.json: linux.seccomp.architectures: unknown architecture {name!r}")
    return int(value)


def build(s: Seccomp) -> Any:
    """The libseccomp filter of `s` (a pyseccomp.SyscallFilter, not loaded)."""
    lib = _libseccomp()
    default = _action(lib, s.default_action, s.default_errno, "defaultAction")
    ops = {"SCMP_CMP_NE": lib.NE, "SCMP_CMP_LT": lib.LT, "SCMP_CMP_LE": lib.LE, "SCMP_CMP_EQ": lib.EQ,
           "SCMP_CMP_GE": lib.GE, "SCMP_CMP_GT": lib.GT, "SCMP_CMP_MASKED_EQ": lib.MASKED_EQ}
    filt = lib.SyscallFilter(default)
    for name in s.architectures:
        try:
            filt.add_arch(_arch(lib, name))
        except OSError as e:
            if e.errno != errno.EEXIST:  # the native architecture is in every filter already
                raise SetupFailed(f"seccomp: add architecture `{name}`: {e.strerror}") from None
    for i, call in enumerate(s.syscalls):
        action = _action(lib, call.action, call.errno, f"syscalls[{i}].action")
        if action == default:
            continue
        for arg in call.args:
            if arg.op not in ops:
                raise BundleInvalid(f"config.json: linux.seccomp.syscalls[{i}]: unknown operator {arg.op!r}")
        conditions = [lib.Arg(a.index, ops[a.op], a.value, a.value_two) for a in call.args]
        indexes = [a.index for a in call.args]
        groups = [[c] for c in conditions] if len(set(indexes)) < len(indexes) else [conditions]
        for name in call.names:
            number = lib.resolve_syscall(lib.Arch.NATIVE, name)
            if number == -1:  # __NR_SCMP_ERROR: unknown to this libseccomp (runc skips it too)
                continue
            for group in groups:
                try:
                    filt.add_rule(action, number, *group)
                except OSError as e:
                    raise SetupFailed(f"seccomp: add rule for `{name}`: {e.strerror}") from None
    return filt
