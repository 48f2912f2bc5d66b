"""`pycompose up -d`, `ps` and `down` end to end: a three-service busybox stack in a throwaway network namespace.

The stack and its namespace are tests/e2e/stack.py's; the page is fetched from 127.0.0.1 of that namespace.
"""

from __future__ import annotations

import json

import pytest

from tests.e2e.stack import PORT, Stack, open_stack
from tests.waiting import eventually


@pytest.fixture(scope="module")
def stack():  # type: ignore[no-untyped-def]
    yield from open_stack("tests/e2e/test_up.py")


def fetch(stack: Stack) -> str:
    return stack.fetch()


def test_up_ps_converge_down(stack):  # type: ignore[no-untyped-def]
    stack.write("blue")
    done = stack.ok("up", "-d")
    lines = done.stderr.splitlines()
    assert " ✔ Network demo_default  Created" in lines, done.stderr
    for name in ("demo-db-1", "demo-api-1", "demo-web-1"):
        assert any(line.startswith(f" ✔ Container {name}") and line.endswith("  Started") for line in lines)
    assert lines.index(" ✔ Container demo-db-1   Started") < lines.index(" ✔ Container demo-web-1  Started")

    table = stack.ok("ps").stdout.splitlines()
    assert table[0].split() == ["NAME", "IMAGE", "COMMAND", "SERVICE", "CREATED", "STATUS", "PORTS"]
    assert [line.split()[0] for line in table[1:]] == ["demo-api-1", "demo-db-1", "demo-web-1"]
    assert all(" Up " in line for line in table[1:])
    assert f"127.0.0.1:{PORT}->8080/tcp" in table[3]
    assert stack.ok("ps", "--services").stdout.splitlines() == ["api", "db", "web"]

    assert eventually(lambda: fetch(stack), timeout=15, what="the page from web") == "hello from web\n"

    before = stack.ids()
    again = stack.ok("up", "-d")
    assert stack.ids() == before
    assert "Started" not in again.stderr and again.stderr.count("Running") == 3, again.stderr
    assert stack.ok("up", "-d", "--dry-run").stdout == ""

    stack.write("green")
    assert stack.ok("up", "-d", "--dry-run").stdout.splitlines() == [
        "DRY-RUN MODE - Container demo-api-1  Recreate", "DRY-RUN MODE - Service db  Waiting (started)",
        "DRY-RUN MODE - Container demo-api-1  Starting"]
    done = stack.ok("up", "-d")
    after = stack.ids()
    assert after["db"] == before["db"] and after["web"] == before["web"] and after["api"] != before["api"]
    assert " ✔ Container demo-api-1  Recreated" in done.stderr.splitlines(), done.stderr
    assert eventually(lambda: fetch(stack), timeout=15, what="the page after recreate") == "hello from web\n"

    done = stack.ok("down", "-t", "0")
    assert " ✔ Network demo_default  Removed" in done.stderr.splitlines(), done.stderr
    assert stack.ok("ps", "-a", "-q").stdout == ""
    from netplan import netns

    assert netns.names(stack.run_root) == []
    assert stack.inside("ip", "-br", "link").split()[0] == "lo"
    assert len(stack.inside("ip", "-br", "link").splitlines()) == 1
    assert "pycompose" not in stack.inside("nft", "list", "tables")
    from engine.supervisor.client import Supervisor

    assert Supervisor(stack.state, stack.run_root).pid() is None  # no container left: no supervisor either


def test_missing_image_and_build_are_named(stack):  # type: ignore[no-untyped-def]
    (stack.project / "compose.yaml").write_text("services:\n  app:\n    image: 127.0.0.1:9/nosuch:1\n"
                                                "  made:\n    build: .\n")
    done = stack.cli("up", "-d", "app")  # nothing listens on port 9 of the test namespace's loopback
    assert done.returncode != 0
    assert "127.0.0.1:9/nosuch:1" in done.stderr and "Traceback" not in done.stderr
    done = stack.cli("up", "-d", "made")
    assert done.returncode != 0 and "cannot find Dockerfile" in done.stderr and "demo-made" in done.stderr
    assert stack.ok("ps", "-a", "-q").stdout == ""
    assert stack.ok("network", "ls", "-q").stdout == ""


ONESHOT = """\
services:
  init:
    image: busybox
    command: ["sh", "-c", "exit 0"]
  app:
    image: busybox
    command: ["sleep", "300"]
    stop_signal: SIGKILL
    depends_on:
      init:
        condition: service_completed_successfully
"""

HEALTHY = """\
services:
  db:
    image: busybox
    command: ["sh", "-c", "sleep 0.3; touch /tmp/ready; exec sleep 300"]
    stop_signal: SIGKILL
    healthcheck:
      test: ["CMD-SHELL", "test -f /tmp/ready"]
      interval: 30s
      start_interval: 100ms
      start_period: 10s
  app:
    image: busybox
    command: ["sleep", "300"]
    stop_signal: SIGKILL
    depends_on:
      db:
        condition: service_healthy
"""

ALONE = """\
services:
  app:
    image: busybox
    command: ["sleep", "300"]
    stop_signal: SIGKILL
  bad:
    image: busybox
    command: ["/no/such/program"]
"""


def states(stack: Stack) -> dict[str, str]:
    rows = [json.loads(line) for line in stack.ok("ps", "-a", "--format", "json").stdout.splitlines()]
    return {row["Name"]: row["State"] for row in rows}


def test_no_start_completion_orphans_and_a_failing_service(stack):  # type: ignore[no-untyped-def]
    (stack.project / "compose.yaml").write_text(ONESHOT)
    stack.ok("up", "-d", "--no-start")
    assert states(stack) == {"demo-app-1": "created", "demo-init-1": "created"}

    done = stack.ok("up", "-d")
    assert " ✔ Container demo-init-1  Exited" in done.stderr.splitlines(), done.stderr
    assert states(stack) == {"demo-app-1": "running", "demo-init-1": "exited"}
    app = stack.ids()["app"]
    stack.ok("up", "-d", "--force-recreate", "--no-deps", "app")
    assert stack.ids()["app"] != app

    (stack.project / "compose.yaml").write_text(ALONE)
    done = stack.cli("up", "-d")
    assert done.returncode != 0
    assert "Found orphan containers ([demo-init-1])" in done.stderr
    assert "bad:" in done.stderr and "/no/such/program" in done.stderr, done.stderr
    assert " ✘ Container demo-bad-1  Error" in done.stderr.splitlines()
    assert "demo-bad-1" not in states(stack)  # the failed step unwound the container it made

    (stack.project / "compose.yaml").write_text(ALONE.partition("  bad:")[0])
    done = stack.ok("up", "-d", "--remove-orphans")
    assert " ✔ Container demo-init-1  Removed" in done.stderr.splitlines(), done.stderr
    assert states(stack) == {"demo-app-1": "running"}
    stack.ok("down", "-t", "0")
    assert states(stack) == {}


def test_a_dependency_gates_on_health(stack):  # type: ignore[no-untyped-def]
    (stack.project / "compose.yaml").write_text(HEALTHY)
    done = stack.ok("up", "-d")
    lines = [" ".join(line.split()) for line in done.stderr.splitlines()]  # the names are padded into a column
    assert "✔ Container demo-db-1 Healthy" in lines, done.stderr
    assert lines.index("✔ Container demo-db-1 Healthy") < lines.index("✔ Container demo-app-1 Started")
    assert states(stack) == {"demo-app-1": "running", "demo-db-1": "running"}
    stack.ok("down", "-t", "0")
    assert states(stack) == {}


PROFILED = """\
services:
  app:
    image: busybox
    command: ["sleep", "300"]
    stop_signal: SIGKILL
  debug:
    image: busybox
    command: ["sleep", "300"]
    stop_signal: SIGKILL
    profiles: [debug]
"""


def test_a_service_left_out_by_profiles_is_not_an_orphan(stack):  # type: ignore[no-untyped-def]
    (stack.project / "compose.yaml").write_text(PROFILED)
    stack.ok("--profile", "debug", "up", "-d")
    assert set(stack.ids()) == {"app", "debug"}
    done = stack.ok("up", "-d", "--remove-orphans")  # without the profile: debug is not named, not an orphan
    assert "orphan" not in done.stderr.lower() and "debug" not in done.stderr
    assert set(stack.ids()) == {"app", "debug"}
    stack.ok("--profile", "debug", "down", "-t", "0")
    assert stack.ids() == {}
