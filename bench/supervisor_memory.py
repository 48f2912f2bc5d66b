"""Memory per running container: PSS of all pycompose processes / containers, against podman's conmon.

    python bench/supervisor_memory.py [--containers 30] [--runtime native|runc]

Imports busybox into temporary roots, runs N containers (`sleep 600`, restart
always) through the engine's ContainerService, and sums Pss (from
/proc/<pid>/smaps_rollup) over every pycompose process: each process whose
command line names the run root (the shared supervisor, and any per-container
process such as a runtime or shim left resident). The containers' own programs
are not counted. Reference: conmon, about 0.46 MB PSS per container on this host
(measured with podman). Everything is removed at the end. Exit status 1 when the
figure is not below the reference.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CONMON_MB = 0.46


def pss_kb(pid: int) -> int:
    try:
        lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in lines if line.startswith("Pss:")), 0)


def pycompose_processes(run_root: str) -> dict[int, str]:
    """pid -> command line of every process whose command line names `run_root`."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            argv = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(run_root in arg.decode(errors="replace") for arg in argv):
            found[int(entry)] = " ".join(a.decode(errors="replace") for a in argv if a)
    return found


def main() -> int:
    from engine.cgroups.manager import Cgroup
    from engine.containers.options import RunOptions
    from engine.containers.service import ContainerService
    from engine.images.snapshots.mounts import unmount
    from engine.images.testing import mounts_under
    from engine.roots import Roots

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--containers", type=int, default=30)
    parser.add_argument("--runtime", default="native", choices=("native", "runc"))
    args = parser.parse_args()
    state, run = Path(tempfile.mkdtemp(prefix="pycompose-bench-")), Path(tempfile.mkdtemp(prefix="pycompose-bench-"))
    svc = ContainerService(Roots(state, run))
    try:
        from engine.images.testing import import_busybox

        import_busybox(state)
        for n in range(args.containers):
            record = svc.create(RunOptions(image="busybox", command=("sleep", "600"), name=f"sleep-{n}",
                                           network="none", restart="always", runtime=args.runtime))
            svc.start(record.id)
        procs = pycompose_processes(str(run))
        sizes = {pid: pss_kb(pid) for pid in procs}
        supervisor = svc.supervisor.pid()
        total = sum(sizes.values())
        others = [pid for pid in procs if pid != supervisor]
        per = total / 1024 / args.containers
        print(f"{args.containers} running containers, runtime {args.runtime}")
        print(f"supervisor pid {supervisor}: PSS {sizes.get(supervisor or 0, 0) / 1024:.2f} MB")
        print(f"other pycompose processes: {len(others)}, PSS {sum(sizes[p] for p in others) / 1024:.2f} MB")
        print(f"all pycompose processes: {len(procs)}, PSS {total / 1024:.2f} MB")
        print(f"per container: {per:.3f} MB   conmon: {CONMON_MB:.2f} MB   ratio {per / CONMON_MB:.2f}x")
        return 0 if per < CONMON_MB else 1
    finally:
        for record in svc.store.list():
            try:
                svc.remove(record.id, force=True)
            except Exception as e:  # noqa: BLE001 - one broken container must not keep the others
                print(f"remove {record.name}: {e}", file=sys.stderr)
        svc.supervisor.shutdown()
        for target in sorted(mounts_under(state) + mounts_under(run), key=len, reverse=True):
            unmount(target)
        Cgroup("pycompose/none").remove(parents=True)
        shutil.rmtree(state, ignore_errors=True)
        shutil.rmtree(run, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
