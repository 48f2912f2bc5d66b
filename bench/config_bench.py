"""Benchmark: `pycompose config` against `docker compose config`, side by side, in one run.

Generates a 1-service and a 200-service compose file in a temporary directory, runs
both tools on each N times, interleaved (so both see the same machine state), and
prints the median wall time and the peak RSS of each, with pycompose/compose ratios.
Targets: at most 1.5x Compose's time on 1 service, at most 1.0x on 200 services.

    python bench/config_bench.py [--runs N] [--format yaml|json]
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

REFERENCE = Path(os.environ.get("DOCKER_COMPOSE_BINARY", "/usr/local/lib/docker/cli-plugins/docker-compose"))
TARGETS = {1: 1.5, 200: 1.0}


def service(i: int, count: int) -> str:
    """One realistic service: image, ports, environment, volumes, healthcheck, a dependency."""
    depends = f"    depends_on: [svc{i - 1}]\n" if i else ""
    return (
        f"  svc{i}:\n"
        f"    image: registry.example.com/team/app{i}:${{TAG:-1.0}}\n"
        f"    command: [\"serve\", \"--port\", \"{8000 + i}\"]\n"
        f"    ports: [\"{20000 + i}:{8000 + i}\"]\n"
        f"    environment:\n      SERVICE: svc{i}\n      REPLICAS: \"{count}\"\n      DEBUG: \"false\"\n"
        f"    volumes: [\"data{i}:/data\", \"./conf/svc{i}:/etc/app:ro\"]\n"
        f"    healthcheck:\n      test: [\"CMD\", \"true\"]\n      interval: 10s\n"
        f"    networks: [back]\n{depends}"
    )


def write_project(root: Path, count: int) -> Path:
    directory = root / f"services-{count}"
    directory.mkdir()
    body = "".join(service(i, count) for i in range(count))
    volumes = "".join(f"  data{i}: {{}}\n" for i in range(count))
    (directory / "compose.yaml").write_text(f"services:\n{body}networks:\n  back: {{}}\nvolumes:\n{volumes}")
    return directory


def run_once(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, int]:
    """(wall seconds, peak RSS in KiB) of one run; fails loudly on a non-zero exit."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    error = process.stderr.read().decode() if process.stderr else ""
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed in {cwd} (exit {process.returncode}):\n{error}")
    return elapsed, usage.ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--format", choices=["yaml", "json"], default="yaml")
    args = parser.parse_args()
    if not REFERENCE.is_file():
        raise SystemExit(f"Docker Compose not found at {REFERENCE}: run scripts/get-docker-compose.sh")

    pycompose = shutil.which("pycompose")
    if pycompose is None:
        raise SystemExit("pycompose is not on PATH: run scripts/setup.sh")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tempfile.gettempdir()}
    tools = {
        "pycompose": [pycompose, "config", "--format", args.format],
        "plugin": [str(REFERENCE), "config", "--format", args.format],
    }
    docker = shutil.which("docker")
    if docker is not None:  # what a user types: the docker CLI, which runs the plugin
        tools["docker compose"] = [docker, "compose", "config", "--format", args.format]
    reference = "docker compose" if docker is not None else "plugin"
    print(f"config --format {args.format}, median of {args.runs} interleaved runs each; "
          f"the target is a ratio to `{reference}`; `plugin` runs the Compose binary without the docker CLI")
    print(f"{'services':>8}  " + " ".join(f"{name:>15}" for name in tools)
          + f"  {'ratio':>6} {'target':>7}  {'pyc RSS':>9} {'ref RSS':>9} {'ratio':>6}")
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        for count, target in TARGETS.items():
            directory = write_project(Path(tmp), count)
            times: dict[str, list[float]] = {name: [] for name in tools}
            peaks: dict[str, list[int]] = {name: [] for name in tools}
            for argv in tools.values():  # one warm-up each: page cache, .pyc files
                run_once(argv, directory, env)
            for _ in range(args.runs):
                for name, argv in tools.items():
                    elapsed, rss = run_once(argv, directory, env)
                    times[name].append(elapsed)
                    peaks[name].append(rss)
            medians = {name: statistics.median(values) for name, values in times.items()}
            ratio = medians["pycompose"] / medians[reference]
            our_rss, their_rss = max(peaks["pycompose"]), max(peaks["plugin"])
            failed |= ratio > target
            print(f"{count:>8}  " + " ".join(f"{medians[name] * 1000:>13.1f}ms" for name in tools)
                  + f"  {ratio:>5.2f}x {target:>6.1f}x  {our_rss / 1024:>7.1f}MB {their_rss / 1024:>7.1f}MB "
                  f"{our_rss / their_rss:>5.2f}x{'  <- over target' if ratio > target else ''}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
