"""Restart policies and Docker's back-off, through the supervisor."""

from engine import logs
from tests.integration.engine import supervisor_lab
from tests.waiting import eventually

lab = supervisor_lab.lab  # the fixture


def run_times(lab, name):
    return [logs.parse_time(e["time"]) / 1e9 for e in lab.log(name) if e["log"] == "run\n"]


def test_on_failure_2_restarts_twice_then_stops(lab):
    web = lab.run("web-1", "echo run; exit 1", restart="on-failure:2")
    assert lab.sup.wait(web.id) == 1
    record = lab.get("web-1")
    assert (record.state, record.restart_count, record.exit_code) == ("exited", 2, 1)
    times = run_times(lab, "web-1")
    assert len(times) == 3
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert gaps[0] >= 0.1 and gaps[1] >= 0.2  # 100 ms, then doubled


def test_on_failure_leaves_a_success_alone(lab):
    web = lab.run("web-1", "echo run; exit 0", restart="on-failure")
    assert lab.sup.wait(web.id) == 0
    assert lab.get("web-1").restart_count == 0


def test_no_never_restarts(lab):
    web = lab.run("web-1", "echo run; exit 1")
    assert lab.sup.wait(web.id) == 1
    assert len(run_times(lab, "web-1")) == 1


def test_always_restarts_until_stopped_and_stays_stopped(lab):
    web = lab.run("web-1", "echo run; exit 0", restart="always")
    eventually(lambda: lab.store.get(web.id).restart_count >= 2, what="two restarts")
    lab.sup.stop(web.id, timeout=1)
    record = lab.get("web-1")
    assert record.state == "exited" and record.manually_stopped
    runs = len(run_times(lab, "web-1"))
    assert lab.sup.wait(web.id) == record.exit_code  # nothing left to wait for
    assert len(run_times(lab, "web-1")) == runs


def test_a_manual_start_resets_the_count(lab):
    web = lab.run("web-1", "echo run; exit 1", restart="on-failure:1")
    lab.sup.wait(web.id)
    assert lab.get("web-1").restart_count == 1
    lab.sup.start(web.id)
    assert lab.sup.wait(web.id) == 1
    assert lab.get("web-1").restart_count == 1
    assert len(run_times(lab, "web-1")) == 4
