"""`pycompose container pause|unpause` end to end: the cgroup freezer, seen by a counter that stops.

A paused container's counter is read while a second, running container's counter
(the clock) advances a few ticks: waiting on a condition, never on the clock.
Root and busybox-static, with test_container_cmd.py's Env.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.engine_env import Env
from tests.waiting import eventually

COUNTER = ("trap 'exit 0' TERM; i=0; "
           "while :; do i=$((i+1)); echo $i > /count.new; mv /count.new /count; usleep 5000; done")


def counter(env: Env, name: str):  # type: ignore[no-untyped-def]
    """Run a counting container; a function reading its count (0 before the first)."""
    done = env.cli("run", "-d", "--name", name, "busybox", "sh", "-c", COUNTER)
    assert done.returncode == 0, done.stderr
    path = env.state / "bundles" / done.stdout.strip() / "rootfs" / "count"

    def read() -> int:
        try:
            return int(Path(path).read_text() or 0)
        except FileNotFoundError:
            return 0
    eventually(read, what=f"{name}'s counter")
    return read


def ticks(read, n: int) -> None:  # type: ignore[no-untyped-def]
    start = read()
    eventually(lambda: read() >= start + n, what=f"{n} ticks of the clock")


def test_pause_stops_the_counter_and_unpause_resumes_it(cli):
    count, clock = counter(cli, "counted"), counter(cli, "clock")
    assert cli.cli("pause", "counted").stdout == "counted\n"
    frozen = count()
    ticks(clock, 10)
    assert count() == frozen
    listed = cli.cli("ls").stdout
    assert "(Paused)" in next(line for line in listed.splitlines() if line.endswith("counted"))
    state = json.loads(cli.cli("inspect", "counted").stdout)[0]["State"]
    assert (state["Status"], state["Paused"], state["Running"]) == ("paused", True, True)
    assert cli.cli("unpause", "counted").stdout == "counted\n"
    eventually(lambda: count() > frozen, what="the counter to move again")
    assert "(Paused)" not in cli.cli("ls").stdout


def test_pause_and_unpause_follow_the_state_table(cli):
    assert cli.cli("create", "--name", "idle", "busybox", "true").returncode == 0
    done = cli.cli("pause", "idle")
    assert done.returncode == 16 and "cannot pause container `idle`: it is created" in done.stderr
    counter(cli, "busy")
    done = cli.cli("unpause", "busy")
    assert done.returncode == 16 and "cannot unpause container `busy`: it is running" in done.stderr
    assert cli.cli("pause", "busy").returncode == 0
    done = cli.cli("pause", "busy")
    assert done.returncode == 16 and "it is paused" in done.stderr


def test_a_paused_container_stops_and_is_removed(cli):
    counter(cli, "stopme")
    counter(cli, "rmme")
    assert cli.cli("pause", "stopme", "rmme").returncode == 0
    assert cli.cli("stop", "-t", "20", "stopme").returncode == 0  # thawed first: its TERM trap runs
    assert "Exited (0)" in cli.cli("ls", "-a").stdout
    assert cli.cli("rm", "-f", "rmme").returncode == 0
    assert cli.cli("ls", "-q").stdout == ""
