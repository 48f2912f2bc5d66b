"""`image build` of a five-step Dockerfile on a Debian base, cold and after one source file changed: pycompose
against `docker build` (Debian's docker.io 20.10, its legacy builder) and `buildah bud`, in one run.

The base is a debootstrap'd Debian bookworm (tests/reference/debian.py: bench/debian_layers'
cached root filesystem, five layers), imported by pycompose, saved as a `docker save` archive,
loaded by a private dockerd (tests/reference/dockerd.py) and pulled by buildah from that archive
into temporary storage (`--root`/`--runroot` under one temporary directory, removed at the end).
The Dockerfile (FROM, COPY, RUN, COPY, RUN) installs nothing: every RUN has no network.

Each round, each tool in turn: a cold build (`--no-cache`), then a build that fills the cache,
then one source file is changed and the rebuild timed (everything before `COPY src/` from the
cache, that COPY and the last RUN again). The CLI is timed, one process per build, as a user
runs it (the installed `pycompose` launcher, its warm CLI server started before anything is
timed, as dockerd is); buildah runs with `--layers` (its cache) and runc. Prints the medians, and the ratios of ours
to each reference. Targets (issue 8): cold no slower than either, the one-file rebuild at most
half of docker build's. The exit status is 1 when a target is missed. Needs root, debootstrap,
docker.io and buildah (a missing reference's column is left out, loudly).

    python bench/build_bench.py [--runs 3]
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

from tests.e2e.engine_env import Env  # noqa: E402
from tests.reference.debian import DebianUnavailable, import_debian, save_debian  # noqa: E402
from tests.reference.dockerd import DockerdUnavailable, PrivateDockerd  # noqa: E402

BASE = "bench/debian:bookworm"
DOCKERFILE = f"""\
FROM {BASE}
COPY deps.txt /app/deps.txt
RUN mkdir -p /app/deps && cd /app/deps && while read -r name size; do \\
      head -c "$size" /dev/zero | tr '\\\\0' x > "$name"; done < /app/deps.txt && sha256sum * > ../deps.sum
COPY src/ /app/src/
RUN cd /app && cat src/*.txt deps.sum | sha256sum > build.sum && tar -czf dist.tgz src deps
"""
SOURCES = 20
RUNC = shutil.which("runc") or "runc"  # buildah's default, crun 1.8 here, refuses hybrid cgroups; Docker uses runc too


def write_context(root: Path) -> Path:
    (root / "src").mkdir(parents=True)
    (root / "Dockerfile").write_text(DOCKERFILE)
    (root / "deps.txt").write_text("".join(f"dep{n} {200_000 + n}\n" for n in range(40)))
    for n in range(SOURCES):
        (root / "src" / f"module{n}.txt").write_text(f"module {n}\n" * 200)
    return root


def change_one(root: Path, run: int) -> None:
    with open(root / "src" / "module0.txt", "a") as f:
        f.write(f"changed in round {run} at {time.time_ns()}\n")


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def checked(argv: list[str], env: dict[str, str] | None = None, what: str = "") -> None:
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=1800, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{what or argv[0]}: exit {done.returncode}\n{done.stdout[-2000:]}{done.stderr[-2000:]}")


class Ours:
    name = "pycompose"

    def __init__(self, env: Env, work: Path):
        from compose.cli.warm import wait_for_server

        self.env = env
        # As a user runs it: the installed launcher (scripts/setup.sh), whose warm CLI server (in a directory of
        # this run's, stopped by close) is started by a first command before anything is measured, as dockerd is
        self.argv = [shutil.which("pycompose") or "pycompose"]
        self.warm = str(work / "pycompose-cli")
        env.environ["PYCOMPOSE_WARM_DIR"] = self.warm
        checked([*self.argv, "version"], env.environ, "pycompose version")
        wait_for_server(self.warm)

    def close(self) -> None:
        from compose.cli.warm import stop_servers

        stop_servers(self.warm)

    def build(self, context: Path, cold: bool) -> None:
        flags = ["--no-cache"] if cold else []
        checked([*self.argv, "image", "build", "-q", *flags, "-t", "bench/built:1", str(context)], self.env.environ,
                "pycompose image build")

    def reset(self) -> None:
        checked([*self.argv, "builder", "prune", "-f"], self.env.environ, "pycompose builder prune")


class Docker:
    name = "docker"

    def __init__(self, dockerd: PrivateDockerd):
        self.dockerd = dockerd
        self.environ = {**dockerd.environ, "DOCKER_BUILDKIT": "0"}  # the legacy builder, as Debian's 20.10 has it

    def build(self, context: Path, cold: bool) -> None:
        flags = ["--no-cache"] if cold else []
        checked([self.dockerd.docker_binary, "build", "-q", *flags, "-t", "bench/built:1", str(context)],
                self.environ, "docker build")

    def reset(self) -> None:
        self.dockerd.docker("rmi", "-f", "bench/built:1", check=False)
        self.dockerd.docker("image", "prune", "-f")


class Buildah:
    name = "buildah"

    def __init__(self, work: Path, archive: Path):
        self.root, self.runroot = work / "buildah-root", work / "buildah-run"
        self.argv = ["buildah", "--root", str(self.root), "--runroot", str(self.runroot), "--storage-driver",
                     "overlay"]
        checked([*self.argv, "pull", "-q", f"docker-archive:{archive}"], what="buildah pull")
        checked([*self.argv, "tag", self._pulled(), BASE], what="buildah tag")

    def _pulled(self) -> str:
        done = subprocess.run([*self.argv, "images", "-q"], capture_output=True, text=True, check=True)
        return done.stdout.split()[0]

    def build(self, context: Path, cold: bool) -> None:
        flags = ["--no-cache"] if cold else []
        checked([*self.argv, "bud", "-q", "--layers", "--network", "none", "--runtime", RUNC, *flags,
                 "-t", "bench/built:1", str(context)], what="buildah bud")

    def reset(self) -> None:
        subprocess.run([*self.argv, "rmi", "-f", "bench/built:1"], capture_output=True, check=False)
        subprocess.run([*self.argv, "rmi", "--prune"], capture_output=True, check=False)

    def close(self) -> None:
        from engine.images.snapshots.mounts import unmount
        from engine.images.testing import mounts_under

        subprocess.run([*self.argv, "rm", "-a"], capture_output=True, check=False)
        subprocess.run([*self.argv, "rmi", "-a", "-f"], capture_output=True, check=False)
        for root in (self.runroot, self.root):
            for target in sorted(mounts_under(root), key=len, reverse=True):
                unmount(target)


def round_of(tool: Ours | Docker | Buildah, context: Path, run: int) -> tuple[float, float]:
    """(cold build, rebuild after one file changed), in seconds."""
    tool.reset()
    cold = timed(lambda: tool.build(context, cold=True))
    tool.build(context, cold=False)  # the cache holds every step now
    change_one(context, run)
    tool.build(context, cold=False)  # once more, so that no tool's cache lags behind the change of another
    change_one(context, run)
    rebuild = timed(lambda: tool.build(context, cold=False))
    return cold, rebuild


def report(times: dict[str, dict[str, list[float]]], runs: int) -> bool:
    medians = {tool: {k: statistics.median(v) for k, v in figures.items()} for tool, figures in times.items()}
    others = [t for t in ("docker", "buildah") if t in medians]
    print(f"image build, five steps on Debian bookworm (median of {runs}, seconds)")
    print(f"{'':10}" + "".join(f"{t:>11}" for t in ("pycompose", *others))
          + "".join(f"{'/' + t:>11}" for t in others))
    met = True
    for phase in ("cold", "rebuild"):
        ours = medians["pycompose"][phase]
        row = f"{phase:10}{ours:11.2f}" + "".join(f"{medians[t][phase]:11.2f}" for t in others)
        row += "".join(f"{ours / medians[t][phase]:11.2f}" for t in others)
        print(row)
    for tool in others:
        if medians["pycompose"]["cold"] > medians[tool]["cold"]:
            print(f"TARGET MISSED: cold build slower than {tool}")
            met = False
    if "docker" in medians and medians["pycompose"]["rebuild"] > 0.5 * medians["docker"]["rebuild"]:
        print("TARGET MISSED: the one-file rebuild takes more than half of docker build's time")
        met = False
    return met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("build_bench: needs root (apt-get install -y debootstrap docker.io buildah)")
    work = Path(tempfile.mkdtemp(prefix="pycompose-build-bench-"))
    env = Env()
    tools: list[Ours | Docker | Buildah] = []
    dockerd = buildah = ours = None
    try:
        try:
            import_debian(env.service().images, BASE)
        except DebianUnavailable as err:
            sys.exit(f"build_bench: {err}")
        archive = save_debian(env.service().images, BASE, work / "debian.tar")
        ours = Ours(env, work)
        tools.append(ours)
        try:
            dockerd = PrivateDockerd.start()
            dockerd.docker("load", "-i", str(archive))
            tools.append(Docker(dockerd))
        except DockerdUnavailable as err:
            print(f"build_bench: NO DOCKER COLUMN: {err}", file=sys.stderr)
        if shutil.which("buildah"):
            buildah = Buildah(work, archive)
            tools.append(buildah)
        else:
            print("build_bench: NO BUILDAH COLUMN: buildah is not installed (apt-get install -y buildah)",
                  file=sys.stderr)
        context = write_context(work / "context")
        times: dict[str, dict[str, list[float]]] = {t.name: {"cold": [], "rebuild": []} for t in tools}
        for run in range(args.runs):
            for tool in tools:
                cold, rebuild = round_of(tool, context, run)
                times[tool.name]["cold"].append(cold)
                times[tool.name]["rebuild"].append(rebuild)
        return 0 if report(times, args.runs) else 1
    finally:
        if ours is not None:
            ours.close()
        if buildah is not None:
            buildah.close()
        if dockerd is not None:
            dockerd.stop()
        env.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
