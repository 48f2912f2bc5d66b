"""`run` of one busybox bundle running `true`: the native runtime against `runc run` and `crun run`.

    sudo python bench/run_bench.py [--rounds 30]

Prints each runtime's median wall time side by side and the native/runc ratio (the
target is at most 2.5). Rounds are interleaved, so a busy machine slows all alike.
Needs root and busybox-static; runc and crun are measured when installed (crun
inside a private mount namespace without the hybrid cgroup2 mount, which crun 1.8
refuses: that wrapper is in its figure). Everything lives under one temporary
directory, removed at the end.
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

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

from engine.runtime import defaults  # noqa: E402


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    rounds = parser.parse_args().rounds
    if os.geteuid() != 0:
        print("run_bench.py needs root (namespaces, mounts)", file=sys.stderr)
        return 2
    where = tempfile.mkdtemp(prefix="pycompose-bench-")
    try:
        bundle = make_bundle(where)
        runtimes = commands(where)
        for name in ("runc", "crun"):
            if name not in runtimes:
                print(f"SKIPPED {name}: not installed (apt-get install -y {name})")
        # An installed runtime has its bytecode cached: let it be, in the temporary directory.
        env = dict(os.environ, PYTHONPATH=REPO, PYTHONPYCACHEPREFIX=os.path.join(where, "pycache"))
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        times: dict[str, list[float]] = {name: [] for name in runtimes}
        for i in range(rounds + 2):
            for name, argv in runtimes.items():
                began = time.perf_counter()
                done = subprocess.run([*argv, f"bench{i}"], cwd=bundle, env=env, capture_output=True, check=False)
                took = time.perf_counter() - began
                if done.returncode != 0:
                    print(f"{name} failed: {done.stderr.decode().strip()}", file=sys.stderr)
                    return 1
                if i >= 2:  # the first two rounds warm caches
                    times[name].append(took)
        print(f"run of a busybox bundle running `true`, median of {rounds} (ms):")
        medians = {name: statistics.median(t) * 1000 for name, t in times.items()}
        for name, median in medians.items():
            print(f"  {name:<8}{median:8.1f}")
        if "runc" in medians:
            print(f"  native/runc = {medians['native'] / medians['runc']:.2f} (target <= 2.5)")
        return 0
    finally:
        shutil.rmtree(where, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
