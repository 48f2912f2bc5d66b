"""`pycompose cp`, `wait`, `commit`, `export`, `scale`, `stats` and `up --scale` on a small stack, checked as a
user would: files land where Compose puts them, wait prints and returns exit codes, an exported tar holds the
container's changes, a committed image runs with them, scale adds and removes numbered containers."""

from __future__ import annotations

import io
import json
import tarfile

import pytest

from tests.e2e.stack import open_stack

STACK = """\
services:
  box:
    image: busybox
    command: ["sh", "-c", "echo inside > /made.txt; exec sleep 300"]
    stop_signal: SIGKILL
  job:
    image: busybox
    command: ["sh", "-c", "sleep 0.3; exit 3"]
    profiles: [jobs]
"""


@pytest.fixture(scope="module")
def stack():  # type: ignore[no-untyped-def]
    made = next(gen := open_stack("tests/e2e/test_compose_cp_wait_export.py", STACK))
    made.ok("up", "-d")
    yield made
    next(gen, None)


def test_cp_both_ways_and_refusals(stack, tmp_path):  # type: ignore[no-untyped-def]
    (tmp_path / "hello.txt").write_text("from the host\n")
    done = stack.ok("cp", str(tmp_path / "hello.txt"), "box:/tmp/")
    assert "Container demo-box-1  Copied" in done.stderr
    assert stack.ok("exec", "box", "cat", "/tmp/hello.txt").stdout == "from the host\n"
    stack.ok("cp", "box:/made.txt", str(tmp_path / "back.txt"))
    assert (tmp_path / "back.txt").read_text() == "inside\n"
    streamed = stack.ok("cp", "box:/made.txt", "-")  # a tar stream on stdout
    with tarfile.open(fileobj=io.BytesIO(streamed.stdout.encode("latin-1")), mode="r|") as tar:
        assert [m.name for m in tar] == ["made.txt"]
    across = stack.cli("cp", "box:/made.txt", "box:/tmp/x")
    assert across.returncode != 0 and "copying between services is not supported" in across.stderr
    unknown = stack.cli("cp", "nosuch:/x", str(tmp_path))
    assert unknown.returncode != 0 and "nosuch" in unknown.stderr


def test_export_and_commit_carry_the_containers_changes(stack, tmp_path):  # type: ignore[no-untyped-def]
    stack.ok("export", "box", "-o", str(tmp_path / "box.tar"))
    with tarfile.open(tmp_path / "box.tar") as tar:
        names = tar.getnames()
        assert tar.extractfile("made.txt").read() == b"inside\n"  # type: ignore[union-attr]
    assert "bin/busybox" in names and not any(n.startswith(("/", "./", "proc/1")) for n in names)
    image = stack.ok("commit", "box", "snap:1").stdout.strip()
    assert image.startswith("sha256:")
    run = stack.ok("container", "run", "--rm", "snap:1", "cat", "/made.txt")
    assert run.stdout == "inside\n"


def test_wait_prints_each_exit_and_returns_the_code(stack):  # type: ignore[no-untyped-def]
    stack.ok("--profile", "jobs", "up", "-d", "job")
    ids = {json.loads(line)["Service"]: json.loads(line)["ID"]
           for line in stack.ok("--profile", "jobs", "ps", "-a", "--format", "json").stdout.splitlines()}
    waited = stack.cli("--profile", "jobs", "wait", "job")
    assert waited.returncode == 3, waited.stderr
    assert waited.stdout.startswith('container "') and waited.stdout.endswith('" exited with status code 3\n')
    assert ids["job"][:12] in waited.stdout
    stack.ok("--profile", "jobs", "rm", "-f", "job")


def test_scale_and_up_scale_add_and_remove_numbered_containers(stack):  # type: ignore[no-untyped-def]
    def numbers() -> list[str]:
        rows = [json.loads(line) for line in stack.ok("ps", "--format", "json").stdout.splitlines()]
        return sorted(row["Name"] for row in rows if row["Service"] == "box")

    stack.ok("scale", "box=3")
    assert numbers() == ["demo-box-1", "demo-box-2", "demo-box-3"]
    stack.ok("up", "-d", "--scale", "box=2")
    assert numbers() == ["demo-box-1", "demo-box-2"]
    bad = stack.cli("up", "-d", "--scale", "box")
    assert bad.returncode != 0 and "invalid --scale option 'box'. Should be SERVICE=NUM" in bad.stderr
    stack.ok("up", "-d", "--scale", "box=1")
    assert numbers() == ["demo-box-1"]


def test_stats_lists_the_projects_containers_once(stack):  # type: ignore[no-untyped-def]
    rows = [json.loads(line) for line in stack.ok("stats", "--no-stream", "--format", "json").stdout.splitlines()]
    assert [row["Name"] for row in rows] == ["demo-box-1"]
    assert rows[0]["PIDs"] != "0"
    assert len(rows[0]["Container"]) == 64 and rows[0]["ID"] == rows[0]["Container"][:12]  # the full id, as Compose
