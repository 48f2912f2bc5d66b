"""`pycompose start / stop / restart / kill / pause / unpause / rm / create` on a busybox stack, end to end.

What a user checks: the states `ps -a --format json` reports, the progress lines on stderr (and their
order: dependents stop first, dependencies start first), exit codes, and that `rm` leaves nothing.
The stack runs in a throwaway network namespace (tests/e2e/stack.py); every container is killed by
SIGKILL, so stopping takes no time.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.e2e.stack import Stack, open_stack
from tests.waiting import eventually

CHAIN = """\
services:
  db:
    image: busybox
    command: ["sleep", "300"]
    stop_signal: SIGKILL
  api:
    image: busybox
    command: ["sleep", "300"]
    stop_signal: SIGKILL
    depends_on:
      db:
        condition: service_started
        restart: true
  web:
    image: busybox
    command: ["sleep", "300"]
    stop_signal: SIGKILL
    volumes: ["/data"]
    depends_on: [api]
"""

@pytest.fixture(scope="module")
def stack():  # type: ignore[no-untyped-def]
    yield from open_stack("tests/e2e/test_compose_lifecycle.py", CHAIN)


@pytest.fixture
def up(stack):  # type: ignore[no-untyped-def]
    """The chain up and running; taken down after the test, whatever it left."""
    (stack.project / "compose.yaml").write_text(CHAIN)
    stack.ok("up", "-d")
    yield stack
    stack.ok("down", "-t", "0", "-v")


def rows(stack: Stack) -> dict[str, dict]:
    listed = stack.ok("ps", "-a", "--format", "json").stdout.splitlines()
    return {row["Service"]: row for row in map(json.loads, listed)}


def states(stack: Stack) -> dict[str, str]:
    return {service: row["State"] for service, row in rows(stack).items()}


def done(result: subprocess.CompletedProcess[str], word: str) -> list[str]:
    """The containers of the ` ✔ Container x  <word>` lines, in the order printed."""
    out = []
    for line in result.stderr.splitlines():
        if line.startswith(" ✔ Container ") and line.endswith(f"  {word}"):
            out.append(line.split()[2])
    return out


def answering(stack: Stack, answer: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`stack.cli(*args)` with `answer` on its stdin (a pipe, not a terminal)."""
    return subprocess.run(["nsenter", f"--net={stack.netns}", sys.executable, "-m", "compose.cli.main",
                           "-p", "demo", *args], cwd=stack.project, env=stack.env, input=answer,
                          capture_output=True, text=True, timeout=60, check=False)


def test_stop_takes_dependents_first_and_start_dependencies_first(up):  # type: ignore[no-untyped-def]
    stopped = up.ok("stop")
    assert done(stopped, "Stopped") == ["demo-web-1", "demo-api-1", "demo-db-1"], stopped.stderr
    found = rows(up)
    assert {s: r["State"] for s, r in found.items()} == {"db": "exited", "api": "exited", "web": "exited"}
    assert {s: r["ExitCode"] for s, r in found.items()} == {"db": 137, "api": 137, "web": 137}
    assert up.ok("ps", "-q").stdout == ""

    started = up.ok("start")
    assert done(started, "Started") == ["demo-db-1", "demo-api-1", "demo-web-1"], started.stderr
    assert states(up) == {"db": "running", "api": "running", "web": "running"}
    again = up.ok("start")
    assert done(again, "Started") == [], "a running container is left as it is"


def test_stop_named_service_with_timeout_and_dry_run(up):  # type: ignore[no-untyped-def]
    assert up.ok("stop", "--dry-run", "web").stdout == "DRY-RUN MODE - Container demo-web-1  Stopping\n"
    assert states(up)["web"] == "running"
    stopped = up.ok("stop", "-t", "0", "web")
    assert done(stopped, "Stopped") == ["demo-web-1"]
    assert states(up) == {"db": "running", "api": "running", "web": "exited"}

    unknown = up.cli("stop", "nosuch")
    assert unknown.returncode != 0 and "nosuch" in unknown.stderr and "Traceback" not in unknown.stderr


def test_restart_takes_restart_true_dependents_unless_no_deps(up):  # type: ignore[no-untyped-def]
    up.ok("stop", "db")
    assert states(up)["db"] == "exited"
    restarted = up.ok("restart", "db")
    assert done(restarted, "Started") == ["demo-db-1", "demo-api-1"], restarted.stderr  # api: restart: true
    assert states(up) == {"db": "running", "api": "running", "web": "running"}

    alone = up.ok("restart", "--no-deps", "-t", "0", "db")
    assert done(alone, "Started") == ["demo-db-1"], alone.stderr
    everything = up.ok("restart")
    assert done(everything, "Started") == ["demo-db-1", "demo-api-1", "demo-web-1"], everything.stderr
    assert states(up) == {"db": "running", "api": "running", "web": "running"}


def test_kill_signals_running_containers_only(up):  # type: ignore[no-untyped-def]
    killed = up.ok("kill", "web")
    assert done(killed, "Killed") == ["demo-web-1"], killed.stderr
    assert eventually(lambda: states(up)["web"] == "exited", timeout=10, what="web to exit")
    assert eventually(lambda: rows(up)["web"]["ExitCode"] == 137, timeout=10, what="web's exit code")
    assert states(up)["api"] == "running"

    bad = up.cli("kill", "-s", "NOSUCH")
    assert bad.returncode != 0 and bad.stderr.splitlines()[0] == "invalid signal: NOSUCH", bad.stderr
    assert states(up)["api"] == "running"

    rest = up.ok("kill", "-s", "KILL")
    assert sorted(done(rest, "Killed")) == ["demo-api-1", "demo-db-1"], rest.stderr
    assert eventually(lambda: set(states(up).values()) == {"exited"}, timeout=10, what="every container to exit")
    nothing = up.ok("kill")
    assert nothing.stderr == "no container to kill\n"


def test_pause_and_unpause(up):  # type: ignore[no-untyped-def]
    paused = up.ok("pause", "api", "db")
    assert sorted(done(paused, "Paused")) == ["demo-api-1", "demo-db-1"], paused.stderr
    assert states(up) == {"db": "paused", "api": "paused", "web": "running"}
    assert "Paused" not in up.ok("pause", "db").stderr  # already paused: left as it is

    unpaused = up.ok("unpause")
    assert sorted(done(unpaused, "Unpaused")) == ["demo-api-1", "demo-db-1"], unpaused.stderr
    assert states(up) == {"db": "running", "api": "running", "web": "running"}


def test_rm_asks_removes_stopped_containers_and_leaves_nothing(up):  # type: ignore[no-untyped-def]
    from netplan import netns

    nothing = answering(up, "y\n", "rm")
    assert nothing.returncode == 0 and nothing.stderr == "No stopped containers\n", nothing.stderr
    anonymous = up.ok("volume", "ls", "-q").stdout.split()
    assert len(anonymous) == 1, anonymous  # web's /data

    up.ok("stop", "web")
    refused = answering(up, "n\n", "rm")
    assert refused.returncode == 0
    assert refused.stdout == "Going to remove demo-web-1\nAre you sure? [yN] ", refused.stdout
    assert set(states(up)) == {"db", "api", "web"}

    removed = answering(up, "y\n", "rm", "-v")
    assert done(removed, "Removed") == ["demo-web-1"], removed.stderr
    assert set(states(up)) == {"db", "api"}
    assert up.ok("volume", "ls", "-q").stdout == "", "rm -v takes the anonymous volume with its container"

    absent = up.cli("start")
    assert absent.returncode != 0
    assert absent.stderr.splitlines()[0] == 'service "web" has no container to start', absent.stderr

    forced = up.ok("rm", "-s", "-f")
    assert sorted(done(forced, "Stopped")) == ["demo-api-1", "demo-db-1"]
    assert forced.stdout == "Going to remove demo-db-1, demo-api-1\n", forced.stdout
    assert sorted(done(forced, "Removed")) == ["demo-api-1", "demo-db-1"], forced.stderr
    assert up.ok("ps", "-a", "-q").stdout == ""
    assert netns.names(up.run_root) == []


def test_create_makes_without_starting(stack):  # type: ignore[no-untyped-def]
    (stack.project / "compose.yaml").write_text(CHAIN)
    try:
        assert stack.ok("create", "--dry-run").stdout.count("DRY-RUN MODE - Container") >= 3
        assert stack.ok("ps", "-a", "-q").stdout == ""
        made = stack.ok("create")
        assert sorted(done(made, "Created")) == ["demo-api-1", "demo-db-1", "demo-web-1"], made.stderr
        assert done(made, "Started") == []
        assert states(stack) == {"db": "created", "api": "created", "web": "created"}
        before = stack.ids()

        stack.ok("create", "--no-recreate")
        assert stack.ids() == before
        forced = stack.ok("create", "--force-recreate", "web")
        assert done(forced, "Recreated") == ["demo-web-1"], forced.stderr
        assert stack.ids()["web"] != before["web"] and stack.ids()["db"] == before["db"]
        assert set(states(stack).values()) == {"created"}

        incompatible = stack.cli("create", "--force-recreate", "--no-recreate")
        assert incompatible.returncode != 0 and "incompatible" in incompatible.stderr

        started = stack.ok("start")
        assert done(started, "Started") == ["demo-db-1", "demo-api-1", "demo-web-1"], started.stderr
    finally:
        stack.ok("down", "-t", "0", "-v")


HEALTH_GATED = """\
services:
  db:
    image: busybox
    command: ["sleep", "300"]
    stop_signal: SIGKILL
    healthcheck:
      test: ["CMD", "true"]
      interval: 30s
      start_period: 30s
      start_interval: 100ms
  api:
    image: busybox
    command: ["sleep", "300"]
    stop_signal: SIGKILL
    depends_on:
      db:
        condition: service_healthy
"""


def test_start_waits_for_a_healthy_dependency(stack):  # type: ignore[no-untyped-def]
    (stack.project / "compose.yaml").write_text(HEALTH_GATED)
    try:
        stack.ok("up", "-d")
        stack.ok("stop")
        refused = stack.cli("start", "api")  # its dependency is down: it can never become healthy
        assert refused.returncode != 0
        assert refused.stderr.splitlines()[-1] == "dependency failed to start: container demo-db-1 exited (137)", \
            refused.stderr
        assert states(stack) == {"db": "exited", "api": "exited"}

        started = stack.ok("start")
        lines = started.stderr.splitlines()
        order = [lines.index(line) for line in (" ✔ Container demo-db-1   Started", " ✔ Container demo-db-1   Healthy",
                                                 " ✔ Container demo-api-1  Started")]
        assert order == sorted(order), started.stderr
        assert states(stack) == {"db": "running", "api": "running"}
    finally:
        stack.ok("down", "-t", "0")
