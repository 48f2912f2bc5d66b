"""A project named with -p where no compose file is: `ps`, `logs`, `top`, `stop`, `start` and `down` act on
what the engine holds under its labels, as Docker Compose's do; `up` still needs the file."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.e2e.stack import open_stack

STACK = """\
services:
  db:
    image: busybox
    command: ["sh", "-c", "echo db says hello; exec sleep 300"]
    stop_signal: SIGKILL
  web:
    image: busybox
    command: ["sleep", "300"]
    stop_signal: SIGKILL
    depends_on: [db]
    networks: [front, back]
networks:
  front: {}
  back: {}
"""


@pytest.fixture(scope="module")
def stack():  # type: ignore[no-untyped-def]
    made = next(gen := open_stack("tests/e2e/test_compose_by_name.py", STACK))
    made.ok("up", "-d")
    elsewhere = Path(tempfile.mkdtemp(prefix="pycompose-test-"))
    made.project, made.home = elsewhere, made.project  # run from a directory without compose.yaml
    yield made
    made.project = made.home
    shutil.rmtree(elsewhere, ignore_errors=True)
    next(gen, None)


def test_commands_act_on_the_project_by_name(stack):  # type: ignore[no-untyped-def]
    rows = [json.loads(line) for line in stack.ok("ps", "--format", "json").stdout.splitlines()]
    assert sorted(row["Service"] for row in rows) == ["db", "web"]
    assert "db says hello" in stack.ok("logs", "db").stdout
    assert "sleep 300" in stack.ok("top", "web").stdout
    stack.ok("stop", "web")
    assert [json.loads(line)["Service"] for line in stack.ok("ps", "--format", "json").stdout.splitlines()] == ["db"]
    stack.ok("start", "web")
    no_file = stack.cli("up", "-d")
    assert no_file.returncode != 0 and "no configuration file provided" in no_file.stderr


def test_down_by_name_removes_containers_and_networks(stack):  # type: ignore[no-untyped-def]
    said = [line.split() for line in stack.ok("down").stderr.splitlines()]
    for subject in (["Container", "demo-web-1"], ["Container", "demo-db-1"], ["Network", "demo_front"],
                    ["Network", "demo_back"], ["Network", "demo_default"]):
        assert ["✔", *subject, "Removed"] in said, said
    assert stack.ok("ps", "-a", "-q").stdout == ""
    assert "demo_" not in stack.ok("network", "ls").stdout
