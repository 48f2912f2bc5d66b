"""`pycompose events` and `system events`: a user follows what happens to a stack's containers and sees create,
start, kill, die (with the exit code), stop, destroy and the health transitions, in order, as Compose and
Docker print them."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from tests.e2e.stack import open_stack
from tests.waiting import eventually

STACK = """\
services:
  web:
    image: busybox
    command: ["sh", "-c", "trap 'exit 3' TERM; sleep 300 & wait"]
    healthcheck:
      test: ["CMD", "true"]
      interval: 1s
"""


@pytest.fixture(scope="module")
def stack():  # type: ignore[no-untyped-def]
    yield from open_stack("tests/e2e/test_events.py", STACK)


def _follow(stack, *args: str) -> subprocess.Popen[str]:  # type: ignore[no-untyped-def]
    return subprocess.Popen(["nsenter", f"--net={stack.netns}", sys.executable, "-m", "compose.cli.main", *args],
                            cwd=stack.project, env=stack.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def test_the_lifecycle_of_a_service_in_events(stack):  # type: ignore[no-untyped-def]
    since = str(time.time())
    stack.ok("up", "-d", "--wait")
    stack.ok("stop", "web")
    stack.ok("rm", "-f", "web")
    until = str(time.time() + 0.5)
    done = stack.ok("events", "--json", "--since", since, "--until", until)
    seen = [json.loads(line) for line in done.stdout.splitlines() if line]
    actions = [e["action"] for e in seen]
    assert actions[:2] == ["create", "start"], actions
    assert "health_status: healthy" in actions
    assert actions[-4:] == ["kill", "die", "stop", "destroy"], actions
    die = next(e for e in seen if e["action"] == "die")
    assert die["attributes"]["exitCode"] == "3" and die["attributes"]["name"] == "demo-web-1"
    assert all(e["service"] == "web" and e["type"] == "container" for e in seen)
    assert not any(k.startswith("com.docker.compose.") for e in seen for k in e["attributes"])
    kill = next(e for e in seen if e["action"] == "kill")
    assert kill["attributes"]["signal"] == "15"

    text = stack.ok("events", "--since", since, "--until", until).stdout
    first = text.splitlines()[0]
    assert " container create " in first and "name=demo-web-1" in first and first.endswith(")")
    assert text.count("\n\n") == len(seen)  # Compose's blank line after each event


def test_events_follow_new_ones_and_system_events_filters(stack):  # type: ignore[no-untyped-def]
    follower = _follow(stack, "-p", "demo", "events", "--json")
    engine = _follow(stack, "system", "events", "--filter", "event=start", "--filter", "type=container")
    try:
        stack.ok("up", "-d")
        line = eventually(lambda: follower.stdout.readline(), timeout=30, what="an event from events")
        assert json.loads(line)["action"] == "create"
        started = eventually(lambda: engine.stdout.readline(), timeout=30, what="the start from system events")
        assert " container start " in started and "name=demo-web-1" in started
        assert started[:4].isdigit() and "T" in started.split()[0]
    finally:
        for process in (follower, engine):
            process.terminate()
            process.communicate(timeout=10)
        stack.ok("down", "-t", "0")
