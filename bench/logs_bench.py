"""200,000 lines of 80 bytes through the supervisor into a json-file log, then read back.

    python bench/logs_bench.py [--lines 200000] [--runs 3]

A container (`awk`, through the `process` launcher) prints the lines; the figure
"write" is from start to the exit being recorded with every line in the log,
"read" is `engine.logs.read` of the whole log plus joining the text, as `logs`
prints it. Docker (`docker logs`) is not run side by side yet: it needs dockerd
started by hand on this host. Exit status 1 when reading
takes a second or more.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine import logs  # noqa: E402
from engine.state import ContainerConfig, ContainerRecord, Store, new_id  # noqa: E402
from engine.supervisor.client import Supervisor  # noqa: E402

AWK = 'BEGIN { for (i = 0; i < %d; i++) printf "%%079d\\n", i }'


def one_run(store: Store, sup: Supervisor, lines: int, n: int) -> tuple[float, float]:
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
    store.remove(record.id)
    return wrote, read


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    state, run = tempfile.mkdtemp(prefix="pycompose-test-"), tempfile.mkdtemp(prefix="pycompose-test-")
    store, sup = Store(state), Supervisor(state, run)
    try:
        sup.ensure()
        figures = [one_run(store, sup, args.lines, n) for n in range(args.runs)]
    finally:
        sup.shutdown()
        shutil.rmtree(state, ignore_errors=True)
        shutil.rmtree(run, ignore_errors=True)
    write = statistics.median(w for w, _ in figures)
    read = statistics.median(r for _, r in figures)
    print(f"{args.lines} lines of 80 bytes, median of {args.runs}:")
    print(f"  pycompose  write through the supervisor {write:.3f}s   read back {read:.3f}s")
    print("  docker     not measured (dockerd not started by this script)")
    return 0 if read < 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
