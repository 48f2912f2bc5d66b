"""A container's cgroup on every hierarchy of the host: make it, limit it, fill it, watch it, stop it, remove it.

Terms: a *hierarchy* is one mounted cgroup tree (v1: one per controller or group of
co-mounted controllers; v2: the unified one). A container's cgroup is the same relative
path in each hierarchy, always under a parent named `pycompose...` so that cleanup and
the leak check find exactly what pycompose made (and never touch another engine's).

Lifecycle:

    cg = Cgroup.create("pycompose/3f2a9c", resources)   # mkdir on every hierarchy, limits written
    cg.add(pid)                                         # the container's init joins it before exec
    cg.apply(new_resources)                             # `update`
    cg.stats()                                          # `stats`: memory, cpu time, pids
    cg.freeze(); cg.thaw()                              # `pause` / `unpause`
    cg.kill()                                           # every process, SIGKILL, then wait until empty
    cg.remove()                                         # kill what is left, rmdir everywhere

On a hybrid host the container also gets a cgroup in the unified hierarchy: processes
are members of both, which lends v2's core files (cgroup.kill, cpu.stat) to v1 hosts.
Device rules go to the v1 devices controller where there is one, else they become a
BPF device program attached to the unified cgroup (v2/devices.py).
A failure in `create` removes the directories it made before raising.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path, PurePosixPath

from engine.cgroups import fs
from engine.cgroups.detect import Layout, detect
from engine.cgroups.errors import CgroupError, CgroupLimitInvalid, CgroupNotFound
from engine.cgroups.resources import Resources
from engine.cgroups.v1 import blkio as v1_blkio
from engine.cgroups.v1 import cpu as v1_cpu
from engine.cgroups.v1 import cpuset as v1_cpuset
from engine.cgroups.v1 import devices as v1_devices
from engine.cgroups.v1 import freezer as v1_freezer
from engine.cgroups.v1 import memory as v1_memory
from engine.cgroups.v1 import pids as v1_pids
from engine.cgroups.v2 import cpu as v2_cpu
from engine.cgroups.v2 import cpuset as v2_cpuset
from engine.cgroups.v2 import devices as v2_devices
from engine.cgroups.v2 import freeze as v2_freeze
from engine.cgroups.v2 import io as v2_io
from engine.cgroups.v2 import memory as v2_memory
from engine.cgroups.v2 import pids as v2_pids

PARENT = "pycompose"
UNIFIED = "unified"  # the key of the cgroup2 directory among a container's directories

Apply = Callable[[Path, Resources], None]
V1_APPLY: dict[str, Apply] = {"memory": v1_memory.apply, "cpu": v1_cpu.apply, "cpuset": v1_cpuset.apply,
                              "pids": v1_pids.apply, "blkio": v1_blkio.apply, "devices": v1_devices.apply}
V2_APPLY: dict[str, Apply] = {"memory": v2_memory.apply, "cpu": v2_cpu.apply, "cpuset": v2_cpuset.apply,
                              "pids": v2_pids.apply, "io": v2_io.apply}
# Which resource each controller needs, to fail when a limit has no controller to hold it.
_NEEDS = {"memory": ("memory",), "pids": ("pids",), "cpu": ("cpu",)}


@dataclass(frozen=True)
class Stats:
    """One reading for `pycompose stats`; None where this host cannot tell."""

    memory_usage: int | None = None          # bytes, page cache included
    memory_limit: int | None = None          # bytes; None when unlimited
    memory_inactive_file: int | None = None  # reclaimable cache (Docker subtracts it from usage)
    memory_oom_kills: int | None = None
    memory_failcnt: int | None = None        # times the limit was hit
    cpu_usage_ns: int | None = None
    cpu_user_ns: int | None = None
    cpu_system_ns: int | None = None
    cpu_nr_periods: int | None = None
    cpu_nr_throttled: int | None = None
    pids_current: int | None = None
    pids_limit: int | None = None


@functools.cache
@functools.cache
def host_layout() -> Layout:
    """The cgroup hierarchies of this host, read once a process: /proc/self/mountinfo grows with every container's
    mounts, and a command removing thirty containers had parsed it thirty times."""
    return detect()


PRIME_PERIOD = 0.005  # well within the ~10-20 ms the kernel keeps its fast path after a move
PRIME_FOR = 0.5  # after the last call: a create, its start and its runtime's moves fit in it


class _Primer:
    lock = threading.Lock()
    until = 0.0
    thread: threading.Thread | None = None

    @classmethod
    def forget(cls) -> None:  # in a forked child: the thread (and a lock it held) stayed with the parent
        cls.lock, cls.until, cls.thread = threading.Lock(), 0.0, None


os.register_at_fork(after_in_child=_Primer.forget)


def prime_moves(seconds: float = PRIME_FOR) -> None:
    """Keep the kernel's fast path of moving a process between cgroups open for `seconds`, in the background.

    A move waits for an RCU grace period in the kernel (cgroup_threadgroup_rwsem: 6-15 ms here) unless another
    move happened within about one (then it takes 0.1 ms). So a process about to have a container started moves
    itself, in a daemon thread, into the cgroup it is already in (nothing changes) every PRIME_PERIOD until
    `seconds` after the last call: the container's nine moves, whenever its runtime makes them, are then quick.
    Best effort: a failure ends the priming.
    """
    with _Primer.lock:
        _Primer.until = max(_Primer.until, time.monotonic() + seconds)
        if _Primer.thread is not None:
            return
        procs = _own_procs_file()
        if procs is None:
            return
        moving = threading.Event()
        _Primer.thread = threading.Thread(target=_keep_primed, args=(procs, moving), name="cgroup-prime", daemon=True)
        _Primer.thread.start()
    # Until its first move is under way: that one waits out the grace period (holding the kernel's cgroup_mutex,
    # which a cgroup's mkdir needs too), so the sooner it starts, the sooner it is done.
    moving.wait(timeout=0.05)


def _keep_primed(procs: Path, moving: threading.Event) -> None:
    moving.set()
    while True:
        moved = _move_self(procs)
        if moved:
            time.sleep(PRIME_PERIOD)
        with _Primer.lock:  # the decision to stop and the thread's leaving at once: a call meanwhile starts anew
            if not moved or time.monotonic() >= _Primer.until:
                _Primer.thread = None
                return


def _own_procs_file() -> Path | None:
    """The cgroup.procs of this process's own cgroup on one of its hierarchies (the kernel's lock is global)."""
    try:
        layout = host_layout()
        with open("/proc/self/cgroup") as f:
            lines = f.read().splitlines()
        for line in lines:
            hierarchy, controllers, path = line.split(":", 2)
            root = layout.unified if hierarchy == "0" else layout.v1.get(controllers.split(",")[0])
            procs = root / path.lstrip("/") / "cgroup.procs" if root is not None else None
            if procs is not None and procs.is_file():
                return procs
    except (OSError, ValueError, CgroupError):
        pass
    return None


def _move_self(procs: Path) -> bool:
    try:
        procs.write_text(str(os.getpid()))
        return True
    except OSError:
        return False


def _relative(path: str | PurePosixPath) -> PurePosixPath:
    rel = PurePosixPath(str(path).lstrip("/"))
    if not rel.parts or ".." in rel.parts or not rel.parts[0].startswith(PARENT):
        raise CgroupLimitInvalid(f"cgroup path `{path}`: must lie under a `{PARENT}...` parent, as pycompose/<id>")
    return rel


class Cgroup:
    """The cgroup at `path` (relative, e.g. `pycompose/<id>`) on every hierarchy of `layout`."""

    def __init__(self, path: str | PurePosixPath, layout: Layout | None = None):
        self.path = _relative(path)
        self.layout = layout if layout is not None else host_layout()

    def __repr__(self) -> str:
        return f"Cgroup({str(self.path)!r}, mode={self.layout.mode})"

    # --- where -------------------------------------------------------------------------

    def _roots(self) -> dict[str, Path]:
        """Hierarchy key -> hierarchy root; co-mounted v1 controllers share one key (the first's name)."""
        roots: dict[str, Path] = {}
        seen: set[Path] = set()
        for name, root in self.layout.v1_hierarchies().items():
            if root not in seen:
                seen.add(root)
                roots[name] = root
        if self.layout.unified is not None:
            roots[UNIFIED] = self.layout.unified
        return roots

    def dirs(self) -> dict[str, Path]:
        """Hierarchy key (`memory`, `cpu`, ..., `unified`) -> this cgroup's directory there."""
        return {key: root / self.path for key, root in self._roots().items()}

    def _v1(self, controller: str) -> Path | None:
        root = self.layout.v1.get(controller)
        return root / self.path if root is not None else None

    def _unified(self) -> Path | None:
        return self.layout.unified / self.path if self.layout.unified is not None else None

    def exists(self) -> bool:
        return any(d.is_dir() for d in self.dirs().values())

    # --- create and apply ------------------------------------------------------------------

    @classmethod
    def create(cls, path: str | PurePosixPath, resources: Resources | None = None,
               layout: Layout | None = None) -> Cgroup:
        """Make the cgroup (and its parents) on every hierarchy and apply `resources`; unwind on failure."""
        if layout is None and os.geteuid() != 0:
            raise CgroupError(f"create cgroup `{path}`: making cgroups needs root", hint="run pycompose as root")
        cgroup = cls(path, layout)
        made: list[Path] = []
        try:
            for key, root in cgroup._roots().items():
                cgroup._make(key, root, made)
            cgroup.apply(resources or Resources())
        except BaseException:
            for directory in reversed(made):
                with contextlib.suppress(CgroupError):
                    fs.rmdir(directory)
            raise
        return cgroup

    def _make(self, key: str, root: Path, made: list[Path]) -> None:
        if key == UNIFIED:
            _enable_controllers(root, self.layout.v2_controllers())
        for attempt in range(3):
            try:
                self._make_levels(key, root, made)
                return
            except CgroupError as err:
                # The last container's removal prunes the shared parent; make it again.
                vanished = isinstance(err.__cause__, FileNotFoundError)
                if not vanished or attempt == 2:
                    raise

    def _make_levels(self, key: str, root: Path, made: list[Path]) -> None:
        for depth in range(1, len(self.path.parts) + 1):
            directory = root.joinpath(*self.path.parts[:depth])
            if fs.mkdir(directory):
                made.append(directory)
            if key == "cpuset":
                v1_cpuset.inherit(directory)
            elif key == UNIFIED and depth < len(self.path.parts):
                _enable_controllers(directory, self.layout.v2_controllers())

    def apply(self, resources: Resources) -> None:
        """Write `resources` on every hierarchy (also `update` of a running container)."""
        self._check_controllers(resources)
        for controller, apply in V1_APPLY.items():
            directory = self._v1(controller)
            if directory is not None:
                apply(directory, resources)
        unified = self._unified()
        if unified is None:
            return
        for controller in self.layout.v2_controllers():
            V2_APPLY[controller](unified, resources)
        if "devices" not in self.layout.v1:  # no v1 devices controller: the rules become a BPF program on v2
            v2_devices.apply(unified, resources)
        for name, value in resources.unified:
            if "/" in name or name.startswith("."):
                raise CgroupLimitInvalid(f"unified `{name}`: not a cgroup interface file name")
            fs.write(unified / name, value)

    def _check_controllers(self, resources: Resources) -> None:
        for attr, controllers in _NEEDS.items():
            if getattr(resources, attr) is not None and not any(self.layout.where(c) for c in controllers):
                raise CgroupError(f"apply {attr} limits `{self.path}`: this host has no `{controllers[0]}` "
                                  f"cgroup controller", hint="enable it on the kernel command line or in systemd")

    # --- processes -------------------------------------------------------------------------

    def add(self, pid: int) -> None:
        """Move process `pid` (all its threads) into this cgroup on every hierarchy."""
        for directory in self.dirs().values():
            fs.write(directory / "cgroup.procs", pid)

    def _members_dir(self) -> Path:
        dirs = self.dirs()
        if not dirs:
            raise CgroupNotFound(f"cgroup `{self.path}`: no cgroup hierarchy is mounted")
        return dirs.get(UNIFIED) or next(iter(dirs.values()))

    def pids(self) -> list[int]:
        """The processes in this cgroup (not in child cgroups)."""
        return fs.read_pids(self._members_dir() / "cgroup.procs")

    # --- stats -----------------------------------------------------------------------------

    def stats(self) -> Stats:
        if not self.exists():
            raise CgroupNotFound(f"read stats of cgroup `{self.path}`: it does not exist")
        values: dict[str, int] = {}
        unified = self._unified()
        if unified is not None:
            values.update(v2_cpu.stats(unified))  # cpu.stat is a core file: present even without the controller
            if "memory" in self.layout.v2_controllers():
                values.update(v2_memory.stats(unified))
            if "pids" in self.layout.v2_controllers():
                values.update(v2_pids.stats(unified))
        for controller, read in (("memory", v1_memory.stats), ("pids", v1_pids.stats), ("cpu", v1_cpu.stats),
                                 ("cpuacct", v1_cpu.acct_stats)):
            directory = self._v1(controller)
            if directory is not None:
                values.update(read(directory))
        known = {f.name for f in fields(Stats)}
        return Stats(**{key: value for key, value in values.items() if key in known})

    # --- pause, kill, remove ------------------------------------------------------------------

    def freeze(self, timeout: float = 5.0) -> None:
        """Stop every process of the cgroup (`pause`); returns once all are frozen."""
        freezer = self._v1("freezer")
        if freezer is not None:
            v1_freezer.freeze(freezer, timeout)
        elif (unified := self._unified()) is not None:
            v2_freeze.freeze(unified, timeout)
        else:
            raise CgroupError(f"freeze `{self.path}`: this host has no freezer (neither v1 `freezer` nor cgroup2)")

    def thaw(self, timeout: float = 5.0) -> None:
        """Let the processes run again (`unpause`)."""
        freezer = self._v1("freezer")
        if freezer is not None:
            v1_freezer.thaw(freezer, timeout)
        elif (unified := self._unified()) is not None:
            v2_freeze.thaw(unified, timeout)

    def frozen(self) -> bool:
        freezer = self._v1("freezer")
        if freezer is not None:
            return v1_freezer.state(freezer) != "THAWED"
        unified = self._unified()
        return unified is not None and v2_freeze.frozen(unified)

    def kill(self, timeout: float = 5.0) -> None:
        """SIGKILL every process in the cgroup and wait until none is left.

        With cgroup.kill (v2, Linux 5.14+, also the unified half of a hybrid host) the kernel
        does it in one write, racing no fork. Otherwise the cgroup is frozen first, so that
        no process forks between the listing and the signals, then thawed to let them die.
        """
        unified = self._unified()
        if unified is not None and unified.is_dir() and v2_freeze.can_kill(unified):
            v2_freeze.kill(unified)
        else:
            self._kill_frozen(timeout)
        fs.until(lambda: not self._populated(), timeout, f"kill the processes of cgroup `{self.path}`")

    def _kill_frozen(self, timeout: float) -> None:
        can_freeze = self._v1("freezer") is not None or self._unified() is not None
        if can_freeze:
            self.freeze(timeout)
        try:
            for pid in self.pids():
                _signal(pid, signal.SIGKILL)
        finally:
            if can_freeze:
                self.thaw(timeout)

    def _populated(self) -> bool:
        return any(fs.read_pids(d / "cgroup.procs") for d in self.dirs().values() if d.is_dir())

    def remove(self, timeout: float = 5.0, *, parents: bool = False) -> None:
        """Kill what is left and remove the cgroup from every hierarchy.

        Named hierarchies (`name=systemd`) hold no controller, so pycompose never makes the
        cgroup there, but runc does: it goes too when present. With `parents`, also remove the
        `pycompose...` ancestors that are left empty, so nothing stays behind on the host.
        """
        own = list(self.dirs().values())
        named = [root / self.path for root in self.layout.named.values()]
        for directory in own + named:
            if (directory in own or directory.is_dir()) and not _rmdir_unless_busy(directory):
                # Busy: processes are left (kill them), or the last one has just exited and the kernel has not
                # released the cgroup yet. Asking first would cost every removal a look at every hierarchy.
                if self._populated():
                    self.kill(timeout)
                _rmdir_when_released(directory, timeout)
            if parents:  # also where the runtime removed the cgroup itself (runc delete)
                _prune(directory, len(self.path.parts) - 1)


def _enable_controllers(directory: Path, controllers: tuple[str, ...]) -> None:
    """Make `controllers` available to the children of `directory` (one write each: one may be refused)."""
    enabled = set((fs.read_optional(directory / "cgroup.subtree_control") or "").split())
    for name in controllers:
        if name not in enabled:
            fs.write(directory / "cgroup.subtree_control", f"+{name}")


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


def _rmdir_unless_busy(directory: Path) -> bool:
    """Remove the cgroup directory (or find it gone); False when the kernel says it is busy."""
    try:
        fs.rmdir(directory)
    except CgroupError as err:
        if isinstance(err.__cause__, OSError) and err.__cause__.errno == errno.EBUSY:
            return False
        raise
    return True


def _rmdir_when_released(directory: Path, timeout: float) -> None:
    # The kernel may take a moment to release a cgroup whose last task just exited (EBUSY meanwhile).
    fs.until(lambda: _rmdir_unless_busy(directory), timeout, f"remove cgroup `{directory}`")


def _prune(directory: Path, levels: int) -> None:
    for parent in list(directory.parents)[:levels]:
        try:
            os.rmdir(parent)
        except FileNotFoundError:
            continue
        except OSError as err:
            if err.errno != errno.ENOTEMPTY:
                return  # another container still lives there (EBUSY), or it cannot go
            try:
                fs.rmdir(parent)  # a fake tree of plain files (tests): fs.rmdir empties it first
            except CgroupError:
                return
