"""`pycompose container top|stats|cp` end to end, on the busybox image of test_container_cmd's `Env`.

Needs root. What a user checks: top lists the container's processes; stats shows a memory
use and a PIDS count matching them, once or streamed until Ctrl-C; cp copies in (seen by
`exec cat`) and out (content and mode), directories, tar streams, a stopped container's
files, and no symlink of the container ever leads to the host's files.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from tests.e2e.engine_env import REPO
from tests.waiting import eventually

SHELL_LOOP = "sleep 300 & sleep 301 & while true; do sleep 1; done"


def ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, done.stderr
    return done.stdout


def _running(cli, name: str, command: str = SHELL_LOOP) -> str:  # type: ignore[no-untyped-def]  # noqa: F811
    return ok(cli.cli("run", "-d", "--name", name, "busybox", "sh", "-c", command)).strip()


def test_top_lists_the_containers_processes(cli) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    _running(cli, "toppy")
    lines = eventually(lambda: (out := ok(cli.cli("top", "toppy")).splitlines()) and
                       any("sleep 301" in line for line in out) and out, what="both sleeps in top")
    assert lines[0].split() == ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"]
    commands = [line[140:] for line in lines[1:]]  # eight columns of 20, CMD last
    assert "sleep 300" in commands and "sleep 301" in commands
    assert all(line.startswith("root") for line in lines[1:])


def test_stats_shows_memory_and_the_pids_of_the_container(cli) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    cid = _running(cli, "statsy")
    eventually(lambda: "sleep 301" in ok(cli.cli("top", "statsy")), what="the container's processes")
    row = json.loads(ok(cli.cli("stats", "--no-stream", "--format", "json", "statsy")))
    processes = len(ok(cli.cli("top", "statsy")).splitlines()) - 1
    assert row["ID"] == cid[:12] and row["Name"] == "statsy" and row["Container"] == "statsy"
    assert int(row["PIDs"]) == processes  # busybox: one thread each
    used, limit = row["MemUsage"].split(" / ")
    assert used != "0B" and used.endswith(("KiB", "MiB")) and limit.endswith("GiB")
    assert row["NetIO"] == "0B / 0B"  # --network none: loopback only
    assert row["CPUPerc"].endswith("%") and float(row["CPUPerc"][:-1]) >= 0

    table = ok(cli.cli("stats", "--no-stream")).splitlines()
    import re

    assert re.split(r"  +", table[0]) == ["CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O",
                                          "BLOCK I/O", "PIDS"]
    assert [line.split()[1] for line in table[1:]] == ["statsy"]
    ok(cli.cli("stop", "-t", "1", "statsy"))
    assert len(ok(cli.cli("stats", "--no-stream")).splitlines()) == 1  # running ones only: none
    stopped = ok(cli.cli("stats", "--no-stream", "-a")).splitlines()[1]
    assert "0B / 0B" in stopped and stopped.split()[-1] == "0"


def test_stats_streams_until_ctrl_c(cli) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    _running(cli, "streamy")
    proc = subprocess.Popen([sys.executable, "-m", "compose.cli.main", "container", "stats", "streamy"], cwd=REPO,
                            env=cli.environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        frames = 0
        while frames < 2:  # two screens: the refresh works
            line = proc.stdout.readline()
            assert line, proc.stderr.read() if proc.stderr else ""
            frames += "\033[2J" in line
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0 and "Traceback" not in err


def test_cp_in_and_out_keeps_content_and_mode(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    _running(cli, "cpy")
    src = tmp_path / "hello.txt"
    src.write_text("hello from the host\n")
    src.chmod(0o640)
    os.chown(src, 1234, 5678)
    done = cli.cli("cp", str(src), "cpy:/tmp/")
    assert done.returncode == 0 and done.stderr.startswith("Successfully copied "), done.stderr
    assert ok(cli.cli("exec", "cpy", "cat", "/tmp/hello.txt")) == "hello from the host\n"
    # without -a: the container's root owns it; the mode is kept
    assert ok(cli.cli("exec", "cpy", "stat", "-c", "%a %u:%g", "/tmp/hello.txt")).split() == ["640", "0:0"]
    ok(cli.cli("cp", "-a", str(src), "cpy:/tmp/kept.txt"))
    assert ok(cli.cli("exec", "cpy", "stat", "-c", "%u:%g", "/tmp/kept.txt")).strip() == "1234:5678"

    ok(cli.cli("exec", "cpy", "sh", "-c", "mkdir -p /srv/site/sub && echo page > /srv/site/sub/index.html && "
                                          "chmod 600 /srv/site/sub/index.html && ln -s sub/index.html /srv/site/l"))
    ok(cli.cli("cp", "cpy:/srv/site", str(tmp_path / "site")))
    copied = tmp_path / "site" / "sub" / "index.html"
    assert copied.read_text() == "page\n" and copied.stat().st_mode & 0o777 == 0o600
    assert os.readlink(tmp_path / "site" / "l") == "sub/index.html"
    ok(cli.cli("cp", "cpy:/srv/site/.", str(tmp_path / "site")))  # contents into an existing directory
    assert not (tmp_path / "site" / "site").exists()
    ok(cli.cli("cp", str(tmp_path / "site"), "cpy:/srv/again"))  # a directory in, under a new name
    assert ok(cli.cli("exec", "cpy", "cat", "/srv/again/sub/index.html")) == "page\n"


def test_cp_tar_streams_both_ways(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    _running(cli, "tarry")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo("from-tar/note")
        info.size, info.mode = 5, 0o604
        tar.addfile(info, io.BytesIO(b"note\n"))
    done = subprocess.run([sys.executable, "-m", "compose.cli.main", "container", "cp", "-", "tarry:/tmp"], cwd=REPO,
                          env=cli.environ, input=buffer.getvalue(), capture_output=True, check=False)
    assert done.returncode == 0, done.stderr
    assert ok(cli.cli("exec", "tarry", "cat", "/tmp/from-tar/note")) == "note\n"
    out = subprocess.run([sys.executable, "-m", "compose.cli.main", "container", "cp", "tarry:/tmp/from-tar", "-"],
                         cwd=REPO, env=cli.environ, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(out)) as tar:
        names = {m.name: m for m in tar.getmembers()}
        assert set(names) == {"from-tar", "from-tar/note"} and names["from-tar/note"].mode == 0o604
        assert tar.extractfile("from-tar/note").read() == b"note\n"  # type: ignore[union-attr]


def test_cp_never_leaves_the_container_by_a_symlink(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    _running(cli, "evil")
    host_shadow = Path("/etc/shadow").read_bytes()
    ok(cli.cli("exec", "evil", "sh", "-c", "echo container-shadow > /etc/shadow && ln -s /etc/shadow /abs && "
                                           "mkdir /d && ln -s ../../../../.. /d/up && ln -s /etc /etclink"))
    # a symlink is copied as a symlink; -L follows it inside the container
    ok(cli.cli("cp", "evil:/abs", str(tmp_path / "abs")))
    assert os.readlink(tmp_path / "abs") == "/etc/shadow"
    ok(cli.cli("cp", "-L", "evil:/abs", str(tmp_path / "followed")))
    assert (tmp_path / "followed").read_text() == "container-shadow\n"
    ok(cli.cli("cp", "evil:/d/up/etc/shadow", str(tmp_path / "climbed")))
    assert (tmp_path / "climbed").read_text() == "container-shadow\n"
    # writes through the container's symlinks land in the container
    marker = f"pycompose-cp-{os.getpid()}"
    (tmp_path / "payload").write_text("payload\n")
    ok(cli.cli("cp", str(tmp_path / "payload"), f"evil:/d/up/etc/{marker}"))
    ok(cli.cli("cp", str(tmp_path / "payload"), f"evil:/etclink/{marker}-2"))
    assert not Path("/etc", marker).exists() and not Path("/etc", f"{marker}-2").exists()
    assert ok(cli.cli("exec", "evil", "cat", f"/etc/{marker}", f"/etc/{marker}-2")) == "payload\npayload\n"
    assert Path("/etc/shadow").read_bytes() == host_shadow


def test_cp_to_and_from_a_stopped_container(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    ok(cli.cli("run", "--name", "done", "busybox", "sh", "-c", "echo made-while-running > /made"))
    ok(cli.cli("cp", "done:/made", str(tmp_path / "made")))
    assert (tmp_path / "made").read_text() == "made-while-running\n"
    (tmp_path / "later").write_text("copied while stopped\n")
    ok(cli.cli("cp", str(tmp_path / "later"), "done:/later"))
    ok(cli.cli("commit", "done", "withlater"))
    out = ok(cli.cli("run", "--rm", "withlater", "cat", "/later"))
    assert out == "copied while stopped\n"
    ok(cli.pycompose("image", "rm", "withlater"))


def test_cp_says_what_is_wrong(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    _running(cli, "wrong")
    missing = cli.cli("cp", "wrong:/no/such", str(tmp_path / "x"))
    assert missing.returncode != 0 and "no such" in missing.stderr.lower() and "Traceback" not in missing.stderr
    both = cli.cli("cp", str(tmp_path), str(tmp_path / "y"))
    assert both.returncode != 0 and "at least one container" in both.stderr


@pytest.fixture(autouse=True)
def _no_leftover_image(env):  # type: ignore[no-untyped-def]  # noqa: F811
    yield
    env.pycompose("image", "rm", "withlater")
