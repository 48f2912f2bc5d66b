"""`pycompose logs` end to end: two services' lines merged in time order with Compose's prefixes,
--tail/--since/--until/-t/--no-log-prefix/--index, and `-f` seeing new lines and a recreated container,
ended by SIGINT or SIGTERM with status 0."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from collections.abc import Callable

import pytest

from tests.e2e.stack import Stack, open_stack
from tests.waiting import eventually

TWO = """\
services:
  a:
    image: busybox
    command: ["sh", "-c", "echo a1; sleep 0.3; echo a2; sleep 0.3; echo a3; exec sleep 300"]
    stop_signal: SIGKILL
  b:
    image: busybox
    command: ["sh", "-c", "sleep 0.15; echo b1; sleep 0.3; echo b2 >&2; sleep 0.3; echo b3; exec sleep 300"]
    stop_signal: SIGKILL
"""

TICKING = """\
services:
  w:
    image: busybox
    command: ["sh", "-c", "echo start $$V; i=0; while true; do i=$$((i+1)); echo tick $$i; sleep 0.2; done"]
    stop_signal: SIGKILL
    environment:
      V: {v}
"""


class Running:
    """The CLI started in the stack's namespace (as Stack.cli runs it), its output read line by line."""

    def __init__(self, stack: Stack, *args: str):
        self.proc = subprocess.Popen(["nsenter", f"--net={stack.netns}", sys.executable, "-m", "compose.cli.main",
                                      "-p", "demo", *args], cwd=stack.project, env=stack.env, text=True,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.out: list[str] = []
        self.err: list[str] = []
        self._readers = [threading.Thread(target=self._read, args=(self.proc.stdout, self.out), daemon=True),
                         threading.Thread(target=self._read, args=(self.proc.stderr, self.err), daemon=True)]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _read(stream, into: list[str]) -> None:  # type: ignore[no-untyped-def]
        for line in stream:
            into.append(line.rstrip("\n"))

    def expect(self, probe: Callable[[list[str]], object], what: str, timeout: float = 20) -> None:
        def check() -> object:
            if self.proc.poll() is not None and not probe(self.out):
                raise AssertionError(f"the CLI ended ({self.proc.returncode}) before {what}: "
                                     f"{self.out}\n{self.err}")
            return probe(self.out)

        eventually(check, timeout=timeout, what=f"{what} (stdout so far: {self.out}, stderr: {self.err})")

    def finish(self, timeout: float = 30) -> int:
        """Its exit status, once it ends and its output is read."""
        code = self.proc.wait(timeout=timeout)
        for reader in self._readers:
            reader.join(timeout=5)
        return code

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture(scope="module")
def stack():  # type: ignore[no-untyped-def]
    yield from open_stack("tests/e2e/test_compose_logs.py")


@pytest.fixture
def two(stack):  # type: ignore[no-untyped-def]
    (stack.project / "compose.yaml").write_text(TWO)
    stack.ok("up", "-d")
    eventually(lambda: stack.ok("logs").stdout.count("\n") == 5, timeout=15, what="five stdout lines in the logs")
    yield stack
    stack.ok("down", "-t", "0")


def test_lines_of_two_services_merged_in_time_order_with_prefixes(two):  # type: ignore[no-untyped-def]
    done = two.ok("logs")
    assert done.stdout.splitlines() == ["demo-a-1  | a1", "demo-b-1  | b1", "demo-a-1  | a2",
                                        "demo-a-1  | a3", "demo-b-1  | b3"]
    assert done.stderr == "demo-b-1  | b2\n"  # a container's stderr stays on stderr
    assert two.ok("logs", "b", "--no-log-prefix").stdout == "b1\nb3\n"
    assert two.ok("logs", "--index", "2").stdout == ""
    assert "\033[" not in two.ok("logs").stdout  # no colour into a pipe


def test_timestamps_tail_since_until(two):  # type: ignore[no-untyped-def]
    merged = two.ok("logs", "-t", "--no-log-prefix").stdout.splitlines()
    stamps = [line.split()[0] for line in merged]
    assert [line.split()[1] for line in merged] == ["a1", "b1", "a2", "a3", "b3"]
    assert stamps == sorted(stamps) and all(len(s) == 30 and s.endswith("Z") for s in stamps)

    assert two.ok("logs", "--tail", "1").stdout == "demo-a-1  | a3\ndemo-b-1  | b3\n"
    assert two.ok("logs", "--tail", "0").stdout == ""
    a2 = stamps[2]
    assert two.ok("logs", "--since", a2).stdout == "demo-a-1  | a2\ndemo-a-1  | a3\ndemo-b-1  | b3\n"
    assert two.ok("logs", "--until", a2).stdout == "demo-a-1  | a1\ndemo-b-1  | b1\ndemo-a-1  | a2\n"
    assert two.ok("logs", "--since", "1h").stdout.count("\n") == 5
    bad = two.cli("logs", "--tail", "ten")
    assert bad.returncode != 0 and "--tail" in bad.stderr and "Traceback" not in bad.stderr


def ticks(lines: list[str]) -> list[int]:
    return [int(line.rsplit(" ", 1)[1]) for line in lines if " | tick " in line]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_follow_sees_new_lines_and_a_recreated_container(stack, sig):  # type: ignore[no-untyped-def]
    (stack.project / "compose.yaml").write_text(TICKING.format(v="one"))
    stack.ok("up", "-d")
    try:
        eventually(lambda: ticks(stack.ok("logs").stdout.splitlines()), timeout=15, what="a tick")
        seen = max(ticks(stack.ok("logs").stdout.splitlines()))
        follow = Running(stack, "logs", "-f", "--tail", "1")
        try:
            follow.expect(lambda out: any(n > seen for n in ticks(out)), "a tick written after -f started")
            assert len(follow.out) == len(set(follow.out)), follow.out  # no line twice
            (stack.project / "compose.yaml").write_text(TICKING.format(v="two"))
            assert " ✔ Container demo-w-1  Recreated" in stack.ok("up", "-d").stderr.splitlines()
            follow.expect(lambda out: "demo-w-1  | start two" in out, "the recreated container's first line")
            follow.proc.send_signal(sig)
            assert follow.finish() == 0, follow.err
            assert "Traceback" not in "\n".join(follow.err), follow.err
        finally:
            follow.close()
    finally:
        stack.ok("down", "-t", "0")


def test_unknown_service_is_named(stack):  # type: ignore[no-untyped-def]
    (stack.project / "compose.yaml").write_text(TWO)
    done = stack.cli("logs", "nosuch")
    assert done.returncode != 0 and "nosuch" in done.stderr and "Traceback" not in done.stderr

