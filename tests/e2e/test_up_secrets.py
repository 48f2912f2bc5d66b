"""Secrets and configs of a stack, end to end: file, environment and content sources, with uid, gid and mode."""

from __future__ import annotations

import pytest

from tests.e2e.stack import Stack, open_stack

STACK = """\
services:
  app:
    image: busybox
    stop_signal: SIGKILL
    command: ["sleep", "300"]
    secrets:
      - db_password
      - source: token
        target: api_token
        uid: "1000"
        gid: "1001"
        mode: 0400
    configs:
      - app_conf
      - source: motd
        target: /etc/motd
secrets:
  db_password:
    file: ./db_password.txt
  token:
    environment: API_TOKEN
configs:
  app_conf:
    file: ./app.conf
  motd:
    content: "hello from $${PROJECT:-compose}"
"""


@pytest.fixture(scope="module")
def stack():  # type: ignore[no-untyped-def]
    yield from open_stack("tests/e2e/test_up_secrets.py", STACK)


def sh(stack: Stack, script: str) -> str:
    done = stack.cli("container", "exec", "demo-app-1", "sh", "-c", script)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_secrets_and_configs_are_files_with_their_owners_and_modes(stack):  # type: ignore[no-untyped-def]
    (stack.project / "db_password.txt").write_text("s3cret\n")
    (stack.project / "app.conf").write_text("level=debug\n")
    stack.env["API_TOKEN"] = "tok-123"
    stack.ok("up", "-d")
    assert sh(stack, "cat /run/secrets/db_password /run/secrets/api_token /app_conf /etc/motd") == \
        "s3cret\ntok-123level=debug\nhello from ${PROJECT:-compose}"
    listing = sh(stack, "stat -c '%n %u %g %a' /run/secrets/api_token /etc/motd").splitlines()
    assert listing == ["/run/secrets/api_token 1000 1001 400", "/etc/motd 0 0 444"]
    assert "Read-only" in stack.cli("container", "exec", "demo-app-1", "sh", "-c",
                                    "echo x > /run/secrets/db_password").stderr
    (stack.project / "db_password.txt").write_text("changed\n")  # a plain file source is bound, as Compose does
    assert sh(stack, "cat /run/secrets/db_password") == "changed\n"
    stack.ok("down", "-t", "0")
    assert not (stack.state / "files").exists() or list((stack.state / "files").iterdir()) == []
