"""Benchmark: our pull against `skopeo copy`, from a docker-registry on 127.0.0.1, side by side, in one run.

Starts Debian's `docker-registry` on a free 127.0.0.1 port with a temporary storage
directory, pushes a ~150 MB image of 5 layers to it (a busybox-static layer and four
layers of random data, which gzip cannot shrink), then pulls it N times each way,
interleaved: cold (into an empty directory) and warm (into one that has every blob
already). Ours writes into a DirectorySink; skopeo into an OCI layout. Prints the
median wall time of each and the ratio ours/skopeo. The registry stops at the end.

    python bench/pull_bench.py [--runs N] [--mb 150] [--jobs 3]
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.registry import DirectorySink, RegistryClient  # noqa: E402
from tests.integration.engine.conftest_registry import Registry, add_image, tar_gz_layer  # noqa: E402


def make_layers(total_mb: int) -> list[bytes]:
    layers = [tar_gz_layer({"bin/busybox": Path("/bin/busybox").read_bytes()})]
    each = total_mb * 1024 * 1024 // 4
    layers += [tar_gz_layer({f"data/{i}": os.urandom(each)}, level=1) for i in range(4)]
    return layers


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--mb", type=int, default=150)
    parser.add_argument("--jobs", type=int, default=3)
    args = parser.parse_args()
    for tool in ("docker-registry", "skopeo"):
        if shutil.which(tool) is None:
            sys.exit(f"pull_bench: {tool} is missing (apt-get install -y docker-registry skopeo busybox-static)")
    work = Path(tempfile.mkdtemp(prefix="pull-bench-"))
    registry = Registry.start(work / "registry")
    try:
        source = DirectorySink(work / "source")
        layers = make_layers(args.mb)
        size = sum(len(layer) for layer in layers)
        digest, _ = add_image(source, layers)
        reference = f"{registry.host}/bench/big:v1"
        with RegistryClient(config_dir=work / "config", jobs=args.jobs) as client:
            push_time = timed(lambda: client.push(reference, source, digest))
        print(f"image: {len(layers)} layers, {size / 1e6:.0f} MB; pushed by us in {push_time:.2f} s")
        times: dict[str, list[float]] = {k: [] for k in ("ours cold", "skopeo cold", "ours warm", "skopeo warm")}
        for run in range(args.runs):
            ours, theirs = work / f"ours-{run}", work / f"skopeo-{run}"
            skopeo = ["skopeo", "copy", "--quiet", "--src-tls-verify=false", f"docker://{reference}",
                      f"oci:{theirs}:v1"]
            with RegistryClient(config_dir=work / "config", jobs=args.jobs) as client:
                times["ours cold"].append(timed(lambda: client.pull(reference, DirectorySink(ours))))
            times["skopeo cold"].append(timed(lambda: subprocess.run(skopeo, check=True)))
            with RegistryClient(config_dir=work / "config", jobs=args.jobs) as client:
                times["ours warm"].append(timed(lambda: client.pull(reference, DirectorySink(ours))))
            times["skopeo warm"].append(timed(lambda: subprocess.run(skopeo, check=True)))
            shutil.rmtree(ours)
            shutil.rmtree(theirs)
        print(f"{'':12}{'ours':>10}{'skopeo':>10}{'ratio':>8}   (median of {args.runs}, seconds)")
        for kind in ("cold", "warm"):
            a, b = statistics.median(times[f"ours {kind}"]), statistics.median(times[f"skopeo {kind}"])
            print(f"{kind:12}{a:10.3f}{b:10.3f}{a / b:8.2f}")
        cold = statistics.median(times["ours cold"])
        print(f"ours cold: {size / cold / 1e6:.0f} MB/s")
    finally:
        registry.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
