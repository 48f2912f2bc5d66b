"""Temporary roots with busybox imported, and the engine's CLI run on them: the fixture of the engine-level e2e
tests (`container ...`, `volume ...`), shared through tests/e2e/conftest.py (`env`, module-scoped; `cli`, which
removes every container a test left and checks no mount stayed).

Needs root (mounts, namespaces, cgroups) and Debian's busybox-static; fails loudly without them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


class Env:
    def __init__(self) -> None:
        self.state = Path(tempfile.mkdtemp(prefix="pycompose-test-"))
        self.run_root = Path(tempfile.mkdtemp(prefix="pycompose-test-"))
        self.environ = {**os.environ, "PYCOMPOSE_ROOT": str(self.state), "PYCOMPOSE_RUN_ROOT": str(self.run_root)}

    def cli(self, *args: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "compose.cli.main", "container", *args], cwd=REPO,
                              env=self.environ, capture_output=True, text=True, timeout=timeout, check=False)

    def pycompose(self, *args: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
        """Any pycompose command (`image pull ...`) on these roots."""
        return subprocess.run([sys.executable, "-m", "compose.cli.main", *args], cwd=REPO, env=self.environ,
                              capture_output=True, text=True, timeout=timeout, check=False)

    def service(self):  # type: ignore[no-untyped-def]
        from engine.containers.service import ContainerService
        from engine.roots import Roots

        return ContainerService(Roots(self.state, self.run_root))

    def import_busybox(self) -> None:
        from engine.images.testing import import_busybox

        import_busybox(self.state)

    def mounts(self) -> list[str]:
        from engine.images.testing import mounts_under

        return mounts_under(self.state) + mounts_under(self.run_root)

    def remove_all(self) -> None:
        """Every container, by the service (as `rm -f`); what a failing test left, by hand."""
        from engine.cgroups.manager import Cgroup
        from engine.state.liveness import start_time

        svc = self.service()
        for record in svc.store.list():
            try:
                svc.remove(record.id, force=True)
            except Exception:  # noqa: BLE001 - a broken container must not hide the others
                if record.pid and start_time(record.pid) == record.pid_start:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(record.pid, signal.SIGKILL)
                Cgroup(f"pycompose/{record.id}").remove()
                with contextlib.suppress(Exception):
                    svc._unwind(record.id)

    def close(self) -> None:
        from engine.cgroups.manager import Cgroup
        from engine.images.snapshots.mounts import unmount
        from engine.supervisor.client import wait_gone

        self.remove_all()
        pid = self.service().supervisor.pid()
        self.service().supervisor.shutdown()
        if pid is not None and not wait_gone(pid, 10.0):
            os.kill(pid, signal.SIGKILL)
        for target in sorted(self.mounts(), key=len, reverse=True):
            unmount(target)
        Cgroup("pycompose/none").remove(parents=True)  # the shared parent, when no container is left in it
        shutil.rmtree(self.state, ignore_errors=True)
        shutil.rmtree(self.run_root, ignore_errors=True)


def open_env(who: str) -> Iterator[Env]:
    """An Env with busybox imported, closed afterwards (containers, supervisor, mounts, roots)."""
    if os.geteuid() != 0 or shutil.which("busybox") is None:
        pytest.fail(f"{who} needs root and busybox-static (scripts/setup.sh --test)", pytrace=False)
    made = Env()
    try:
        made.import_busybox()
        yield made
    finally:
        made.close()
