"""`pycompose watch` end to end: a running `watch` syncs changed and new files into the service's container,
removes deleted ones there, restarts it for a `sync+restart` rule, runs a `sync+exec` rule's command, and
ends with status 0 on SIGTERM, the service still running."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading

import pytest

from tests.e2e.stack import Stack, open_stack
from tests.waiting import eventually

STACK = """\
services:
  app:
    image: busybox
    command: ["sh", "-c", "echo started >> /tmp/starts; exec sleep 300"]
    stop_signal: SIGKILL
    develop:
      watch:
        - path: ./src
          action: sync
          target: /app
          ignore: ["*.tmp"]
        - path: ./conf.txt
          action: sync+restart
          target: /etc/app.conf
        - path: ./hooks
          action: sync+exec
          target: /hooks
          exec:
            command: ["sh", "-c", "date >> /tmp/hooked"]
"""


@pytest.fixture
def stack():  # type: ignore[no-untyped-def]
    yield from open_stack("tests/e2e/test_compose_watch.py", STACK)


class Watching:
    """`pycompose watch` running in the stack's namespace; what it says on stderr, line by line."""

    def __init__(self, stack: Stack):
        argv = ["nsenter", f"--net={stack.netns}", sys.executable, "-m", "compose.cli.main", "-p", "demo", "watch"]
        self.proc = subprocess.Popen(argv, cwd=stack.project, env=stack.env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)
        self.said: list[str] = []
        self.reader = threading.Thread(target=lambda: self.said.extend(iter(self.proc.stderr.readline, "")),
                                       daemon=True)
        self.reader.start()

    def stop(self) -> int:
        """SIGTERM, as a user's Ctrl-C would end it; its exit status."""
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=60)
        self.reader.join(timeout=5)
        self.proc.stderr.close()
        return code


def test_watch_syncs_restarts_and_runs_hooks(stack: Stack) -> None:
    (stack.project / "src").mkdir()
    (stack.project / "src" / "index.txt").write_text("one\n")
    (stack.project / "hooks").mkdir()
    (stack.project / "conf.txt").write_text("a=1\n")
    watcher = Watching(stack)
    said = watcher.said

    def cat(path: str) -> str:
        return stack.cli("exec", "app", "cat", path).stdout

    try:
        eventually(lambda: "Watch enabled\n" in said, timeout=60, what=f"watch to start (said {said})")
        (stack.project / "src" / "index.txt").write_text("two\n")
        (stack.project / "src" / "deep").mkdir()
        (stack.project / "src" / "deep" / "new.txt").write_text("new\n")
        (stack.project / "src" / "scratch.tmp").write_text("ignored\n")
        eventually(lambda: cat("/app/index.txt") == "two\n" and cat("/app/deep/new.txt") == "new\n",
                   timeout=20, what="the changed and the new file in the container")
        assert stack.cli("exec", "app", "test", "-e", "/app/scratch.tmp").returncode != 0  # ignored
        assert any(line.startswith('Syncing service "app" after') for line in said), said

        (stack.project / "src" / "index.txt").unlink()
        eventually(lambda: stack.cli("exec", "app", "test", "-e", "/app/index.txt").returncode == 1, timeout=20,
                   what="the deleted file gone from the container")

        (stack.project / "conf.txt").write_text("a=2\n")
        eventually(lambda: cat("/etc/app.conf") == "a=2\n" and cat("/tmp/starts").count("started") == 2,
                   timeout=20, what="the new config and a restart")

        (stack.project / "hooks" / "h.sh").write_text("true\n")
        eventually(lambda: cat("/tmp/hooked").count("\n") == 1, timeout=20, what="the sync+exec command")
    finally:
        code = watcher.stop()
    assert code == 0, said
    assert stack.ok("ps", "--format", "{{.Service}} {{.State}}").stdout == "app running\n"  # it keeps running
    stack.ok("down", "-t", "0")


def test_watch_without_rules_says_so(stack: Stack) -> None:
    (stack.project / "compose.yaml").write_text("services:\n  plain:\n    image: busybox\n")
    refused = stack.cli("watch")
    assert refused.returncode != 0 and "none of the selected services is configured for watch" in refused.stderr


BUILT = """\
services:
  built:
    build: ./ctx
    image: demo-built:dev
    stop_signal: SIGKILL
    develop:
      watch:
        - path: ./ctx/msg.txt
          action: rebuild
"""


def test_a_rebuild_rule_builds_and_recreates_the_service(stack: Stack) -> None:
    (stack.project / "ctx").mkdir()
    (stack.project / "ctx" / "Dockerfile").write_text('FROM busybox\nCOPY msg.txt /msg.txt\nCMD ["sleep", "300"]\n')
    (stack.project / "ctx" / "msg.txt").write_text("first\n")
    (stack.project / "compose.yaml").write_text(BUILT)
    watcher = Watching(stack)
    said = watcher.said
    try:
        eventually(lambda: "Watch enabled\n" in said, timeout=120, what=f"watch to start (said {said})")
        first = stack.ids()["built"]
        old_image = stack.ok("image", "inspect", "-f", "{{.Id}}", "demo-built:dev").stdout.strip()
        assert old_image in stack.ok("image", "ls", "-q", "--no-trunc").stdout
        (stack.project / "ctx" / "msg.txt").write_text("second\n")
        eventually(lambda: stack.cli("exec", "built", "cat", "/msg.txt").stdout == "second\n", timeout=120,
                   what="the rebuilt image's file in the recreated container")
        assert stack.ids()["built"] != first
        assert any(line.startswith('Rebuilding service(s) ["built"]') for line in said), said
        eventually(lambda: old_image not in stack.ok("image", "ls", "-q", "--no-trunc").stdout, timeout=20,
                   what="the replaced image pruned")
    finally:
        code = watcher.stop()
    assert code == 0, said
    stack.ok("down", "-t", "0", "--rmi", "all")
