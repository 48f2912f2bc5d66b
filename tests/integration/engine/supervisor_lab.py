"""A supervisor on temporary roots for tests: containers are host commands (the `process` launcher).

    def test_x(lab):
        web = lab.run("web-1", "echo hi; exit 3", restart="on-failure:2")
        assert lab.sup.wait(web.id) == 3

Every container still alive at the end is killed by pid (checked against its start
time), every supervisor the test started is stopped, and both roots are removed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
from pathlib import Path

import pytest

from engine.state import ContainerConfig, ContainerRecord, Store, new_id, observe
from engine.state.liveness import start_time
from engine.supervisor.client import Supervisor, wait_gone


class Lab:
    def __init__(self) -> None:
        self.state_root = tempfile.mkdtemp(prefix="pycompose-test-")
        self.run_root = tempfile.mkdtemp(prefix="pycompose-test-")
        self.store = Store(self.state_root)
        self.sup = Supervisor(self.state_root, self.run_root)
        self.daemons: set[tuple[int, int]] = set()

    def create(self, name: str, script: str, **config) -> ContainerRecord:
        launch = {"argv": ["/bin/sh", "-c", script], "env": {"PATH": os.environ["PATH"]}}
        return self.store.create(ContainerRecord(id=new_id(), name=name,
                                                 config=ContainerConfig(launch=launch, **config)))

    def run(self, name: str, script: str, **config) -> ContainerRecord:
        record = self.create(name, script, **config)
        self.ensure()
        self.sup.start(record.id)
        return self.store.get(record.id)

    def ensure(self) -> int:
        pid = self.sup.ensure()
        self.daemons.add((pid, start_time(pid) or 0))
        return pid

    def get(self, ref: str) -> ContainerRecord:
        return observe(self.store.get(ref))

    def log(self, ref: str) -> list[dict]:
        from engine import logs

        return logs.read(str(self.store.log_path(self.store.get(ref).id)))

    def close(self) -> None:
        for record in self.store.list():
            if record.pid and start_time(record.pid) == record.pid_start:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(record.pid, signal.SIGKILL)  # the container leads its own session
        self.sup.shutdown()
        for pid, started in self.daemons:
            if start_time(pid) == started:
                os.kill(pid, signal.SIGKILL)
                wait_gone(pid, 10.0)
        shutil.rmtree(self.state_root, ignore_errors=True)
        shutil.rmtree(self.run_root, ignore_errors=True)


@pytest.fixture
def lab():
    if os.geteuid() != 0:
        pytest.fail("tests/integration/engine needs root; run it as root")
    made = Lab()
    try:
        yield made
    finally:
        made.close()


class EngineLab:
    """Real containers (busybox, the native runtime or runc) through ContainerService on temporary roots."""

    def __init__(self) -> None:
        from engine.containers.service import ContainerService
        from engine.roots import Roots

        self.state = Path(tempfile.mkdtemp(prefix="pycompose-test-"))
        self.run_root = Path(tempfile.mkdtemp(prefix="pycompose-test-"))
        self.svc = ContainerService(Roots(self.state, self.run_root))
        self.daemons: set[tuple[int, int]] = set()

    def import_busybox(self) -> None:
        from engine.images.testing import import_busybox

        import_busybox(self.state)

    def run(self, name: str, *command: str, **options) -> ContainerRecord:
        from engine.containers.options import RunOptions

        record = self.svc.create(RunOptions(image="busybox", command=command, name=name, **options))
        self.svc.start(record.id)
        self.daemons.add(self.supervisor())
        return self.svc.get(record.id)

    def supervisor(self) -> tuple[int, int]:
        pid = self.svc.supervisor.ensure()
        return pid, start_time(pid) or 0

    def processes(self) -> list[int]:
        """Every process whose command line names the run root: ours, not the containers' programs."""
        found = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                with contextlib.suppress(OSError):
                    if str(self.run_root).encode() in Path(f"/proc/{entry}/cmdline").read_bytes():
                        found.append(int(entry))
        return found

    def close(self) -> None:
        from engine.cgroups.manager import Cgroup
        from engine.images.snapshots.mounts import unmount
        from engine.images.testing import mounts_under

        for record in self.svc.store.list():
            try:
                self.svc.remove(record.id, force=True)
            except Exception:  # noqa: BLE001 - a broken container must not keep the others
                if record.pid and start_time(record.pid) == record.pid_start:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(record.pid, signal.SIGKILL)
                with contextlib.suppress(Exception):
                    self.svc._unwind(record.id)
        self.svc.supervisor.shutdown()
        for pid, started in self.daemons:
            if start_time(pid) == started:
                os.kill(pid, signal.SIGKILL)
                wait_gone(pid, 10.0)
        for target in sorted(mounts_under(self.state) + mounts_under(self.run_root), key=len, reverse=True):
            unmount(target)
        Cgroup("pycompose/none").remove(parents=True)  # the shared parent, when no container is left in it
        shutil.rmtree(self.state, ignore_errors=True)
        shutil.rmtree(self.run_root, ignore_errors=True)


@pytest.fixture(scope="module")
def engine_lab():
    if os.geteuid() != 0:
        pytest.fail("tests/integration/engine needs root; run it as root")
    if shutil.which("busybox") is None:
        pytest.fail("busybox-static is missing: apt-get install -y busybox-static (scripts/setup.sh --test)")
    made = EngineLab()
    try:
        made.import_busybox()
        yield made
    finally:
        made.close()


@pytest.fixture(params=["native", "runc", "crun"])
def runtime_lab(request, engine_lab):  # type: ignore[no-untyped-def]
    """engine_lab on one runtime at a time (runc and crun skipped, by name, when missing); every container
    the test made is removed after it."""
    if request.param != "native" and shutil.which(request.param) is None:
        pytest.skip(f"{request.param} is not installed")
    engine_lab.runtime = request.param
    yield engine_lab
    for record in engine_lab.svc.store.list():
        engine_lab.svc.remove(record.id, force=True)
