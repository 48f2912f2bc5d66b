"""`run` of one busybox bundle running `true`: the native runtime against `runc run`, `crun run` and
`docker run --rm`.

    sudo python bench/run_bench.py [--rounds 30]   (--runs is the same)

Prints each column's median wall time side by side, the native/runc ratio (target at most
2.5) and the ratios to `docker run` (target at most 0.25). Rounds are interleaved, so a
busy machine slows all alike. Needs root and busybox-static; runc and crun are measured
when installed (crun inside a private mount namespace without the hybrid cgroup2 mount,
which crun 1.8 refuses: that wrapper is in its figure).

The engine columns: `docker` is `docker run --rm --network none busybox true` against a
private dockerd (tests/reference/dockerd.py, the same rootfs imported as `busybox`), whose
figure holds the CLI, the daemon, containerd, its shim and runc; `pycompose` is the same
command line through the installed `pycompose` launcher's `container run --rm` (temporary
roots, the same rootfs; its warm CLI server, started by the first of the warm-up rounds, as
dockerd is started before docker's), so that the whole-engine figures are compared alike,
beside the bare runtimes. Docker is
skipped loudly when dockerd is not installed. Everything lives under one temporary
directory (and the daemon's own), removed at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

from engine.runtime import defaults  # noqa: E402
from tests.reference.dockerd import DockerdUnavailable, PrivateDockerd  # noqa: E402


def make_bundle(where: str) -> str:
    bundle = os.path.join(where, "bundle")
    os.makedirs(os.path.join(bundle, "rootfs", "bin"))
    busybox = shutil.which("busybox") or "/bin/busybox"
    shutil.copy(busybox, os.path.join(bundle, "rootfs", "bin", "busybox"))
    applets = subprocess.run([busybox, "--list"], capture_output=True, text=True, check=True).stdout.split()
    for name in applets:
        if name != "busybox":
            os.symlink("busybox", os.path.join(bundle, "rootfs", "bin", name))
    with open(os.path.join(bundle, "config.json"), "w") as f:
        json.dump(defaults.config(["true"]), f)
    return bundle


def commands(root: str) -> dict[str, list[str]]:
    native = [sys.executable, "-S", "-m", "engine.runtime", "--root", os.path.join(root, "native"), "run"]
    found = {"native": native}
    if shutil.which("runc"):
        found["runc"] = ["runc", "--root", os.path.join(root, "runc"), "run"]
    if shutil.which("crun"):
        crun = f"umount /sys/fs/cgroup/unified 2>/dev/null; exec crun --root {root}/crun run \"$0\""
        found["crun"] = ["unshare", "-m", "sh", "-c", crun]
    return found


def rootfs_tar(bundle: str, where: str) -> str:
    """The bundle's rootfs as a tar, for `docker import` and pycompose's `import_rootfs`."""
    import tarfile

    path = os.path.join(where, "rootfs.tar")
    with tarfile.open(path, "w") as tar:
        tar.add(os.path.join(bundle, "rootfs"), arcname=".")
    return path


def engines(where: str, tar: str) -> tuple[dict[str, list[str]], dict[str, dict[str, str]], PrivateDockerd | None]:
    """The whole-engine commands (pycompose, docker), their environments, and the daemon to stop."""
    from engine.images.archives.importer import import_rootfs
    from engine.images.images import ImageService

    state, run = os.path.join(where, "pycompose-state"), os.path.join(where, "pycompose-run")
    with open(tar, "rb") as f:
        import_rootfs(ImageService(Path(state)), f, "busybox")
    launcher = shutil.which("pycompose") or "pycompose"  # as a user runs it: scripts/setup.sh installs it
    argv = {"pycompose": [launcher, "container", "run", "--rm", "--network", "none", "busybox", "true"]}
    environ = {"pycompose": {"PYCOMPOSE_ROOT": state, "PYCOMPOSE_RUN_ROOT": run,
                             "PYCOMPOSE_WARM_DIR": os.path.join(where, "pycompose-cli")}}
    try:
        dockerd = PrivateDockerd.start()
    except DockerdUnavailable as err:
        print(f"SKIPPED docker: {err}")
        return argv, environ, None
    dockerd.docker("import", tar, "busybox")
    argv["docker"] = [dockerd.docker_binary, "run", "--rm", "--network", "none", "busybox", "true"]
    environ["docker"] = dockerd.environ
    return argv, environ, dockerd


def stop_engines(where: str, dockerd: PrivateDockerd | None) -> None:
    from compose.cli.warm import stop_servers
    from engine.containers.service import ContainerService
    from engine.roots import Roots

    stop_servers(os.path.join(where, "pycompose-cli"))
    if dockerd is not None:
        dockerd.stop()
    state = Path(where, "pycompose-state")
    if state.is_dir():
        ContainerService(Roots(state, Path(where, "pycompose-run"))).stop_supervisor_if_idle()


def report(times: dict[str, list[float]], rounds: int) -> None:
    print(f"run of a busybox bundle running `true`, median of {rounds} (ms):")
    medians = {name: statistics.median(t) * 1000 for name, t in times.items()}
    for name, median in medians.items():
        print(f"  {name:<10}{median:8.1f}")
    if "runc" in medians:
        print(f"  native/runc = {medians['native'] / medians['runc']:.2f} (target <= 2.5)")
    if "docker" in medians:
        print(f"  native/docker = {medians['native'] / medians['docker']:.2f} (target <= 0.25)")
        print(f"  pycompose/docker = {medians['pycompose'] / medians['docker']:.2f} (target <= 0.25)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", "--runs", type=int, default=30)
    rounds = parser.parse_args().rounds
    if os.geteuid() != 0:
        print("run_bench.py needs root (namespaces, mounts)", file=sys.stderr)
        return 2
    where = tempfile.mkdtemp(prefix="pycompose-bench-")
    dockerd = None
    try:
        bundle = make_bundle(where)
        runtimes = commands(where)
        for name in ("runc", "crun"):
            if name not in runtimes:
                print(f"SKIPPED {name}: not installed (apt-get install -y {name})")
        whole, environs, dockerd = engines(where, rootfs_tar(bundle, where))
        # An installed runtime has its bytecode cached: let it be, in the temporary directory.
        env = dict(os.environ, PYTHONPATH=REPO, PYTHONPYCACHEPREFIX=os.path.join(where, "pycache"))
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        columns = {name: ([*argv, "{i}"], env, bundle) for name, argv in runtimes.items()}
        columns |= {name: (argv, {**env, **environs[name]}, REPO) for name, argv in whole.items()}
        times: dict[str, list[float]] = {name: [] for name in columns}
        for i in range(rounds + 2):
            if i == 2:  # the first command started pycompose's warm CLI server: measure once it listens
                from compose.cli.warm import wait_for_server

                wait_for_server(os.path.join(where, "pycompose-cli"))
            for name, (argv, environ, cwd) in columns.items():
                began = time.perf_counter()
                done = subprocess.run([a.replace("{i}", f"bench{i}") for a in argv], cwd=cwd, env=environ,
                                      capture_output=True, check=False)
                took = time.perf_counter() - began
                if done.returncode != 0:
                    print(f"{name} failed: {done.stderr.decode().strip()}", file=sys.stderr)
                    return 1
                if i >= 2:  # the first two rounds warm caches
                    times[name].append(took)
        report(times, rounds)
        return 0
    finally:
        stop_engines(where, dockerd)
        shutil.rmtree(where, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
