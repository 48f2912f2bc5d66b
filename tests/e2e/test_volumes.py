"""Volumes and mounts end to end: `container run -v/--mount`, `volume ...`, and a stack's named volume
through `up -d` / `down` / `down -v`.

Needs root and Debian's busybox-static. The `container` tests use plain temporary roots; the
stack runs in a throwaway network namespace (the harness of tests/e2e/test_up.py).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.e2e.engine_env import REPO, Env
from tests.e2e.stack import Stack, open_stack
from tests.waiting import eventually


def volume(env: Env, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "compose.cli.main", "volume", *args], cwd=REPO, env=env.environ,
                          capture_output=True, text=True, timeout=30, check=False)


def test_bind_mount_read_only(env: Env) -> None:
    host = Path(tempfile.mkdtemp(prefix="pycompose-test-bind-"))
    try:
        (host / "greeting").write_text("hello from the host\n")
        done = env.cli("run", "--rm", "-v", f"{host}:/data:ro", "busybox", "sh", "-c",
                       "cat /data/greeting && touch /data/written")
        assert done.stdout == "hello from the host\n"
        assert done.returncode != 0 and "Read-only file system" in done.stderr, done.stderr
        assert not (host / "written").exists()
        done = env.cli("run", "--rm", "--mount", f"type=bind,source={host},target=/data", "--tmpfs", "/scratch",
                       "busybox", "sh", "-c", "echo rw > /data/written && grep -c ' /scratch tmpfs ' /proc/mounts")
        assert done.returncode == 0 and done.stdout == "1\n", done.stderr
        assert (host / "written").read_text() == "rw\n"
    finally:
        shutil.rmtree(host)
    assert env.mounts() == []


def test_named_volume_outlives_its_containers_and_is_kept_while_used(env: Env) -> None:
    assert env.cli("run", "--rm", "-v", "keep:/v", "busybox", "sh", "-c", "echo kept > /v/f").returncode == 0
    assert volume(env, "ls").stdout.splitlines() == ["DRIVER    VOLUME NAME", "local     keep"]
    assert env.cli("run", "--rm", "-v", "keep:/v", "busybox", "cat", "/v/f").stdout == "kept\n"

    user = env.cli("create", "--name", "user", "-v", "keep:/v", "busybox", "true").stdout.strip()
    refused = volume(env, "rm", "keep")
    assert refused.returncode != 0 and "volume is in use" in refused.stderr and user in refused.stderr
    assert env.cli("rm", "user").returncode == 0
    assert volume(env, "rm", "keep").stdout == "keep\n"
    assert volume(env, "ls", "-q").stdout == ""


def test_copy_up_and_anonymous_volumes(env: Env) -> None:
    done = env.cli("run", "--rm", "-v", "seeded:/etc", "busybox", "cat", "/etc/group")
    assert done.stdout.startswith("root:x:0:"), done.stderr
    shown = json.loads(volume(env, "inspect", "seeded").stdout)[0]
    assert shown["Name"] == "seeded" and shown["Driver"] == "local"
    assert (Path(shown["Mountpoint"]) / "passwd").exists()
    done = env.cli("run", "--rm", "--mount", "type=volume,src=bare,dst=/etc,volume-nocopy", "busybox", "ls", "/etc")
    assert "group" not in done.stdout, done.stdout

    assert env.cli("run", "--rm", "-v", "/anon", "busybox", "true").returncode == 0  # --rm takes it along
    assert volume(env, "ls", "-q").stdout.splitlines() == ["bare", "seeded"]
    assert volume(env, "prune", "-a", "-f").stdout.startswith("Deleted Volumes:\nbare\nseeded\n")


STACK = """\
services:
  app:
    image: busybox
    command: ["sh", "-c", "cat /data/f 2>/dev/null; echo {word} > /data/f; exec sleep 300"]
    stop_signal: SIGKILL
    environment:
      WORD: {word}
    volumes:
      - data:/data
      - /scratch
    tmpfs:
      - /run/cache
volumes:
  data:
"""


def lines(done: subprocess.CompletedProcess[str]) -> list[list[str]]:
    return [line.split() for line in done.stderr.splitlines()]


@pytest.fixture(scope="module")
def stack():  # type: ignore[no-untyped-def]
    yield from open_stack("tests/e2e/test_volumes.py")


def test_stack_volume_up_down_down_v(stack: Stack) -> None:
    (stack.project / "compose.yaml").write_text(STACK.format(word="first"))
    done = stack.ok("up", "-d")
    assert ["✔", "Volume", "demo_data", "Created"] in lines(done), done.stderr
    volumes = stack.state / "volumes"
    data = volumes / "demo_data" / "_data"
    labels = json.loads((volumes / "demo_data" / "volume.json").read_text())["Labels"]
    assert labels["com.docker.compose.project"] == "demo" and labels["com.docker.compose.volume"] == "data"
    assert (data / "f").read_text() == "first\n"

    (stack.project / "compose.yaml").write_text(STACK.format(word="second"))  # recreated: the data stays
    stack.ok("up", "-d")
    assert (data / "f").read_text() == "second\n"
    stack.ok("down", "-t", "0")
    assert (data / "f").read_text() == "second\n"
    done = stack.ok("down", "-v")
    assert ["✔", "Volume", "demo_data", "Removed"] in lines(done), done.stderr
    assert not (volumes / "demo_data").exists()


ANONYMOUS = """\
services:
  app:
    image: withvol:1
    stop_signal: SIGKILL
    command: ["sh", "-c", "test -f /cache/first || echo {word} > /cache/first; echo {word} >> /data/seen;
              exec sleep 300"]
    volumes:
      - /cache
"""


def test_anonymous_volumes_are_filled_from_the_image_and_kept_across_recreation(stack: Stack) -> None:
    made = stack.cli("container", "run", "--name", "seeder", "busybox", "sh", "-c",
                     "mkdir /data; echo seed > /data/seed")
    assert made.returncode == 0, made.stderr
    done = stack.cli("container", "commit", "-c", "VOLUME /data", "seeder", "withvol:1")
    assert done.returncode == 0, done.stderr
    stack.ok("container", "rm", "seeder")

    def read(path: str) -> str:
        return stack.ok("container", "exec", "demo-app-1", "cat", path).stdout

    earlier = set(stack.ok("volume", "ls", "-q").stdout.split())
    (stack.project / "compose.yaml").write_text(ANONYMOUS.format(word="one"))
    stack.ok("up", "-d")
    first = stack.ids()["app"]

    eventually(lambda: stack.cli("container", "exec", "demo-app-1", "cat", "/data/seen").stdout == "one\n",
               what="the first container's write to the image's volume")
    assert read("/data/seed") == "seed\n"  # the image's VOLUME, pre-filled from the image
    before = set(stack.ok("volume", "ls", "-q").stdout.split()) - earlier
    assert len(before) == 2  # /cache and the image's /data

    (stack.project / "compose.yaml").write_text(ANONYMOUS.format(word="two"))
    stack.ok("up", "-d")
    assert stack.ids()["app"] != first
    eventually(lambda: stack.cli("container", "exec", "demo-app-1", "cat", "/data/seen").stdout == "one\ntwo\n",
               what="the recreated container's write next to the first one's")
    assert read("/cache/first") == "one\n"  # the service's anonymous volume came back too
    assert set(stack.ok("volume", "ls", "-q").stdout.split()) - earlier == before  # the same two, none new

    stack.ok("down", "-v", "-t", "0")
    assert set(stack.ok("volume", "ls", "-q").stdout.split()) - earlier == set()


@pytest.fixture
def shared_dir():  # type: ignore[no-untyped-def]
    """A tmpfs made a shared mount (the host's / is often private, and Docker needs a shared source)."""
    where = Path(tempfile.mkdtemp(prefix="pycompose-test-shared-"))
    subprocess.run(["mount", "-t", "tmpfs", "pycompose-test", str(where)], check=True)
    try:
        subprocess.run(["mount", "--make-shared", str(where)], check=True)
        (where / "sub").mkdir()
        yield where
    finally:
        subprocess.run(["umount", "-R", str(where)], check=False)
        where.rmdir()


def mounted(path: Path) -> bool:
    return any(line.split()[4] == str(path) for line in Path("/proc/self/mountinfo").read_text().splitlines())


def test_bind_propagation_passes_mounts_as_asked_and_needs_a_shared_source(env: Env, shared_dir: Path) -> None:
    private = Path(tempfile.mkdtemp(prefix="pycompose-test-private-"))
    try:
        refused = env.cli("run", "--rm", "-v", f"{private}:/x:rshared", "busybox", "true")
        assert refused.returncode != 0 and f"path {private} is mounted on" in refused.stderr, refused.stderr
        assert "not a shared mount" in refused.stderr
    finally:
        private.rmdir()

    # rshared: a mount made in the container shows on the host
    done = env.cli("run", "--rm", "--privileged", "-v", f"{shared_dir}:/x:rshared", "busybox", "sh", "-c",
                   "mount -t tmpfs inner /x/sub && grep -c ' /x ' /proc/self/mountinfo")
    assert done.returncode == 0 and done.stdout == "1\n", done.stderr
    assert mounted(shared_dir / "sub") and mounted(shared_dir)  # its peer, and the source itself still there
    subprocess.run(["umount", str(shared_dir / "sub")], check=True)

    # rslave: a host mount made after the start shows in the container; the default (rprivate) keeps it out
    for name, volume in (("slave", f"{shared_dir}:/x:rslave"), ("private", f"{shared_dir}:/x")):
        assert env.cli("run", "-d", "--name", name, "-v", volume, "busybox", "sleep", "300").returncode == 0
    try:
        subprocess.run(["mount", "-t", "tmpfs", "late", str(shared_dir / "sub")], check=True)
        seen = {name: env.cli("exec", name, "grep", "-c", " /x/sub ", "/proc/self/mountinfo").stdout.strip()
                for name in ("slave", "private")}
        assert seen == {"slave": "1", "private": "0"}
    finally:
        env.cli("rm", "-f", "slave", "private")
        subprocess.run(["umount", str(shared_dir / "sub")], check=False)
    assert env.mounts() == []


SUBPATH = """\
services:
  seed:
    image: busybox
    command: ["sh", "-c", "mkdir -p /all/logs && echo only-this > /all/logs/f && echo not-this > /all/top"]
    volumes: [data:/all]
  app:
    image: busybox
    depends_on: {{seed: {{condition: service_completed_successfully}}}}
    command: ["sh", "-c", "ls /logs > /out/listing; exec sleep 300"]
    stop_signal: SIGKILL
    volumes:
      - type: volume
        source: data
        target: /logs
        volume: {{subpath: logs}}
      - type: bind
        source: {out}
        target: /out
        bind: {{propagation: rslave}}
volumes:
  data:
"""


def test_a_service_mounts_a_volumes_subpath_and_a_bind_with_its_propagation(stack: Stack) -> None:
    out = Path(tempfile.mkdtemp(prefix="pycompose-test-out-"))
    subprocess.run(["mount", "-t", "tmpfs", "pycompose-test", str(out)], check=True)
    try:
        subprocess.run(["mount", "--make-shared", str(out)], check=True)
        (stack.project / "compose.yaml").write_text(SUBPATH.format(out=out))
        stack.ok("up", "-d")
        eventually(lambda: (out / "listing").exists() and (out / "listing").read_text() == "f\n",
                   what="the app's listing of the volume's logs directory alone")
        (out / "late").mkdir()
        subprocess.run(["mount", "-t", "tmpfs", "late", str(out / "late")], check=True)
        seen = stack.ok("container", "exec", "demo-app-1", "grep", "-c", " /out/late ", "/proc/self/mountinfo")
        assert seen.stdout == "1\n"  # rslave: the host's later mount reached the container
        stack.ok("down", "-v", "-t", "0")
    finally:
        subprocess.run(["umount", "-R", str(out)], check=False)
        shutil.rmtree(out)
