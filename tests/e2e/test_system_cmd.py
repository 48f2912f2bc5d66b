"""`pycompose system info|df|prune` end to end, on the busybox image of tests/e2e/engine_env's `Env`.

Needs root. What a user checks: info counts the containers and images made here and names
the storage and cgroup drivers; df counts them with their sizes; prune asks first (nothing
goes on "n"), then with -f removes the stopped container and the dangling image (a running
one and a named image stay) and says how much space came back.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

from tests.e2e.engine_env import REPO


def ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, done.stderr
    return done.stdout


def df_rows(cli) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]  # noqa: F811
    lines = ok(cli.pycompose("system", "df")).splitlines()
    assert re.split(r"  +", lines[0]) == ["TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"]
    return {cells[0]: cells[1:] for cells in (re.split(r"  +", line) for line in lines[1:])}


def test_info_counts_what_the_engine_holds(cli) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    ok(cli.cli("run", "-d", "--name", "up", "busybox", "sleep", "300"))
    ok(cli.cli("create", "--name", "idle", "busybox", "true"))
    facts = json.loads(ok(cli.pycompose("system", "info", "--format", "json")))
    assert (facts["Containers"], facts["ContainersRunning"], facts["ContainersStopped"]) == (2, 1, 1)
    assert facts["Images"] == 1 and facts["DockerRootDir"] == str(cli.state)
    assert facts["Driver"] in ("overlay2", "copy") and facts["CgroupDriver"] == "cgroupfs"
    text = ok(cli.pycompose("system", "info"))
    assert " Containers: 2\n  Running: 1\n  Paused: 0\n  Stopped: 1\n Images: 1\n" in text
    assert re.search(r" Cgroup Version: (1|2)", text) and " Kernel Version: " in text


def test_df_counts_what_the_test_made(cli) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    before = df_rows(cli)
    assert before["Containers"][:2] == ["0", "0"] and before["Images"][:2] == ["1", "0"]
    ok(cli.cli("run", "-d", "--name", "up", "-v", "data:/data", "busybox", "sh", "-c",
               "head -c 50000 /dev/zero > /data/blob && sleep 300"))
    ok(cli.cli("run", "--name", "writer", "busybox", "sh", "-c", "head -c 100000 /dev/zero > /big"))
    rows = df_rows(cli)
    assert rows["Images"][:2] == ["1", "1"] and rows["Images"][3] == "0B (0%)"  # busybox is used
    assert rows["Containers"][:3] == ["2", "1", "100kB"]  # the writer's layer, stopped: reclaimable
    assert rows["Containers"][3] == "100kB (100%)"
    assert rows["Local Volumes"][:2] == ["1", "1"]
    assert rows["Build Cache"] == ["0", "0", "0B", "0B"]
    verbose = ok(cli.pycompose("system", "df", "-v"))
    assert "Images space usage:" in verbose and re.search(r"\nbusybox +latest ", verbose)
    assert re.search(r"writer\n", verbose) and re.search(r"\ndata +1 +50kB\n", verbose)
    ok(cli.cli("rm", "-f", "up"))
    ok(cli.pycompose("volume", "rm", "data"))


def test_prune_asks_then_removes_the_stopped_and_the_dangling(cli) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    running = ok(cli.cli("run", "-d", "--name", "keep", "busybox", "sleep", "300")).strip()
    ok(cli.cli("run", "--name", "gone", "busybox", "sh", "-c", "head -c 100000 /dev/zero > /big"))
    stopped = json.loads(ok(cli.cli("inspect", "gone")))[0]["Id"]
    dangling = ok(cli.cli("commit", "gone")).strip()  # no name: dangling, and no container uses it

    asked = subprocess.run([sys.executable, "-m", "compose.cli.main", "system", "prune"], cwd=REPO, env=cli.environ,
                           input="n\n", capture_output=True, text=True, check=False)
    assert asked.returncode == 0 and "WARNING! This will remove:\n  - all stopped containers\n" in asked.stderr
    assert "  - all dangling images\n" in asked.stderr and "Are you sure you want to continue? [y/N]" in asked.stderr
    assert len(ok(cli.cli("ls", "-aq")).split()) == 2

    out = ok(cli.pycompose("system", "prune", "-f"))
    assert f"Deleted Containers:\n{stopped}\n" in out
    assert f"Deleted Images:\ndeleted: {dangling}\n" in out
    reclaimed = re.search(r"Total reclaimed space: ([\d.]+)(B|kB|MB)\n$", out)
    assert reclaimed is not None and reclaimed.group(2) == "kB" and float(reclaimed.group(1)) >= 200  # layer + image
    assert ok(cli.cli("ls", "-aq")).split() == [running[:12]]
    images = ok(cli.pycompose("image", "ls", "-q")).split()
    assert dangling.removeprefix("sha256:")[:12] not in images and len(images) == 1  # busybox stays: it is used

    again = ok(cli.pycompose("system", "prune", "-f"))
    assert again == "Total reclaimed space: 0B\n"
