"""`pycompose container diff|commit` end to end: a container's changes, as A/C/D lines and as a new image.

Root and busybox-static, with test_container_cmd.py's Env; each test removes its
containers, the module its images with its roots.
"""

from __future__ import annotations

import os
import re
import shutil

import pytest

from tests.e2e.test_container_cmd import Env
from tests.waiting import eventually

CHANGES = "echo new > /added; echo more >> /etc/passwd; rm /etc/group"


@pytest.fixture(scope="module")
def env():  # type: ignore[no-untyped-def]
    if os.geteuid() != 0 or shutil.which("busybox") is None:
        pytest.fail("tests/e2e/test_container_commit.py needs root and busybox-static (scripts/setup.sh --test)")
    made = Env()
    try:
        made.import_busybox()
        yield made
    finally:
        made.close()


@pytest.fixture
def cli(env):  # type: ignore[no-untyped-def]
    yield env
    env.remove_all()
    assert env.mounts() == []


def test_diff_and_commit_round_trip(cli):
    done = cli.cli("run", "--name", "changer", "busybox", "sh", "-c", CHANGES)
    assert done.returncode == 0, done.stderr
    assert cli.cli("diff", "changer").stdout.splitlines() == ["A /added", "C /etc", "D /etc/group", "C /etc/passwd"]
    done = cli.cli("commit", "-m", "three changes", "-a", "Tester <t@example.com>", "changer", "changed:v1")
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"sha256:[0-9a-f]{64}\n", done.stdout)
    seen = cli.cli("run", "--rm", "changed:v1", "sh", "-c",
                   "cat /added; tail -n 1 /etc/passwd; ls /etc/group 2>&1; echo $?")
    assert seen.stdout.splitlines() == ["new", "more", "ls: /etc/group: No such file or directory", "1"], seen.stderr
    history = cli.cli("run", "--rm", "busybox", "cat", "/etc/group")  # the base image is untouched
    assert history.returncode == 0 and history.stdout


def test_a_fresh_container_has_no_diff(cli):
    assert cli.cli("create", "--name", "fresh", "busybox", "true").returncode == 0
    done = cli.cli("diff", "fresh")
    assert (done.returncode, done.stdout) == (0, ""), done.stderr


def test_commit_of_a_running_container_with_a_change(cli):
    done = cli.cli("run", "-d", "--name", "live", "-e", "GREETING=hello", "busybox", "sh", "-c",
                   "echo x > /ready; exec sleep 300")
    rootfs = cli.state / "bundles" / done.stdout.strip() / "rootfs"
    eventually(lambda: (rootfs / "ready").exists(), what="the container's /ready")
    done = cli.cli("commit", "-c", 'CMD ["echo","committed"]', "live", "live:v1")
    assert done.returncode == 0, done.stderr
    assert "Up " in cli.cli("ls").stdout and "(Paused)" not in cli.cli("ls").stdout  # thawed after the commit
    assert cli.cli("run", "--rm", "live:v1").stdout == "committed\n"
    env = cli.cli("run", "--rm", "live:v1", "sh", "-c", "echo $GREETING; cat /ready").stdout
    assert env == "hello\nx\n"  # the container's environment went into the image, as with Docker


def test_bad_change_is_refused_and_makes_no_image(cli):
    assert cli.cli("create", "--name", "base", "busybox", "true").returncode == 0
    blobs = set((cli.state / "images" / "blobs" / "sha256").iterdir())
    done = cli.cli("commit", "-c", "RUN echo no", "base", "nope:v1")
    assert done.returncode != 0 and "RUN" in done.stderr
    assert set((cli.state / "images" / "blobs" / "sha256").iterdir()) == blobs
    assert cli.cli("run", "--rm", "nope:v1", "true").returncode != 0
