"""Real containers under the supervisor: no process of ours stays per container, and exits are reaped.

The supervisor starts each container through a short-lived creator (the runtime's
create and start) and, a child subreaper, inherits the container's process. Run
against the native runtime, runc and crun (skipped loudly, by name, when missing).
"""

import os
import signal
from pathlib import Path

import pytest

from engine.containers.errors import ContainerStartFailed
from engine.state.liveness import LOST, LOST_EXIT_CODE, start_time
from engine.supervisor.client import wait_gone
from tests.integration.engine import supervisor_lab
from tests.waiting import eventually

engine_lab = supervisor_lab.engine_lab  # the module's fixture
lab = supervisor_lab.runtime_lab  # each test on native, runc and crun


def parent(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("PPid:"):
            return int(line.split()[1])
    raise AssertionError(f"no PPid for {pid}")


def test_no_process_of_ours_stays_per_running_container(lab):
    records = [lab.run(f"sleep-{n}", "sleep", "600", runtime=lab.runtime) for n in range(3)]
    supervisor, _ = lab.supervisor()
    for record in records:  # `start` returns once the program is released; its exec may still be under way
        assert record.state == "running"
        eventually(lambda r=record: Path(f"/proc/{r.pid}/cmdline").read_bytes().split(b"\0")[0] == b"sleep",
                   what="the program's exec")
        assert parent(record.pid) == supervisor  # reparented to the subreaper once its creator exited
    assert lab.processes() == [supervisor]  # no shim, no resident runtime: only the shared supervisor


def test_exit_codes_are_reaped_by_the_supervisor(lab):
    three = lab.run("three", "sh", "-c", "echo out; echo err >&2; exit 3", runtime=lab.runtime)
    assert lab.svc.wait(three.id) == 3
    assert lab.svc.get(three.id).exit_code == 3
    from engine import logs

    entries = logs.read(lab.svc.log_path(three))
    assert sorted((e["stream"], e["log"]) for e in entries) == [("stderr", "err\n"), ("stdout", "out\n")]
    sleeper = lab.run("sleeper", "sleep", "600", runtime=lab.runtime)
    lab.svc.kill(sleeper.id, "SIGKILL")
    assert lab.svc.wait(sleeper.id) == 137
    assert lab.svc.start(sleeper.id).state == "running"  # a second run of the same container
    assert lab.svc.stop(sleeper.id, timeout=0.2).exit_code == 137  # PID 1 ignores SIGTERM: killed after 0.2 s


def test_a_missing_program_is_127_with_dockers_message(lab):
    with pytest.raises(ContainerStartFailed) as e:
        lab.run("missing", "nosuch", runtime=lab.runtime)
    assert e.value.exit_code == 127
    assert e.value.message.startswith("failed to create task for container: unable to start container process: ")
    if lab.runtime == "crun":  # crun words it its own way
        assert "executable file `nosuch` not found in $PATH" in e.value.message
    else:
        assert 'exec: "nosuch": executable file not found in $PATH' in e.value.message
    record = lab.svc.get("missing")
    assert (record.state, record.exit_code) == ("exited", 127)
    assert lab.processes() == [lab.supervisor()[0]]  # nothing of the failed start is left running


def test_restart_policy_restarts_the_reaped_process(lab):
    flaky = lab.run("flaky", "sh", "-c", "exit 2", runtime=lab.runtime, restart="on-failure:2")
    assert lab.svc.wait(flaky.id) == 2
    record = lab.svc.get(flaky.id)
    assert (record.state, record.restart_count) == ("exited", 2)


def test_a_killed_supervisors_replacement_adopts_and_records_the_exit(lab):
    web = lab.run("web", "sleep", "600", runtime=lab.runtime)
    old, _ = lab.supervisor()
    os.kill(old, signal.SIGKILL)
    assert wait_gone(old, 10)
    assert start_time(web.pid) == web.pid_start  # the container outlives its supervisor
    new, _ = lab.supervisor()
    lab.daemons.add((new, start_time(new) or 0))
    assert new != old
    eventually(lambda: lab.svc.store.get(web.id).supervisor[0] == new, what="adoption")
    os.kill(web.pid, signal.SIGKILL)  # not the new supervisor's child: it sees the end through a pidfd
    assert lab.svc.wait(web.id) == LOST_EXIT_CODE
    record = lab.svc.get(web.id)
    assert (record.state, record.exit_code, record.error) == ("exited", LOST_EXIT_CODE, LOST)
    again = lab.svc.start(web.id)  # started by the new supervisor: its child again, its exit known
    assert parent(again.pid) == new
    lab.svc.kill(web.id, "SIGKILL")
    assert lab.svc.wait(web.id) == 137
