"""`pycompose ls` end to end: two projects on one engine, listed from a directory without a compose file.

The projects run in a throwaway network namespace with temporary roots (tests/e2e/stack.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile

import pytest

from tests.e2e.stack import Stack, open_stack

ONE = """\
services:
  a:
    image: busybox
    command: ["sleep", "300"]
    stop_signal: SIGKILL
  b:
    image: busybox
    command: ["sleep", "300"]
    stop_signal: SIGKILL
"""


@pytest.fixture(scope="module")
def stack():  # type: ignore[no-untyped-def]
    yield from open_stack("tests/e2e/test_compose_ls.py", ONE)


def pycompose(stack: Stack, *args: str, cwd: str | None = None) -> subprocess.CompletedProcess[str]:
    """pycompose on the stack's roots and namespace, without `-p demo` (the project is named where needed)."""
    done = subprocess.run(["nsenter", f"--net={stack.netns}", sys.executable, "-m", "compose.cli.main", *args],
                          cwd=cwd or stack.project, env=stack.env, capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr
    return done


def test_ls_lists_projects_by_label_with_compose_s_status(stack):  # type: ignore[no-untyped-def]
    files = str(stack.project / "compose.yaml")
    try:
        stack.ok("up", "-d")
        pycompose(stack, "-p", "other", "up", "-d", "a")
        with tempfile.TemporaryDirectory(prefix="pycompose-test-") as elsewhere:  # no compose file there
            table = pycompose(stack, "ls", cwd=elsewhere).stdout.splitlines()
            assert table == ["NAME                STATUS              CONFIG FILES",
                             f"demo                running(2)          {files}",
                             f"other               running(1)          {files}"]

            stack.ok("stop", "b")
            pycompose(stack, "-p", "other", "stop")
            assert pycompose(stack, "ls", "-q", cwd=elsewhere).stdout == "demo\n"
            listed = json.loads(pycompose(stack, "ls", "--all", "--format", "json", cwd=elsewhere).stdout)
            assert listed == [{"Name": "demo", "Status": "exited(1), running(1)", "ConfigFiles": files},
                              {"Name": "other", "Status": "exited(1)", "ConfigFiles": files}]
            assert pycompose(stack, "ls", "-aq", "--filter", "name=^oth", cwd=elsewhere).stdout == "other\n"
            assert json.loads(pycompose(stack, "ls", "--filter", "name=nosuch", "--format", "json",
                                        cwd=elsewhere).stdout) == []
    finally:
        pycompose(stack, "-p", "other", "down", "-t", "0")
        stack.ok("down", "-t", "0")
    assert pycompose(stack, "ls", "-a").stdout == "NAME                STATUS              CONFIG FILES\n"
