"""200,000 lines of 80 bytes through the supervisor into a json-file log, then read back; `docker logs` beside.

    sudo python bench/logs_bench.py [--lines 200000] [--runs 3]

A container (`awk`, through the `process` launcher) prints the lines; the figure
"write" is from start to the exit being recorded with every line in the log,
"read" is `engine.logs.read` of the whole log plus joining the text, as `logs`
prints it, and "logs CLI" is `pycompose container logs` of it into a pipe (a
whole process, as a user runs it).

The docker column: a private dockerd (tests/reference/dockerd.py, json-file logs),
`docker run --network none` of busybox's awk printing the same lines ("write", run
to exit), then `docker logs` of it into a pipe ("logs CLI"). Target: pycompose's
`logs` at least 2x faster than `docker logs`. Docker is skipped loudly when dockerd
is not installed. Exit status 1 when reading takes a second or more.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from engine import logs  # noqa: E402
from engine.state import ContainerConfig, ContainerRecord, Store, new_id  # noqa: E402
from engine.supervisor.client import Supervisor  # noqa: E402

AWK = 'BEGIN { for (i = 0; i < %d; i++) printf "%%079d\\n", i }'


def cli_logs(argv: list[str], env: dict[str, str], lines: int) -> float:
    """Seconds for a `logs` command line to print the whole log into a pipe (checked: every byte came)."""
    begun = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=REPO, capture_output=True, check=False)
    took = time.perf_counter() - begun
    assert done.returncode == 0, done.stderr.decode()
    assert len(done.stdout) == lines * 80, (argv, len(done.stdout))
    return took


def one_run(store: Store, sup: Supervisor, lines: int, n: int, env: dict[str, str]) -> tuple[float, float, float]:
    record = store.create(ContainerRecord(id=new_id(), name=f"bench-{n}", config=ContainerConfig(
        launch={"argv": ["awk", AWK % lines]})))
    begun = time.perf_counter()
    sup.start(record.id)
    assert sup.wait(record.id) == 0
    wrote = time.perf_counter() - begun
    begun = time.perf_counter()
    entries = logs.read(str(store.log_path(record.id)))
    text = "".join(e["log"] for e in entries)
    read = time.perf_counter() - begun
    assert len(entries) == lines and len(text) == lines * 80, (len(entries), len(text))
    cli = cli_logs([sys.executable, "-m", "compose.cli.main", "container", "logs", record.name], env, lines)
    store.remove(record.id)
    return wrote, read, cli


def docker_run(dockerd, lines: int, n: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    name = f"logs-bench-{n}"
    begun = time.perf_counter()
    dockerd.docker("run", "--network", "none", "--name", name, "busybox", "awk", AWK % lines)
    wrote = time.perf_counter() - begun
    read = cli_logs([dockerd.docker_binary, "logs", name], dockerd.environ, lines)
    dockerd.docker("rm", name)
    return wrote, read


def start_dockerd(work: Path):  # type: ignore[no-untyped-def]
    """The reference daemon with busybox imported, or None after saying loudly why there is no docker column."""
    from engine.images.testing import busybox_rootfs, tar_dir
    from tests.reference.dockerd import DockerdUnavailable, PrivateDockerd

    try:
        dockerd = PrivateDockerd.start()
    except DockerdUnavailable as err:
        print(f"logs_bench: NO DOCKER COLUMN: {err}", file=sys.stderr)
        return None
    dockerd.docker("import", str(tar_dir(busybox_rootfs(work / "rootfs"), work / "rootfs.tar")), "busybox")
    return dockerd


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    state, run = tempfile.mkdtemp(prefix="pycompose-test-"), tempfile.mkdtemp(prefix="pycompose-test-")
    work = Path(tempfile.mkdtemp(prefix="pycompose-test-"))
    store, sup = Store(state), Supervisor(state, run)
    dockerd = start_dockerd(work) if os.geteuid() == 0 else None
    if os.geteuid() != 0:
        print("logs_bench: NO DOCKER COLUMN: a private dockerd needs root", file=sys.stderr)
    figures, theirs = [], []
    env = dict(os.environ, PYCOMPOSE_ROOT=state, PYCOMPOSE_RUN_ROOT=run, PYTHONPATH=str(REPO))
    try:
        sup.ensure()
        for n in range(args.runs):  # interleaved: a busy machine slows both alike
            figures.append(one_run(store, sup, args.lines, n, env))
            if dockerd is not None:
                theirs.append(docker_run(dockerd, args.lines, n))
    finally:
        sup.shutdown()
        if dockerd is not None:
            dockerd.stop()
        for path in (state, run, work):
            shutil.rmtree(path, ignore_errors=True)
    write, read, cli = (statistics.median(f[i] for f in figures) for i in range(3))
    print(f"{args.lines} lines of 80 bytes, median of {args.runs}:")
    print(f"  pycompose  write through the supervisor {write:.3f}s   read back {read:.3f}s   "
          f"`container logs` {cli:.3f}s")
    if theirs:
        docker_write, docker_read = (statistics.median(t[i] for t in theirs) for i in range(2))
        print(f"  docker     docker run to exit        {docker_write:.3f}s                     "
              f"`docker logs` {docker_read:.3f}s")
        print(f"  docker logs / pycompose logs = {docker_read / cli:.2f}x (target >= 2)")
    else:
        print("  docker     not measured (see above)")
    return 0 if read < 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
