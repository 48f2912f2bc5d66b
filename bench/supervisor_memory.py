"""PSS of the shared supervisor per supervised container, against podman's conmon (one per container).

    python bench/supervisor_memory.py [--containers 30]

Starts the supervisor on temporary roots, supervises N `sleep` processes (the
`process` launcher: the figure is the supervisor's own, whatever runs inside),
reads Pss from /proc/<pid>/smaps_rollup, and prints PSS / N. Reference: conmon,
about 0.46 MB PSS per container on this host (measured with podman). The
containers and the supervisor are stopped and the roots removed at the end. Exit
status 1 when the figure is not below the reference.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.state import ContainerConfig, ContainerRecord, Store, new_id  # noqa: E402
from engine.state.liveness import start_time  # noqa: E402
from engine.supervisor.client import Supervisor  # noqa: E402

CONMON_MB = 0.46


def pss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    raise RuntimeError(f"no Pss for {pid}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--containers", type=int, default=30)
    args = parser.parse_args()
    state, run = tempfile.mkdtemp(prefix="pycompose-test-"), tempfile.mkdtemp(prefix="pycompose-test-")
    store, sup = Store(state), Supervisor(state, run)
    ids = []
    try:
        pid = sup.ensure()
        idle = pss_kb(pid)
        for n in range(args.containers):
            record = store.create(ContainerRecord(id=new_id(), name=f"sleep-{n}", config=ContainerConfig(
                launch={"argv": ["sleep", "600"]}, restart="always")))
            sup.start(record.id)
            ids.append(record.id)
        busy = pss_kb(pid)
        per = busy / 1024 / args.containers
        print(f"supervisor pid {pid}: PSS {idle / 1024:.2f} MB idle, {busy / 1024:.2f} MB with "
              f"{args.containers} containers")
        print(f"per container: {per:.3f} MB   conmon: {CONMON_MB:.2f} MB   ratio {per / CONMON_MB:.2f}x")
        return 0 if per < CONMON_MB else 1
    finally:
        for cid in ids:
            sup.stop(cid, timeout=2)
        for record in store.list():  # anything a failed stop left
            if record.pid and start_time(record.pid) == record.pid_start:
                os.kill(record.pid, signal.SIGKILL)
        sup.shutdown()
        shutil.rmtree(state, ignore_errors=True)
        shutil.rmtree(run, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
