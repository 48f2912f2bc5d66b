"""Real cgroups for the integration tests of engine.cgroups: made under `pycompose-test-<random>`, always removed.

`cgroups` makes containers' cgroups on this host; `spawn` starts a Python child that
waits on its stdin until it has been put into a cgroup, then runs the test's code.
The finalizer kills and reaps every child, removes every cgroup with its parent, and
fails the test if anything named after the run is left under /sys/fs/cgroup.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import select
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from engine.cgroups.manager import Cgroup
from engine.cgroups.resources import Resources


def needs_root() -> None:
    if os.geteuid() != 0:
        pytest.fail("tests/integration/engine/test_cgroups_* need root (they make real cgroups); run them as root")


class Children:
    def __init__(self) -> None:
        self.procs: list[subprocess.Popen[bytes]] = []

    def spawn(self, cgroup: Cgroup, code: str, **kwargs) -> subprocess.Popen[bytes]:
        """Start `python -c code` inside `cgroup`: the code runs only once the child is a member."""
        prelude = "import sys\nsys.stdin.buffer.read(1)\n"
        proc = subprocess.Popen([sys.executable, "-S", "-c", prelude + code], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, **kwargs)
        self.procs.append(proc)
        cgroup.add(proc.pid)
        assert proc.stdin is not None
        proc.stdin.write(b"g")
        proc.stdin.close()
        return proc

    def close(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=10)
            if proc.stdout is not None:
                proc.stdout.close()


def read_line(proc: subprocess.Popen[bytes], timeout: float = 10.0) -> str:
    """One line of the child's stdout, or fail after `timeout`."""
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    assert ready, f"child {proc.pid} wrote nothing within {timeout} s"
    return proc.stdout.readline().decode().strip()


def eventually(predicate, timeout: float, pause: float = 0.002) -> bool:
    """True as soon as `predicate()` holds, False if it still does not after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() >= deadline:
            return False
        time.sleep(pause)
    return True


@contextlib.contextmanager
def children() -> Iterator[Children]:
    kids = Children()
    try:
        yield kids
    finally:
        kids.close()


@contextlib.contextmanager
def cgroup_factory() -> Iterator[Callable[..., Cgroup]]:
    """make("name", resources) -> Cgroup at pycompose-test-<random>/name; all removed on the way out."""
    parent = f"pycompose-test-{secrets.token_hex(4)}"
    made: list[Cgroup] = []

    def make(name: str, resources: Resources | None = None) -> Cgroup:
        cg = Cgroup.create(f"{parent}/{name}", resources)
        made.append(cg)
        return cg

    try:
        yield make
    finally:
        for cg in made:
            cg.remove(timeout=10, parents=True)
    left = [str(p) for p in Path("/sys/fs/cgroup").glob(f"**/{parent}")]
    assert left == [], f"cgroups left behind: {left}"
