"""`commit` of a 50 MB change: `pycompose container commit` against `docker commit`, side by side, in one run.

Both engines get the same busybox image (Debian's busybox-static, imported on each
side). Each round, each engine runs a container (`--network none`) that writes
50 MB of random data (which no layer store can deduplicate) into its root
filesystem and exits; then the commit of that stopped container into a new image
is timed, as a user runs it: the CLI, one process each. Rounds are interleaved and
each round's containers and images are removed before the next. Ours runs on
temporary roots; Docker is a private dockerd (tests/reference/dockerd.py, overlay2,
nothing else on the host touched). Prints the medians and the ratio ours/docker.
Needs root, busybox-static and docker.io (without it the docker column is left
out, loudly).

    python bench/commit_bench.py [--runs 5] [--mb 50]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.images.testing import busybox_rootfs, tar_dir  # noqa: E402
from tests.e2e.engine_env import Env  # noqa: E402
from tests.reference.dockerd import DockerdUnavailable, PrivateDockerd  # noqa: E402


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def writer(mb: int) -> list[str]:
    """The container's command: `mb` MiB of random data into /data."""
    return ["sh", "-c", f"head -c {mb << 20} /dev/urandom > /data && sync"]


def ours_round(env: Env, run: int, mb: int) -> float:
    name, image = f"commit-bench-{run}", f"bench/commit:{run}"
    done = env.cli("run", "--name", name, "busybox", *writer(mb), timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"pycompose container run: {done.stderr.strip()}")

    def commit() -> None:
        made = env.cli("commit", name, image, timeout=300)
        if made.returncode != 0:
            raise RuntimeError(f"pycompose container commit: {made.stderr.strip()}")

    took = timed(commit)
    env.cli("rm", name)
    env.pycompose("image", "rm", image)
    return took


def docker_round(dockerd: PrivateDockerd, run: int, mb: int) -> float:
    name, image = f"commit-bench-{run}", f"bench/commit:{run}"
    dockerd.docker("run", "--network", "none", "--name", name, "busybox", *writer(mb))
    took = timed(lambda: dockerd.docker("commit", name, image))
    dockerd.docker("rm", name)
    dockerd.docker("rmi", image)
    return took


def start_dockerd(rootfs_tar: Path) -> PrivateDockerd | None:
    """The reference daemon with busybox imported, or None after saying loudly why there is no docker column."""
    try:
        dockerd = PrivateDockerd.start()
    except DockerdUnavailable as err:
        print(f"commit_bench: NO DOCKER COLUMN: {err}", file=sys.stderr)
        return None
    dockerd.docker("import", str(rootfs_tar), "busybox")
    return dockerd


def report(times: dict[str, list[float]], runs: int, mb: int) -> None:
    ours = statistics.median(times["ours"])
    print(f"commit of a {mb} MB change (median of {runs}, seconds)")
    print(f"{'':8}{'ours':>10}{'docker':>10}{'ratio':>8}")
    if times["docker"]:
        theirs = statistics.median(times["docker"])
        print(f"{'commit':8}{ours:10.3f}{theirs:10.3f}{ours / theirs:8.2f}")
    else:
        print(f"{'commit':8}{ours:10.3f}{'-':>10}{'-':>8}")
    print(f"ours: {mb * 1.048576 / ours:.0f} MB/s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--mb", type=int, default=50)
    args = parser.parse_args()
    if os.geteuid() != 0 or shutil.which("busybox") is None:
        sys.exit("commit_bench: needs root and busybox-static (apt-get install -y busybox-static docker.io)")
    work = Path(tempfile.mkdtemp(prefix="pycompose-commit-bench-"))
    env, dockerd = Env(), None
    try:
        rootfs_tar = tar_dir(busybox_rootfs(work / "rootfs"), work / "rootfs.tar")
        env.import_busybox()
        dockerd = start_dockerd(rootfs_tar)
        times: dict[str, list[float]] = {"ours": [], "docker": []}
        for run in range(args.runs):
            times["ours"].append(ours_round(env, run, args.mb))
            if dockerd is not None:
                times["docker"].append(docker_round(dockerd, run, args.mb))
        report(times, args.runs, args.mb)
    finally:
        if dockerd is not None:
            dockerd.stop()
        env.close()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
