"""Attached `pycompose up` end to end: the merged logs, Ctrl-C stopping the stack, a job's exit ending
`up`, --abort-on-container-exit and --exit-code-from with a job that exits 3, --no-attach, and
`up --wait` on a healthy service and on ones whose health never comes."""

from __future__ import annotations

import signal

import pytest

from tests.e2e.stack import open_stack
from tests.e2e.test_compose_logs import Running

SERVERS = """\
services:
  api:
    image: busybox
    command: ["sh", "-c", "echo api up; exec sleep 300"]
    stop_signal: SIGKILL
  web:
    image: busybox
    command: ["sh", "-c", "echo hello; exec sleep 300"]
    stop_signal: SIGKILL
    depends_on: [api]
"""

JOB = """\
services:
  server:
    image: busybox
    command: ["sh", "-c", "echo serving; exec sleep 300"]
    stop_signal: SIGKILL
  job:
    image: busybox
    command: ["sh", "-c", "echo working; sleep 0.3; echo giving up; exit {code}"]
"""

HEALTH = """\
services:
  web:
    image: busybox
    command: ["sleep", "300"]
    stop_signal: SIGKILL
    healthcheck:
      test: ["CMD", "true"]
      interval: 0.3s
      start_interval: 0.1s
  once:
    image: busybox
    command: ["sh", "-c", "sleep 0.5"]
    healthcheck:  # never healthy while it runs: done only by completing
      test: ["CMD", "false"]
      interval: 30s
      start_period: 60s
      start_interval: 30s
"""

UNHEALTHY = """\
services:
  bad:
    image: busybox
    command: ["sleep", "300"]
    stop_signal: SIGKILL
    healthcheck:
      test: ["CMD-SHELL", "echo not ready yet; exit 1"]
      interval: 0.2s
      retries: 2
"""

STARTING = """\
services:
  slow:
    image: busybox
    command: ["sleep", "300"]
    stop_signal: SIGKILL
    healthcheck:
      test: ["CMD-SHELL", "echo still warming up; exit 1"]
      interval: 30s
      start_period: 60s
      start_interval: 0.2s
"""


@pytest.fixture(scope="module")
def stack():  # type: ignore[no-untyped-def]
    yield from open_stack("tests/e2e/test_up_attached.py")


@pytest.fixture
def project(stack):  # type: ignore[no-untyped-def]
    """`project(yaml)` writes the compose file; the stack is taken down after the test."""
    def write(text: str):  # type: ignore[no-untyped-def]
        (stack.project / "compose.yaml").write_text(text)
        return stack

    yield write
    stack.ok("down", "-t", "0")


def states(stack) -> dict[str, str]:  # type: ignore[no-untyped-def]
    import json

    rows = [json.loads(line) for line in stack.ok("ps", "-a", "--format", "json").stdout.splitlines()]
    return {row["Service"]: row["State"] for row in rows}


def test_attached_logs_then_ctrl_c_stops_the_stack(project):  # type: ignore[no-untyped-def]
    stack = project(SERVERS)
    up = Running(stack, "up")
    try:
        up.expect(lambda out: "demo-web-1  | hello" in out and "demo-api-1  | api up" in out, "both services' lines")
        assert up.out[0] == "Attaching to demo-api-1, demo-web-1", up.out
        up.proc.send_signal(signal.SIGINT)
        assert up.finish() == 0, up.err
    finally:
        up.close()
    assert "Gracefully stopping... (press Ctrl+C again to force)" in up.err, up.err
    assert " ✔ Container demo-web-1  Stopped" in up.err and " ✔ Container demo-api-1  Stopped" in up.err, up.err
    assert up.err.index(" ✔ Container demo-web-1  Stopped") < up.err.index(" ✔ Container demo-api-1  Stopped")
    assert not any("Traceback" in line for line in up.err), up.err
    assert states(stack) == {"api": "exited", "web": "exited"}


def test_up_returns_when_its_job_has_exited(project):  # type: ignore[no-untyped-def]
    stack = project("services:\n  job:\n    image: busybox\n    command: [\"sh\", \"-c\", \"echo done\"]\n")
    done = stack.cli("up")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["Attaching to demo-job-1", "demo-job-1  | done",
                                        "demo-job-1 exited with code 0"]


def test_abort_on_container_exit_stops_everything_with_the_jobs_code(project):  # type: ignore[no-untyped-def]
    stack = project(JOB.format(code=3))
    done = stack.cli("up", "--abort-on-container-exit")
    assert done.returncode == 3, (done.stdout, done.stderr)
    lines = done.stdout.splitlines()
    assert "demo-job-1     | giving up" in lines and "demo-job-1 exited with code 3" in lines, lines
    assert lines.index("demo-job-1 exited with code 3") < lines.index("Aborting on container exit...")
    assert " ✔ Container demo-server-1  Stopped" in done.stderr.splitlines(), done.stderr
    assert states(stack) == {"job": "exited", "server": "exited"}


@pytest.mark.parametrize(("service", "code"), [("job", 3), ("server", 137)])
def test_exit_code_from(project, service, code):  # type: ignore[no-untyped-def]
    stack = project(JOB.format(code=3))
    done = stack.cli("up", "--exit-code-from", service)
    assert done.returncode == code, (done.stdout, done.stderr)  # server: killed by the stop (SIGKILL)
    assert states(stack) == {"job": "exited", "server": "exited"}


def test_no_attach_leaves_a_service_out_of_the_logs(project):  # type: ignore[no-untyped-def]
    stack = project(JOB.format(code=0))
    done = stack.cli("up", "--no-attach", "server")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "Attaching to demo-job-1"
    assert "serving" not in done.stdout and "demo-job-1  | working" in done.stdout.splitlines()
    assert states(stack) == {"job": "exited", "server": "running"}  # up ended with what it attached to


def test_wait_returns_once_healthy_and_counts_a_completed_job(project):  # type: ignore[no-untyped-def]
    stack = project(HEALTH)
    done = stack.cli("up", "--wait", "--wait-timeout", "20")
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert " ✔ Container demo-web-1   Healthy" in lines and " ✔ Container demo-once-1  Exited" in lines, lines
    assert done.stdout == ""
    assert states(stack) == {"web": "running", "once": "exited"}


def test_wait_fails_on_an_unhealthy_service_with_its_last_output(project):  # type: ignore[no-untyped-def]
    stack = project(UNHEALTHY)
    done = stack.cli("up", "--wait", "--wait-timeout", "20")
    assert done.returncode != 0
    last = done.stderr.splitlines()[-1]
    assert last == ("service bad is unhealthy (container demo-bad-1): last health check exited 1: "
                    "not ready yet"), done.stderr


def test_wait_timeout_names_the_service_and_its_last_output(project):  # type: ignore[no-untyped-def]
    stack = project(STARTING)
    done = stack.cli("up", "--wait", "--wait-timeout", "1.5")
    assert done.returncode != 0
    last = done.stderr.splitlines()[-1]
    assert last.startswith("service slow did not become healthy within 1.5s (container demo-slow-1): "), last
    assert last.endswith("still warming up") or last.endswith("no health check has run yet"), last


def test_detach_and_abort_are_refused(project):  # type: ignore[no-untyped-def]
    stack = project(JOB.format(code=0))
    done = stack.cli("up", "-d", "--abort-on-container-exit")
    assert done.returncode != 0 and "--detach cannot be combined" in done.stderr, done.stderr
    done = stack.cli("up", "--exit-code-from", "nosuch")
    assert done.returncode != 0 and "nosuch" in done.stderr and "Traceback" not in done.stderr


STUBBORN = """\
services:
  stubborn:
    image: busybox
    command: ["sh", "-c", "trap 'echo ignoring TERM' TERM; echo up; while true; do sleep 0.1; done"]
    stop_grace_period: 60s
"""


def test_a_second_ctrl_c_kills(project):  # type: ignore[no-untyped-def]
    stack = project(STUBBORN)
    up = Running(stack, "up")
    try:
        up.expect(lambda out: "demo-stubborn-1  | up" in out, "the service's first line")
        up.proc.send_signal(signal.SIGINT)
        up.expect(lambda out: "Gracefully stopping... (press Ctrl+C again to force)" in up.err, "the graceful stop")
        up.expect(lambda out: "demo-stubborn-1  | ignoring TERM" in out, "the TERM the service ignores")
        up.proc.send_signal(signal.SIGINT)
        assert up.finish(timeout=20) == 130, up.err
    finally:
        up.close()
    assert not any("Traceback" in line for line in up.err), up.err
    assert states(stack) == {"stubborn": "exited"}
