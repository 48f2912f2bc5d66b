"""Layer unpack throughput: pycompose's LayerStore against `tar -x`, medians side by side.

The layer is ~150 MB: a Debian root filesystem made with `debootstrap` when asked
(`--debootstrap`, needs the Debian mirror apt uses), else a synthetic tree shaped
like one (many small files, some large, symlinks, hard links). Both tools unpack
the same uncompressed tar into fresh directories on the same file system; ours
also hashes the stream (the diff_id) and applies ownership, modes, mtimes and
xattrs, as `tar -x -p --xattrs --numeric-owner` does. Needs root.

    python bench/unpack_bench.py [--runs 5] [--debootstrap] [--gzip]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.images.layers import LayerStore  # noqa: E402

CACHE = Path(tempfile.gettempdir()) / "pycompose-bench-cache"


def synthetic_tree(root: Path, target_mb: int = 150) -> None:
    rng = random.Random(42)
    total, n = 0, 0
    while total < target_mb << 20:
        d = root / f"usr/share/pkg{n // 200}" / f"sub{n % 7}"
        d.mkdir(parents=True, exist_ok=True)
        size = rng.choice([200, 1500, 4000, 12000, 30000]) if n % 500 else 4 << 20
        data = rng.randbytes(size // 2) * 2  # half compressible, like binaries and text
        (d / f"file{n}").write_bytes(data)
        if n % 50 == 0:
            (d / f"link{n}").symlink_to(f"file{n}")
        if n % 97 == 0:
            os.link(d / f"file{n}", d / f"hard{n}")
        total += size
        n += 1


def make_layer(use_debootstrap: bool) -> Path:
    CACHE.mkdir(exist_ok=True)
    kind = "debootstrap" if use_debootstrap else "synthetic"
    layer = CACHE / f"{kind}.tar"
    if layer.exists():
        return layer
    tree = CACHE / f"{kind}-tree"
    shutil.rmtree(tree, ignore_errors=True)
    tree.mkdir()
    if use_debootstrap:
        subprocess.run(["debootstrap", "--variant=minbase", "stable", str(tree)], check=True,
                       stdout=subprocess.DEVNULL)
    else:
        synthetic_tree(tree)
    subprocess.run(["tar", "-C", str(tree), "--numeric-owner", "--xattrs", "-cf", str(layer), "."], check=True)
    shutil.rmtree(tree)
    return layer


def time_ours(layer: Path, work: Path) -> float:
    store = LayerStore(work / "layers")
    t0 = time.perf_counter()
    with open(layer, "rb") as f:
        store.add(f, "bench")
    return time.perf_counter() - t0


def time_tar(layer: Path, work: Path) -> float:
    dest = work / "tar"
    dest.mkdir()
    t0 = time.perf_counter()
    decompress = ["-z"] if layer.suffix == ".gz" else []
    subprocess.run(["tar", "-C", str(dest), *decompress, "-x", "-p", "--xattrs", "--numeric-owner", "-f",
                    str(layer)], check=True)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--debootstrap", action="store_true")
    parser.add_argument("--gzip", action="store_true", help="unpack a gzip-compressed layer")
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("unpack_bench needs root (ownership, device nodes)")
    layer = make_layer(args.debootstrap)
    if args.gzip:
        gz = layer.with_suffix(".tar.gz")
        if not gz.exists():
            subprocess.run(f"gzip -1 -c {layer} > {gz}", shell=True, check=True)
        layer = gz
    mb = layer.stat().st_size / 1e6
    results: dict[str, list[float]] = {"pycompose": [], "tar -x": []}
    for _ in range(args.runs):
        for name, fn in (("pycompose", time_ours), ("tar -x", time_tar)):
            work = Path(tempfile.mkdtemp(prefix="pycompose-bench-"))
            try:
                subprocess.run(["sync"], check=True)
                results[name].append(fn(layer, work))
            finally:
                shutil.rmtree(work)
    print(f"layer: {layer.name}, {mb:.0f} MB, {args.runs} runs each")
    print(f"{'tool':<12}{'median s':>10}{'MB/s':>10}")
    for name, times in results.items():
        med = statistics.median(times)
        print(f"{name:<12}{med:>10.2f}{mb / med:>10.0f}")


if __name__ == "__main__":
    main()
