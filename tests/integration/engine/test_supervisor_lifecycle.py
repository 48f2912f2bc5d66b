"""Start, output, exit, stop: one container at a time through the shared supervisor."""

import json
import os

import pytest

from engine import logs
from engine.state import ContainerConfig, LogConfig
from engine.supervisor.client import SupervisorConflict, SupervisorNotFound, SupervisorUnavailable
from engine.supervisor.jsonlog import rotated_paths
from tests.integration.engine import supervisor_lab
from tests.waiting import eventually

lab = supervisor_lab.lab  # the fixture


def test_output_goes_to_a_json_file_log_and_the_exit_code_is_recorded(lab):
    web = lab.run("web-1", "echo hello; echo oops >&2; printf unfinished; exit 3")
    assert lab.sup.wait(web.id) == 3
    record = lab.get("web-1")
    assert (record.state, record.exit_code, record.pid) == ("exited", 3, 0)
    assert record.started_at <= record.finished_at
    entries = lab.log("web-1")
    assert sorted((e["stream"], e["log"]) for e in entries) == [
        ("stderr", "oops\n"), ("stdout", "hello\n"), ("stdout", "unfinished")]
    with open(lab.store.log_path(web.id), "rb") as f:
        first = json.loads(f.readline())
    assert list(first) == ["log", "stream", "time"]
    assert logs.parse_time(first["time"]) > 0


def test_starting_a_running_container_is_a_conflict(lab):
    web = lab.run("web-1", "exec sleep 30")
    with pytest.raises(SupervisorConflict, match="cannot start container `web-1`: it is running"):
        lab.sup.start(web.id)
    assert lab.sup.stop(web.id, timeout=5) == 143  # SIGTERM: 128 + 15


def test_stop_sends_sigkill_after_the_grace_period(lab):
    web = lab.run("web-1", "trap '' TERM; echo ready; while :; do sleep 0.05; done")
    eventually(lambda: lab.log("web-1"), what="the container to start")
    assert lab.sup.stop(web.id, timeout=0.2) == 137
    record = lab.get("web-1")
    assert record.state == "exited" and record.manually_stopped
    assert lab.sup.stop(web.id) == 137  # stopping a stopped container does nothing


def test_a_command_that_cannot_run_is_reported(lab):
    broken = lab.create("broken", "")
    broken = lab.store.update(broken.id, lambda r: r.replace(
        config=ContainerConfig(launch={"argv": ["/nonexistent/program"]})))
    lab.ensure()
    with pytest.raises(SupervisorUnavailable, match="exec `/nonexistent/program`: No such file"):
        lab.sup.start(broken.id)
    record = lab.get("broken")
    assert (record.state, record.exit_code) == ("exited", 127)


def test_unknown_container(lab):
    lab.ensure()
    with pytest.raises(SupervisorNotFound, match="no such container: `ghost`"):
        lab.sup.start("ghost")


def test_kill_with_a_signal(lab):
    web = lab.run("web-1", "exec sleep 30")
    lab.sup.kill(web.id, "SIGINT")
    assert lab.sup.wait(web.id) == 130
    with pytest.raises(SupervisorConflict, match="cannot kill container `web-1`: it is exited"):
        lab.sup.kill(web.id)


def test_follow_sees_lines_as_they_are_written(lab):
    web = lab.run("web-1", "for i in 1 2 3 4 5; do echo line $i; sleep 0.05; done")
    path = str(lab.store.log_path(web.id))
    eventually(lambda: os.path.exists(path), what="the log file")
    got = [e["log"] for e in logs.follow(path, stopped=lambda: lab.get(web.id).state == "exited", poll=0.01)]
    assert got == [f"line {i}\n" for i in range(1, 6)]


def test_rotation_through_the_supervisor(lab):
    web = lab.run("web-1", "i=0; while [ $i -lt 2000 ]; do echo line $i; i=$((i+1)); done",
                  log=LogConfig(max_size=20_000, max_file=3))
    assert lab.sup.wait(web.id) == 0
    path = str(lab.store.log_path(web.id))
    assert all(os.path.exists(p) for p in rotated_paths(path, 3))
    entries = logs.read(path)
    assert entries[-1]["log"] == "line 1999\n"
    numbers = [int(e["log"].split()[1]) for e in entries]
    assert numbers == list(range(numbers[0], 2000))
