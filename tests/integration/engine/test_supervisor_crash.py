"""SIGKILL the supervisor: containers live on, status stays true, and the next supervisor adopts them."""

import os
import signal
import subprocess
import sys
from pathlib import Path

from engine.state.liveness import LOST_EXIT_CODE, boot_id, start_time
from engine.supervisor.client import PROGRAM, wait_gone
from tests.integration.engine import supervisor_lab
from tests.waiting import eventually

lab = supervisor_lab.lab  # the fixture

ROOT = str(Path(__file__).resolve().parents[3])
TICKER = "i=0; while :; do echo tick $i; i=$((i+1)); sleep 0.02; done"


def kill_supervisor(lab):
    pid = lab.sup.pid()
    os.kill(pid, signal.SIGKILL)
    assert wait_gone(pid, 10)
    return pid


def test_the_container_outlives_a_killed_supervisor_and_is_adopted(lab):
    web = lab.run("web-1", TICKER)
    eventually(lambda: len(lab.log("web-1")) >= 3, what="ticks")
    old = kill_supervisor(lab)
    before = len(lab.log("web-1"))
    record = lab.get("web-1")
    assert record.state == "running" and start_time(record.pid) == record.pid_start  # alive, truthfully
    new = lab.ensure()
    assert new != old
    eventually(lambda: lab.store.get(web.id).supervisor[0] == new, what="adoption")
    eventually(lambda: len(lab.log("web-1")) > before + 3, what="ticks after adoption")
    numbers = [int(e["log"].split()[1]) for e in lab.log("web-1")]
    assert numbers == list(range(len(numbers)))  # what was written meanwhile waited in the FIFO: no gap
    assert lab.sup.stop(web.id, timeout=5) == LOST_EXIT_CODE  # not our child any more: its status is lost
    assert lab.get("web-1").state == "exited"


def test_a_container_that_ends_while_no_supervisor_runs_is_reported_exited(lab):
    web = lab.run("web-1", "exec sleep 30")
    kill_supervisor(lab)
    pid = lab.store.get(web.id).pid
    os.kill(pid, signal.SIGKILL)
    eventually(lambda: start_time(pid) is None, what="the container to end")
    stored = lab.store.get(web.id)
    assert stored.state == "running"  # the record has not been told
    truth = lab.get("web-1")
    assert (truth.state, truth.exit_code) == ("exited", LOST_EXIT_CODE)
    lab.ensure()  # the next supervisor writes the truth down
    assert lab.store.get(web.id).state == "exited"


def test_after_a_reboot_nothing_is_running(lab):
    web = lab.run("web-1", "exec sleep 30")
    lab.sup.stop(web.id, timeout=5)
    lab.sup.shutdown()
    # as a record left by the last boot looks: running, with a pid that may well be in use again
    lab.store.update(web.id, lambda r: r.replace(state="running", pid=os.getpid(),
                                                 pid_start=start_time(os.getpid()), boot_id="an-earlier-boot"))
    assert lab.get("web-1").state == "exited"
    lab.ensure()
    assert lab.store.get(web.id).state == "exited"
    assert boot_id() != "an-earlier-boot"


def test_one_supervisor_per_run_root(lab):
    first = lab.ensure()
    done = subprocess.run([sys.executable, "-S", "-m", "engine.supervisor", PROGRAM, "--state-root",
                           lab.state_root, "--run-root", lab.run_root], capture_output=True, text=True,
                          check=False, env={**os.environ, "PYTHONPATH": ROOT})
    assert done.returncode == 3 and "already running" in done.stderr
    assert lab.sup.pid() == first
