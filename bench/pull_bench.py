"""Benchmark: our pull against `skopeo copy` and `docker pull`, from a docker-registry on 127.0.0.1, in one run.

Starts Debian's `docker-registry` on a free 127.0.0.1 port with a temporary storage
directory, pushes a ~150 MB image of 5 layers to it (a busybox-static layer and four
layers of random data, which gzip cannot shrink; with `--debian`, a debootstrap'd
Debian in five layers instead: bench/debian_layers.py), then pulls it N times each way,
interleaved, cold (nothing of the image present) and warm (every layer present).
Two comparisons, each between tools doing the same work:

- download only: our RegistryClient into a DirectorySink against `skopeo copy`
  into an OCI layout (blobs fetched and verified, nothing unpacked);
- pull into an engine: `pycompose image pull` (the CLI, on a temporary state root:
  blobs into the store, layers unpacked) against `docker pull` on a private dockerd
  (tests/reference/dockerd.py, overlay2, nothing else on the host touched). Cold
  runs start with the image removed from both (`docker rmi`, and the bench checks
  dockerd's layer database is empty; a fresh state root for ours).

Prints the median wall time of each and the ratios ours/skopeo and ours/docker
(targets: within 1.2x of skopeo, no slower than docker). Without dockerd the docker
column is left out, loudly. The registry and the daemon stop at the end.

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
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.debian_layers import debian_layers  # noqa: E402
from engine.registry import DirectorySink, RegistryClient  # noqa: E402
from tests.integration.engine.conftest_registry import Registry, add_image, tar_gz_layer  # noqa: E402
from tests.reference.dockerd import DockerdUnavailable, PrivateDockerd  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def make_layers(total_mb: int) -> list[bytes]:
    layers = [tar_gz_layer({"bin/busybox": Path("/bin/busybox").read_bytes()})]
    each = total_mb * 1024 * 1024 // 4
    layers += [tar_gz_layer({f"data/{i}": os.urandom(each)}, level=1) for i in range(4)]
    return layers


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def start_dockerd() -> PrivateDockerd | None:
    """The reference daemon, or None after saying loudly why there is no docker column."""
    try:
        return PrivateDockerd.start()
    except DockerdUnavailable as err:
        print(f"pull_bench: NO DOCKER COLUMN: {err}", file=sys.stderr)
        return None


class OurCli:
    """`pycompose image pull -q` as a user runs it, on a state root of its own (fresh for a cold pull)."""

    def __init__(self, work: Path):
        self.work = work
        self.root = work / "pycompose-state"
        self.env = {**os.environ, "PYTHONPATH": str(REPO), "DOCKER_CONFIG": str(work / "config"),
                    "PYCOMPOSE_ROOT": str(self.root), "PYCOMPOSE_RUN_ROOT": str(work / "pycompose-run")}

    def pull(self, reference: str) -> None:
        # The launcher scripts/setup.sh installs, as a user runs it (python -S, bytecode cached).
        launcher = shutil.which("pycompose") or sys.exit("pull_bench: run scripts/setup.sh first (no pycompose)")
        subprocess.run([launcher, "image", "pull", "-q", reference], check=True,
                       env=self.env, cwd=REPO, stdout=subprocess.DEVNULL)

    def forget(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def docker_forget(dockerd: PrivateDockerd, reference: str) -> None:
    """Remove the image and make sure its layers went with it, so the next pull is cold."""
    dockerd.docker("rmi", "-f", reference, check=False)
    left = dockerd.layers()
    if left:
        raise RuntimeError(f"dockerd still holds {len(left)} layers after `docker rmi {reference}`")


def one_round(reference: str, work: Path, run: int, jobs: int, cli: OurCli, dockerd: PrivateDockerd | None,
              times: dict[str, list[float]]) -> None:
    """Every tool cold, then every tool warm, interleaved, then everything removed."""
    ours, theirs = work / f"ours-{run}", work / f"skopeo-{run}"
    skopeo = ["skopeo", "copy", "--quiet", "--src-tls-verify=false", f"docker://{reference}", f"oci:{theirs}:v1"]
    for kind in ("cold", "warm"):
        with RegistryClient(config_dir=work / "config", jobs=jobs) as client:
            times[f"ours {kind}"].append(timed(lambda: client.pull(reference, DirectorySink(ours))))
        times[f"skopeo {kind}"].append(timed(lambda: subprocess.run(skopeo, check=True)))
        times[f"pycompose {kind}"].append(timed(lambda: cli.pull(reference)))
        if dockerd is not None:
            times[f"docker {kind}"].append(timed(lambda: dockerd.docker("pull", "-q", reference)))
    shutil.rmtree(ours)
    shutil.rmtree(theirs)
    cli.forget()
    if dockerd is not None:
        docker_forget(dockerd, reference)


def report(times: dict[str, list[float]], runs: int, size: int) -> None:
    def row(kind: str, a: str, b: str) -> str:
        if not times[f"{b} {kind}"]:
            return f"{kind:8}{statistics.median(times[f'{a} {kind}']):10.3f}{'-':>10}{'-':>8}"
        x, y = statistics.median(times[f"{a} {kind}"]), statistics.median(times[f"{b} {kind}"])
        return f"{kind:8}{x:10.3f}{y:10.3f}{x / y:8.2f}"

    print(f"download only: RegistryClient into a directory vs skopeo copy (median of {runs}, seconds)")
    print(f"{'':8}{'ours':>10}{'skopeo':>10}{'ratio':>8}")
    for kind in ("cold", "warm"):
        print(row(kind, "ours", "skopeo"))
    print(f"pull into the engine, layers unpacked: pycompose image pull vs docker pull (median of {runs}, seconds)")
    print(f"{'':8}{'ours':>10}{'docker':>10}{'ratio':>8}")
    for kind in ("cold", "warm"):
        print(row(kind, "pycompose", "docker"))
    cold = statistics.median(times["ours cold"])
    print(f"ours cold download: {size / cold / 1e6:.0f} MB/s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--mb", type=int, default=150)
    parser.add_argument("--jobs", type=int, default=3)
    parser.add_argument("--debian", action="store_true",
                        help="a debootstrap'd Debian in five layers (bench/debian_layers.py), not random data")
    args = parser.parse_args()
    for tool in ("docker-registry", "skopeo"):
        if shutil.which(tool) is None:
            sys.exit(f"pull_bench: {tool} is missing (apt-get install -y docker-registry skopeo busybox-static)")
    work = Path(tempfile.mkdtemp(prefix="pycompose-pull-bench-"))
    registry = Registry.start(work / "registry")
    dockerd = start_dockerd()
    try:
        source = DirectorySink(work / "source")
        layers = debian_layers() if args.debian else make_layers(args.mb)
        size = sum(len(layer) for layer in layers)
        digest, _ = add_image(source, layers)
        reference = f"{registry.host}/bench/big:v1"
        with RegistryClient(config_dir=work / "config", jobs=args.jobs) as client:
            push_time = timed(lambda: client.push(reference, source, digest))
        print(f"image: {len(layers)} layers, {size / 1e6:.0f} MB; pushed by us in {push_time:.2f} s")
        kinds = [f"{tool} {kind}" for tool in ("ours", "skopeo", "pycompose", "docker") for kind in ("cold", "warm")]
        times: dict[str, list[float]] = {k: [] for k in kinds}
        cli = OurCli(work)
        for run in range(args.runs):
            one_round(reference, work, run, args.jobs, cli, dockerd, times)
        report(times, args.runs, size)
    finally:
        if dockerd is not None:
            dockerd.stop()
        registry.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
