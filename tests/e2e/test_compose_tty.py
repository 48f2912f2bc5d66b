"""Compose's `run`, `exec` and `attach` at a terminal, with -T and without one, and `tty`/`stdin_open` services.

The CLI runs on a pseudo-terminal of the test's (tests/e2e/ptys.py) inside the Stack's
throwaway namespace, or with pipes (Stack.cli) where no terminal is the point.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.e2e.ptys import Terminal
from tests.e2e.stack import Stack, open_stack
from tests.waiting import eventually

STACK = """\
services:
  api:
    image: busybox
    command: ["sleep", "300"]
    stop_signal: SIGKILL
  console:
    image: busybox
    command: ["sh"]
    tty: true
    stdin_open: true
    stop_signal: SIGKILL
  printer:
    image: busybox
    command: ["sh", "-c", "echo hello; tty; exec sleep 300"]
    tty: true
    stop_signal: SIGKILL
"""


@pytest.fixture
def stack():  # type: ignore[no-untyped-def]
    yield from open_stack("tests/e2e/test_compose_tty.py", STACK)


def terminal(stack: Stack, *args: str, rows: int = 24, cols: int = 80) -> Terminal:
    """`pycompose -p demo ARGS` on a terminal of the test's, in the stack's namespace."""
    return Terminal(["nsenter", f"--net={stack.netns}", sys.executable, "-m", "compose.cli.main", "-p", "demo",
                     *args], env=stack.env, cwd=stack.project, rows=rows, cols=cols)


def piped(stack: Stack, *args: str, given: str = "") -> subprocess.CompletedProcess[str]:
    """`pycompose -p demo ARGS` with pipes for stdio, `given` on its stdin."""
    return subprocess.run(["nsenter", f"--net={stack.netns}", sys.executable, "-m", "compose.cli.main", "-p",
                           "demo", *args], cwd=stack.project, env=stack.env, input=given, capture_output=True,
                          text=True, timeout=60, check=False)


def test_run_at_a_terminal_gets_a_pty_and_stdin_and_with_T_gets_neither(stack):  # type: ignore[no-untyped-def]
    with terminal(stack, "run", "--rm", "api", "sh", rows=31, cols=97) as term:
        term.expect(rb"/ # ")
        term.send(b"tty; stty size; exit 6\r")
        term.expect(rb"\n/dev/pts/\d+\r\n31 97\r\n")
        assert term.wait() == 6
    with terminal(stack, "run", "--rm", "-T", "api", "sh", "-c", "tty || exit 9") as term:
        assert term.wait() == 9 and b"not a tty" in term.seen
    done = piped(stack, "run", "--rm", "api", "sh", "-c", "tty || cat", given="from stdin\n")
    assert (done.returncode, done.stdout) == (0, "not a tty\nfrom stdin\n"), done.stderr  # no pty, our stdin
    assert stack.ok("ps", "-a", "-q").stdout == ""


def test_exec_at_a_terminal_gets_a_pty_and_with_T_does_not(stack):  # type: ignore[no-untyped-def]
    stack.ok("up", "-d", "api")
    with terminal(stack, "exec", "api", "sh", rows=25, cols=85) as term:
        term.expect(rb"/ # ")
        term.send(b"tty; stty size; exit 2\r")
        term.expect(rb"\n/dev/pts/\d+\r\n25 85\r\n")
        assert term.wait() == 2
    with terminal(stack, "exec", "-T", "api", "sh", "-c", "tty") as term:
        assert term.wait() == 1 and b"not a tty" in term.seen
    done = piped(stack, "exec", "api", "sh", "-c", "tty || cat", given="typed\n")  # no pty, our stdin
    assert (done.returncode, done.stdout) == (0, "not a tty\ntyped\n"), done.stderr


def test_a_tty_service_is_logged_with_crlf_and_attach_types_into_a_stdin_open_one(stack):  # type: ignore[no-untyped-def]
    stack.ok("up", "-d")

    def printed() -> bytes:
        done = subprocess.run(["nsenter", f"--net={stack.netns}", sys.executable, "-m", "compose.cli.main", "-p",
                               "demo", "logs", "--no-log-prefix", "printer"], cwd=stack.project, env=stack.env,
                              capture_output=True, timeout=60, check=True)
        return done.stdout if b"/dev/pts/" in done.stdout else b""

    assert eventually(printed, what="the printer's output in its logs").startswith(b"hello\r\n/dev/pts/")
    with terminal(stack, "attach", "console") as term:
        term.send(b"echo $((3*3))\r")
        term.expect(rb"\n9\r\n")
        term.send(b"\x10\x11")
        assert term.wait() == 1 and b"read escape sequence" in term.seen
    states = {row["Service"]: row["State"] for row in map(json.loads, stack.ok("ps", "--format", "json").stdout
                                                           .splitlines())}
    assert states["console"] == "running"  # detached from, not ended
    with terminal(stack, "attach", "console") as term:
        term.send(b"exit 4\r")
        assert term.wait() == 4
