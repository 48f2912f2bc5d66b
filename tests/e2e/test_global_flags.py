"""Docker Compose's global flags end to end: --progress (json, plain, quiet), --ansi, --parallel, and
--all-resources, with their environment variables (COMPOSE_PROGRESS, COMPOSE_ANSI, COMPOSE_PARALLEL_LIMIT)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.e2e.stack import Stack, open_stack

STACK = """\
services:
  a:
    image: busybox
    command: ["sh", "-c", "echo from-a; exec sleep 300"]
    stop_signal: SIGKILL
  b:
    image: busybox
    command: ["sh", "-c", "echo from-b; exec sleep 300"]
    stop_signal: SIGKILL
    depends_on: [a]
networks:
  unused: {}
"""


@pytest.fixture(scope="module")
def stack():  # type: ignore[no-untyped-def]
    yield from open_stack("tests/e2e/test_global_flags.py", STACK)


def test_progress_json_plain_and_quiet_print_what_compose_prints(stack: Stack) -> None:
    done = stack.ok("--progress", "json", "up", "-d")
    events = [json.loads(line) for line in done.stderr.splitlines()]
    assert {"id": "Container demo-a-1", "status": "Started"} in events
    assert {"id": "Network demo_default", "status": "Created"} in events
    assert all(set(e) == {"id", "status"} for e in events), events
    plain = stack.ok("--progress", "plain", "up", "-d").stderr.splitlines()
    assert " Container demo-a-1  Running" in plain and not any("✔" in line for line in plain), plain
    quiet = stack.ok("--progress", "quiet", "stop", "-t", "0")
    assert quiet.stderr == ""
    stack.ok("down", "-t", "0")


def test_the_environment_sets_progress_and_parallel_and_flags_are_checked(stack: Stack) -> None:
    env = {**stack.env, "COMPOSE_PROGRESS": "json", "COMPOSE_PARALLEL_LIMIT": "1"}
    done = subprocess.run(["nsenter", f"--net={stack.netns}", sys.executable, "-m", "compose.cli.main", "-p", "demo",
                           "up", "-d"], cwd=stack.project, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stderr.splitlines()[-1])["status"] == "Started"
    bad = stack.cli("--progress", "fancy", "ps")
    assert bad.returncode != 0 and "--progress" in bad.stderr and "Traceback" not in bad.stderr
    stack.ok("--parallel", "1", "down", "-t", "0")


def test_ansi_always_paints_log_prefixes_and_never_does_not(stack: Stack) -> None:
    stack.ok("up", "-d")
    try:
        painted = stack.ok("--ansi", "always", "logs", "a").stdout
        assert painted.startswith("\033[") and "from-a" in painted
        plain = stack.ok("--ansi", "never", "logs", "a").stdout
        assert "\033[" not in plain and plain.startswith("demo-a-1  | from-a")
    finally:
        stack.ok("down", "-t", "0")


def test_all_resources_keeps_what_no_service_uses(stack: Stack) -> None:
    assert "unused" not in stack.ok("config", "--networks").stdout.split()
    assert "unused" in stack.ok("--all-resources", "config", "--networks").stdout.split()


def test_orphans_are_removed_or_ignored_as_the_environment_says(stack: Stack) -> None:
    stack.ok("up", "-d")
    try:
        (stack.project / "compose.yaml").write_text(STACK.replace("    depends_on: [a]\n", "").split("  b:")[0]
                                                    + "networks:\n  unused: {}\n")
        env = {**stack.env, "COMPOSE_IGNORE_ORPHANS": "true"}
        argv = ["nsenter", f"--net={stack.netns}", sys.executable, "-m", "compose.cli.main", "-p", "demo", "up", "-d"]
        quiet = subprocess.run(argv, cwd=stack.project, env=env, capture_output=True, text=True, timeout=60)
        assert quiet.returncode == 0 and "orphan" not in quiet.stderr.lower(), quiet.stderr
        assert "orphan" in stack.ok("up", "-d").stderr.lower()  # without it: warned about
        env = {**stack.env, "COMPOSE_REMOVE_ORPHANS": "1"}
        removed = subprocess.run(argv, cwd=stack.project, env=env, capture_output=True, text=True, timeout=60)
        assert removed.returncode == 0, removed.stderr
        assert [row["Service"] for row in map(json.loads, stack.ok("ps", "-a", "--format", "json").stdout.splitlines())
                ] == ["a"]
    finally:
        (stack.project / "compose.yaml").write_text(STACK)
        stack.ok("down", "-t", "0", "--remove-orphans")


def test_dry_run_pretends_where_a_command_can_and_refuses_where_it_cannot(stack: Stack) -> None:
    done = stack.ok("--dry-run", "up", "-d")
    assert "DRY-RUN MODE - Container demo-a-1  Creating" in done.stdout.splitlines()
    assert stack.ok("ps", "-a", "-q").stdout == ""  # nothing was made
    refused = stack.cli("--dry-run", "exec", "a", "true")
    assert refused.returncode != 0 and "--dry-run is not supported by `pycompose exec`" in refused.stderr
    assert stack.ok("--dry-run", "ps").returncode == 0  # a command that only reads just runs
