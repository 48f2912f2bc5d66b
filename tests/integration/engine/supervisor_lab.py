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
