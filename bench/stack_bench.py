"""Benchmark (issue 7): a health-gated stack of N services, `up`/no-op `up`/one-change `up`/`down`, per compose tool.

Every tool gets the same generated project (only the published port differs): N
services of a busybox image running `httpd` behind a shell that exits on SIGTERM
(httpd as pid 1 would ignore it and cost every tool its stop timeout), each with a
1 s-interval `wget` healthcheck, service s_i depending on s_((i-1)//2) with
`condition: service_healthy` (a binary tree rooted at s0), one user network, and s0
publishing 127.0.0.1:<free port>:8080. The file says `version: "2.4"` because
docker-compose v1 needs it for health conditions; the others ignore it.

For each run, each N and each tool, interleaved (one tool after another on the same
N, so they share the machine's state of the moment), it times:

1. cold `up -d`, and the time from its start until every container is healthy,
   polled with the tool's own ps (`pycompose ps --format json`, `docker compose ps
   --format json`) or the engine's inspect (`docker inspect` for v1, `podman ps` for
   podman-compose); the poll that sees them all healthy counts when it returns;
2. a no-op `up -d` (zero containers may be recreated);
3. `up -d` after changing one leaf's environment (exactly one may be recreated);
4. `down`, then checks nothing of the project is left (containers, networks; for
   pycompose also the network's bridge, its nftables rules and container processes).

Recreations are counted by comparing container IDs before and after. It prints the
medians per tool and N, the ratios to Docker Compose v2 (targets for pycompose at
N=30, or the largest N run: all healthy <= 0.25x, no-op <= 0.1x, one change <= 0.2x,
down <= 0.35x), and exits 1 when pycompose misses a target, recreates the wrong
number of containers or leaves something behind.

The tools:
- pycompose: the launcher scripts/setup.sh installs, on temporary roots
  (`pycompose-bench-*`), in the host network namespace, no DNS upstream;
- compose-v2: `docker compose` (scripts/get-docker-compose.sh) against a private
  dockerd (tests/reference/dockerd.py: no bridge, no firewall rule; user networks
  still work and docker-proxy publishes 127.0.0.1 ports);
- compose-v1: docker-compose 1.29.2 in a venv under /var/tmp/pycompose-bench-venv-v1
  (made on first use with pip: PyYAML 5 built with cython<3, docker-py 6 and
  requests<2.32, which 1.29.2 needs), against the same dockerd;
- podman-compose: Debian's podman-compose 1.0.3 and podman 4.3 (runc, cgroupfs,
  netavark), configured through CONTAINERS_CONF/CONTAINERS_STORAGE_CONF/
  CONTAINERS_REGISTRIES_CONF files in a temporary directory (storage there too, no
  search registries so nothing is ever pulled). There is no systemd here, so podman
  cannot schedule its healthcheck timers: the bench's poll runs `podman healthcheck
  run` on the containers not yet healthy, which is what the timer would do. Netavark's
  firewall chains, and the ip_forward it turns on, are removed/restored at the end.

Traffic goes only to 127.0.0.1 (the healthchecks inside each container, one GET of
the published port after each cold `up`). Everything started is stopped and removed
at the end, on failure and Ctrl-C too.

    python bench/stack_bench.py [--runs 3] [--sizes 1,10,30]
                                [--tools pycompose,compose-v2,compose-v1,podman-compose]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.reference.dockerd import DockerdUnavailable, PrivateDockerd  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
IMAGE = "busybox:bench"
TOOLS = ("pycompose", "compose-v2", "compose-v1", "podman-compose")
TAGS = {"pycompose": "pc", "compose-v2": "v2", "compose-v1": "v1", "podman-compose": "pm"}  # in project names
MEASURES = ("up", "healthy", "noop", "change", "down")
TARGETS = {"healthy": 0.25, "noop": 0.1, "change": 0.2, "down": 0.35}
HEALTH_TIMEOUT = 180.0
COMMAND_TIMEOUT = 600.0
PODMAN_CGROUP = "libpod_parent"  # podman's parent with the cgroupfs manager
V1_VENV = Path("/var/tmp/pycompose-bench-venv-v1")
V1_PINS = (["cython<3", "wheel", "setuptools"], ["--no-build-isolation", "PyYAML>=3.10,<6"],
           ["docker-compose==1.29.2", "docker==6.1.3", "requests<2.32", "urllib3<2"])
SERVE = "trap 'exit 0' TERM; httpd -f -p 8080 -h /www & wait"


# --- the project ------------------------------------------------------------------------

def compose_file(n: int, port: int, generation: dict[int, int] | None = None) -> str:
    """The stack of N services; `generation` changes the environment of the services it names."""
    generation = generation or {}
    lines = ['version: "2.4"', "services:"]
    for i in range(n):
        lines += [f"  s{i}:", f"    image: {IMAGE}", f'    command: ["sh", "-c", "{SERVE}"]',
                  "    environment:", f'      GENERATION: "{generation.get(i, 0)}"',
                  "    healthcheck:",
                  '      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/"]',
                  "      interval: 1s", "      timeout: 1s", "      retries: 30",
                  "    networks: [net]"]
        if i == 0:
            lines += ["    ports:", f'      - "127.0.0.1:{port}:8080"']
        else:
            lines += ["    depends_on:", f"      s{(i - 1) // 2}:", "        condition: service_healthy"]
    return "\n".join(lines + ["networks:", "  net: {}", ""])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_image_tar(work: Path) -> Path:
    """Debian's busybox-static as a root filesystem with /www/index.html, as a tar."""
    from engine.images.testing import busybox_rootfs, tar_dir

    rootfs = busybox_rootfs(work / "rootfs")
    (rootfs / "www").mkdir()
    (rootfs / "www" / "index.html").write_text("hello from the stack bench\n")
    tar = tar_dir(rootfs, work / "busybox.tar")
    shutil.rmtree(rootfs)
    return tar


def run(argv: list[str], env: dict[str, str], cwd: Path | None = None, check: bool = True,
        timeout: float = COMMAND_TIMEOUT) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)
    if check and done.returncode != 0:
        raise BenchError(f"`{' '.join(argv)}` exited {done.returncode}:\n{(done.stdout + done.stderr).strip()[-3000:]}")
    return done


class BenchError(RuntimeError):
    """A tool failed a step; the message carries the command and its output."""


# --- the tools ----------------------------------------------------------------------------

class Tool:
    """One compose tool: `compose(project, *args)` runs it, `states(project)` says {service: (id, health)}."""

    name = ""
    note = ""

    def compose(self, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
        raise NotImplementedError

    def states(self, project: Path) -> dict[str, tuple[str, str]]:
        raise NotImplementedError

    def left(self, project: Path) -> list[str]:
        """What of the project is still there after `down`."""
        raise NotImplementedError

    def after_up(self, project: Path) -> None:
        """Remember what `left` will need (the network's bridge)."""

    def mop(self, project: Path) -> None:
        """Remove by hand what `down` left, so the next round starts clean."""

    def close(self) -> None:
        raise NotImplementedError


def project_name(project: Path) -> str:
    return project.name


class Pycompose(Tool):
    name = "pycompose"

    def __init__(self, work: Path, tar: Path):
        launcher = shutil.which("pycompose")
        if launcher is None:
            raise BenchError("no pycompose launcher on PATH: run scripts/setup.sh first")
        self.launcher = launcher
        self.state = Path(tempfile.mkdtemp(prefix="pycompose-bench-", dir=work))
        self.run_root = Path(tempfile.mkdtemp(prefix="pycompose-bench-", dir=work))
        self.env = {**os.environ, "PYCOMPOSE_ROOT": str(self.state), "PYCOMPOSE_RUN_ROOT": str(self.run_root),
                    "PYCOMPOSE_DNS_UPSTREAMS": "", "PYCOMPOSE_WARM_DIR": str(self.run_root / "cli")}
        self.bridges: dict[str, str] = {}
        run([self.launcher, "image", "import", "-c", 'CMD ["sh"]', str(tar), IMAGE], self.env)

    def compose(self, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
        return run([self.launcher, "-p", project_name(project), *args], self.env, cwd=project)

    def states(self, project: Path) -> dict[str, tuple[str, str]]:
        rows = [json.loads(line) for line in self.compose(project, "ps", "-a", "--format", "json").stdout.splitlines()
                if line.strip()]
        return {row["Service"]: (row["ID"], row.get("Health") or row.get("State", "")) for row in rows}

    def after_up(self, project: Path) -> None:
        inspect = json.loads(run([self.launcher, "network", "inspect", f"{project_name(project)}_net"],
                                 self.env).stdout)
        self.bridges[project_name(project)] = "pc" + inspect[0]["Id"][:12]

    def left(self, project: Path) -> list[str]:
        name = project_name(project)
        found = [f"container {i}" for i in self.compose(project, "ps", "-a", "-q").stdout.split()]
        networks = run([self.launcher, "network", "ls"], self.env).stdout.splitlines()[1:]
        found += [f"network {line.split()[1]}" for line in networks if line.split()[1].startswith(f"{name}_")]
        bridge = self.bridges.get(name)
        if bridge and Path("/sys/class/net", bridge).exists():
            found.append(f"link {bridge}")
        ruleset = run(["nft", "list", "table", "inet", "pycompose"], self.env, check=False).stdout
        if bridge and bridge in ruleset:
            found.append(f"nft rules naming {bridge}")
        found += [f"process {pid}" for pid in pids_naming(str(self.state / "bundles"))]
        netns = self.run_root / "netns"
        found += [f"netns {p.name}" for p in netns.iterdir()] if netns.is_dir() else []
        return found

    def close(self) -> None:
        """What `down` cannot remove: the DNS server and supervisor of our roots, then the roots themselves."""
        from compose.cli.warm import stop_servers
        from tests.e2e.stack import scrub

        stop_servers(self.env["PYCOMPOSE_WARM_DIR"])
        scrub(self.state, self.run_root)
        for pid in pids_naming(str(self.state)) + pids_naming(str(self.run_root)):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(self.state, ignore_errors=True)
        shutil.rmtree(self.run_root, ignore_errors=True)


def pids_naming(needle: str) -> list[int]:
    """Processes whose command line contains `needle`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            with contextlib.suppress(OSError):
                if needle.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
    return found


class DockerTool(Tool):
    """A compose tool talking to the private dockerd; states from the engine's inspect."""

    def __init__(self, dockerd: PrivateDockerd):
        self.dockerd = dockerd
        self.env = {k: v for k, v in dockerd.environ.items() if not k.startswith("COMPOSE_")}

    def states(self, project: Path) -> dict[str, tuple[str, str]]:
        ids = self.dockerd.docker("ps", "-aq", "--no-trunc", "--filter",
                                  f"label=com.docker.compose.project={project_name(project)}").stdout.split()
        if not ids:
            return {}
        fmt = ('{{index .Config.Labels "com.docker.compose.service"}} {{.Id}} '
               '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}')
        rows = [line.split() for line in self.dockerd.docker("inspect", "--format", fmt, *ids).stdout.splitlines()]
        return {service: (cid, health) for service, cid, health in rows}

    def left(self, project: Path) -> list[str]:
        label = f"label=com.docker.compose.project={project_name(project)}"
        found = [f"container {i}" for i in self.dockerd.docker("ps", "-aq", "--filter", label).stdout.split()]
        names = self.dockerd.docker("network", "ls", "--format", "{{.Name}}").stdout.split()
        return found + [f"network {n}" for n in names if n.startswith(f"{project_name(project)}_")]

    def mop(self, project: Path) -> None:
        for thing in self.left(project):
            kind, name = thing.split(" ", 1)
            argv = ["rm", "-f", name] if kind == "container" else ["network", "rm", name]
            self.dockerd.docker(*argv, check=False)

    def close(self) -> None:
        pass  # the dockerd is stopped by main


class ComposeV2(DockerTool):
    name = "compose-v2"

    def __init__(self, dockerd: PrivateDockerd):
        super().__init__(dockerd)
        version = run([dockerd.docker_binary, "compose", "version", "--short"], self.env, check=False)
        if version.returncode != 0:
            raise BenchError("`docker compose` is missing: run scripts/get-docker-compose.sh")
        self.note = f"Docker Compose {version.stdout.strip()}"

    def compose(self, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
        return run([self.dockerd.docker_binary, "compose", "-p", project_name(project), *args], self.env, cwd=project)

    def states(self, project: Path) -> dict[str, tuple[str, str]]:
        """`docker compose ps --format json`, as a user would poll it."""
        out = self.compose(project, "ps", "-a", "--format", "json").stdout
        rows = [json.loads(line) for line in out.splitlines() if line.strip()]
        if len(rows) == 1 and isinstance(rows[0], list):  # older Compose prints one JSON array
            rows = rows[0]
        return {row["Service"]: (row["ID"], row.get("Health") or row.get("State", "")) for row in rows}


class ComposeV1(DockerTool):
    name = "compose-v1"

    def __init__(self, dockerd: PrivateDockerd):
        super().__init__(dockerd)
        self.binary = ensure_v1_venv()
        self.note = "docker-compose 1.29.2 (venv)"

    def compose(self, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
        return run([str(self.binary), "-p", project_name(project), *args], self.env, cwd=project)


def ensure_v1_venv() -> Path:
    binary = V1_VENV / "bin" / "docker-compose"
    if binary.exists():
        return binary
    subprocess.run([sys.executable, "-m", "venv", str(V1_VENV)], check=True)
    for pins in V1_PINS:
        done = subprocess.run([str(V1_VENV / "bin" / "pip"), "install", "-q", *pins], capture_output=True, text=True)
        if done.returncode != 0:
            raise BenchError(f"pip install {' '.join(pins)} into {V1_VENV}: {done.stderr.strip()[-2000:]}")
    return binary


class PodmanCompose(Tool):
    name = "podman-compose"
    note = "podman-compose 1.0.3, podman 4.3; health run by the bench (no systemd timers)"

    def __init__(self, work: Path, tar: Path):
        for tool in ("podman", "podman-compose"):
            if shutil.which(tool) is None:
                raise BenchError(f"{tool} is missing: apt-get install -y podman podman-compose")
        self.base = Path(tempfile.mkdtemp(prefix="pycompose-bench-podman-", dir=work))
        b = self.base
        (b / "containers.conf").write_text(
            "[containers]\n"
            # under this machine's hard open-files limit (20000), and podman's own nproc limit
            'default_ulimits = ["nofile=10000:10000", "nproc=16384:16384"]\n'
            'log_driver = "k8s-file"\n'
            "[network]\n"
            'network_backend = "netavark"\n'
            f'network_config_dir = "{b}/netconf"\n'
            "[engine]\n"
            'runtime = "runc"\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n'
            f'events_logfile_path = "{b}/events.log"\ntmp_dir = "{b}/tmp"\n'
            f'volume_path = "{b}/volumes"\nstatic_dir = "{b}/static"\n')
        (b / "storage.conf").write_text(f'[storage]\ndriver = "overlay"\ngraphroot = "{b}/graph"\n'
                                        f'runroot = "{b}/run"\n')
        (b / "registries.conf").write_text('unqualified-search-registries = []\nshort-name-mode = "enforcing"\n')
        self.env = {**os.environ, "CONTAINERS_CONF": str(b / "containers.conf"),
                    "CONTAINERS_STORAGE_CONF": str(b / "storage.conf"),
                    "CONTAINERS_REGISTRIES_CONF": str(b / "registries.conf")}
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=8)
        self.cgroups_before = cgroup_dirs(PODMAN_CGROUP)
        try:
            run(["podman", "import", "-c", 'CMD ["sh"]', str(tar), IMAGE], self.env)
        except BaseException:
            self.close()  # podman mounted its storage already: nothing of it may stay when the column is left out
            raise

    def compose(self, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
        # podman-compose 1.0.3 exits 0 on most failures; its output is kept for the error report
        return run(["podman-compose", "-p", project_name(project), *args], self.env, cwd=project)

    def _ps(self, project: Path) -> list[dict[str, object]]:
        out = run(["podman", "ps", "-a", "--format", "json", "--filter",
                   f"label=io.podman.compose.project={project_name(project)}"], self.env).stdout
        return list(json.loads(out or "[]"))

    def states(self, project: Path) -> dict[str, tuple[str, str]]:
        rows = self._ps(project)
        pending = [str(r["Id"]) for r in rows if r.get("State") == "running" and "(healthy)" not in str(r["Status"])]
        # what podman's systemd timer would do every interval: run the check (in parallel)
        list(self.pool.map(lambda cid: run(["podman", "healthcheck", "run", cid], self.env, check=False), pending))
        states = {}
        for r in rows:
            labels = dict(r.get("Labels") or {})  # type: ignore[arg-type]
            health = "healthy" if "(healthy)" in str(r["Status"]) else str(r.get("State"))
            states[str(labels.get("com.docker.compose.service"))] = (str(r["Id"]), health)
        return states

    def left(self, project: Path) -> list[str]:
        found = [f"container {r['Id']}" for r in self._ps(project)]
        names = run(["podman", "network", "ls", "--format", "{{.Name}}"], self.env).stdout.split()
        return found + [f"network {n}" for n in names if n.startswith(f"{project_name(project)}_")]

    def mop(self, project: Path) -> None:
        for thing in self.left(project):
            kind, name = thing.split(" ", 1)
            run(["podman", "rm", "-f", name] if kind == "container" else ["podman", "network", "rm", "-f", name],
                self.env, check=False)

    def close(self) -> None:
        from engine.images.snapshots.mounts import unmount
        from engine.images.testing import mounts_under

        self.pool.shutdown()
        run(["podman", "rm", "-af", "-t", "0"], self.env, check=False)
        names = run(["podman", "network", "ls", "--format", "{{.Name}}"], self.env, check=False).stdout.split()
        for name in names:
            if name != "podman":
                run(["podman", "network", "rm", "-f", name], self.env, check=False)
        run(["podman", "system", "reset", "-f"], self.env, check=False)
        for target in sorted(mounts_under(self.base), key=len, reverse=True):
            unmount(target)
        shutil.rmtree(self.base, ignore_errors=True)
        for path in sorted(set(cgroup_dirs(PODMAN_CGROUP)) - set(self.cgroups_before), key=lambda p: len(str(p)),
                           reverse=True):
            with contextlib.suppress(OSError):
                path.rmdir()


def cgroup_dirs(name: str) -> list[Path]:
    """Every cgroup directory at or under /sys/fs/cgroup/<hierarchy>/<name>."""
    found = []
    for top in Path("/sys/fs/cgroup").glob(f"*/{name}"):
        found += [Path(d) for d, _, _ in os.walk(top)]
    return found


# --- the host's firewall and forwarding, around podman's netavark ---------------------------

@dataclass
class HostNet:
    """The host state netavark changes: iptables chains, nftables tables, ip_forward; restored by `restore`."""

    tables: set[str] = field(default_factory=set)
    ip_forward: str = ""

    @classmethod
    def snapshot(cls) -> HostNet:
        return cls(set(nft_tables()), Path("/proc/sys/net/ipv4/ip_forward").read_text().strip())

    def restore(self) -> list[str]:
        """Remove netavark's chains (and the tables iptables made for them); say what could not be undone."""
        for tool in ("iptables", "ip6tables"):
            for table in ("filter", "nat"):
                remove_chains(tool, table, "NETAVARK")
        for table in set(nft_tables()) - self.tables:
            family, name = table.split()
            listing = subprocess.run(["nft", "list", "table", family, name], capture_output=True, text=True).stdout
            if name in ("filter", "nat") and not any(line.strip().startswith(("ip ", "tcp ", "counter", "jump",
                                                                                 "meta ", "oifname", "iifname"))
                                                     for line in listing.splitlines()):
                subprocess.run(["nft", "delete", "table", family, name], check=False)
        Path("/proc/sys/net/ipv4/ip_forward").write_text(self.ip_forward)
        problems = [f"nft table {t} appeared" for t in set(nft_tables()) - self.tables if "pycompose" not in t]
        forward = subprocess.run(["iptables", "-S", "FORWARD"], capture_output=True, text=True).stdout
        if "-P FORWARD ACCEPT" not in forward:
            problems.append("iptables FORWARD policy is not ACCEPT")
        return problems


def nft_tables() -> list[str]:
    out = subprocess.run(["nft", "list", "tables"], capture_output=True, text=True, check=False).stdout
    return [line.removeprefix("table ").strip() for line in out.splitlines() if line.startswith("table ")]


def remove_chains(tool: str, table: str, prefix: str) -> None:
    """Delete the rules that jump to chains named `prefix*`, then flush and delete those chains."""
    listing = subprocess.run([tool, "-t", table, "-S"], capture_output=True, text=True, check=False).stdout
    rules = [line.split() for line in listing.splitlines()]
    for rule in rules:
        if rule[:1] == ["-A"] and not rule[1].startswith(prefix) and any(w.startswith(prefix) for w in rule[2:]):
            subprocess.run(f"{tool} -t {table} -D {' '.join(rule[1:])}", shell=True, check=False)
    chains = [rule[1] for rule in rules if rule[:1] == ["-N"] and rule[1].startswith(prefix)]
    for chain in chains:
        subprocess.run([tool, "-t", table, "-F", chain], check=False)
    for chain in chains:
        subprocess.run([tool, "-t", table, "-X", chain], check=False)


# --- one round ----------------------------------------------------------------------------

@dataclass
class Results:
    times: dict[tuple[str, int, str], list[float]] = field(default_factory=dict)
    recreated: dict[tuple[str, int, str], list[int]] = field(default_factory=dict)
    problems: dict[str, list[str]] = field(default_factory=dict)

    def add(self, tool: str, n: int, measure: str, value: float) -> None:
        self.times.setdefault((tool, n, measure), []).append(value)

    def problem(self, tool: str, text: str) -> None:
        print(f"  PROBLEM {tool}: {text}", file=sys.stderr)
        self.problems.setdefault(tool, []).append(text)


def wait_healthy(tool: Tool, project: Path, n: int, start: float) -> float:
    """Seconds from `start` until a poll sees n containers, all healthy."""
    deadline = time.monotonic() + HEALTH_TIMEOUT
    while True:
        states = tool.states(project)
        if len(states) == n and all(health == "healthy" for _, health in states.values()):
            return time.perf_counter() - start
        if time.monotonic() > deadline:
            raise BenchError(f"not all healthy after {HEALTH_TIMEOUT:.0f} s: {sorted(states.items())}")
        time.sleep(0.1)


def timed(fn: object, *args: object) -> float:
    start = time.perf_counter()
    fn(*args)  # type: ignore[operator]
    return time.perf_counter() - start


def one_round(tool: Tool, n: int, work: Path, round_id: str, results: Results) -> None:
    project = work / f"sb{n}{TAGS[tool.name]}{round_id}"
    project.mkdir()
    port = free_port()
    compose_yaml = project / "compose.yaml"
    compose_yaml.write_text(compose_file(n, port))
    try:
        start = time.perf_counter()
        tool.compose(project, "up", "-d")
        results.add(tool.name, n, "up", time.perf_counter() - start)
        results.add(tool.name, n, "healthy", wait_healthy(tool, project, n, start))
        tool.after_up(project)
        check_published(tool, port, results)
        before = {s: cid for s, (cid, _) in tool.states(project).items()}
        results.add(tool.name, n, "noop", timed(tool.compose, project, "up", "-d"))
        count_recreated(tool, project, n, "noop", before, 0, results)
        before = {s: cid for s, (cid, _) in tool.states(project).items()}
        compose_yaml.write_text(compose_file(n, port, {n - 1: 1}))
        results.add(tool.name, n, "change", timed(tool.compose, project, "up", "-d"))
        count_recreated(tool, project, n, "change", before, 1, results)
        results.add(tool.name, n, "down", timed(tool.compose, project, "down"))
        left = tool.left(project)
        if left:
            results.problem(tool.name, f"N={n}: left after `down`: {', '.join(left)}")
            tool.mop(project)
    except (BenchError, subprocess.TimeoutExpired) as err:
        results.problem(tool.name, f"N={n}: {err}")
        with contextlib.suppress(BenchError, subprocess.TimeoutExpired):
            tool.compose(project, "down")
        with contextlib.suppress(BenchError, subprocess.TimeoutExpired):
            tool.mop(project)


def count_recreated(tool: Tool, project: Path, n: int, measure: str, before: dict[str, str], expected: int,
                    results: Results) -> None:
    after = {s: cid for s, (cid, _) in tool.states(project).items()}
    changed = sorted(s for s in before.keys() | after.keys() if before.get(s) != after.get(s))
    results.recreated.setdefault((tool.name, n, measure), []).append(len(changed))
    if len(changed) != expected:
        results.problem(tool.name, f"N={n}: {measure} `up` recreated {len(changed)} containers "
                                   f"(expected {expected}): {changed}")


def check_published(tool: Tool, port: int, results: Results) -> None:
    try:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        body = opener.open(f"http://127.0.0.1:{port}/", timeout=5).read().decode()
    except OSError as err:
        body = str(err)
    if "hello from the stack bench" not in body:
        results.problem(tool.name, f"127.0.0.1:{port} did not serve s0's page: {body[:200]}")


# --- report -------------------------------------------------------------------------------

def median(results: Results, tool: str, n: int, measure: str) -> float | None:
    values = results.times.get((tool, n, measure))
    return statistics.median(values) if values else None


def report(results: Results, tools: list[str], sizes: list[int], runs: int) -> bool:
    """Print the tables; True when pycompose met every target at the target size."""
    print(f"\nmedians of {runs} run(s), seconds; recreated = containers recreated by no-op/one-change `up`")
    header = f"{'N':>3} {'tool':15}" + "".join(f"{m:>9}" for m in
                                                ("up -d", "healthy", "no-op", "change", "down")) + "  recreated"
    print(header)
    for n in sizes:
        for tool in tools:
            cells = "".join(f"{v:9.2f}" if v is not None else f"{'-':>9}"
                            for v in (median(results, tool, n, m) for m in MEASURES))
            counts = "/".join(",".join(map(str, results.recreated.get((tool, n, m), []))) or "-"
                              for m in ("noop", "change"))
            print(f"{n:>3} {tool:15}{cells}  {counts}")
    print("\nratios to Docker Compose v2 (same run); targets for pycompose: "
          + ", ".join(f"{m} <= {t}x" for m, t in TARGETS.items()))
    print(f"{'N':>3} {'tool':15}" + "".join(f"{m:>9}" for m in ("up -d", "healthy", "no-op", "change", "down")))
    target_n = 30 if 30 in sizes else max(sizes)
    ok = True
    for n in sizes:
        for tool in tools:
            if tool == "compose-v2":
                continue
            cells = ""
            for m in MEASURES:
                ours, ref = median(results, tool, n, m), median(results, "compose-v2", n, m)
                if ours is None or not ref:
                    cells += f"{'-':>9}"
                    if tool == "pycompose" and n == target_n and m in TARGETS:
                        ok = False
                    continue
                ratio = ours / ref
                missed = tool == "pycompose" and n == target_n and m in TARGETS and ratio > TARGETS[m]
                ok = ok and not missed
                cells += f"{ratio:8.2f}{'!' if missed else ' '}"
            print(f"{n:>3} {tool:15}{cells}")
    print(f"('!' = pycompose misses the target at N={target_n})")
    return ok


# --- main ---------------------------------------------------------------------------------

def make_tools(names: list[str], work: Path, tar: Path) -> tuple[list[Tool], PrivateDockerd | None]:
    tools: list[Tool] = []
    dockerd = None
    for name in names:
        try:
            if name == "pycompose":
                tools.append(Pycompose(work, tar))
            elif name in ("compose-v2", "compose-v1"):
                if dockerd is None:
                    dockerd = PrivateDockerd.start()
                    dockerd.docker("import", "-c", 'CMD ["sh"]', str(tar), IMAGE)
                tools.append(ComposeV2(dockerd) if name == "compose-v2" else ComposeV1(dockerd))
            elif name == "podman-compose":
                tools.append(PodmanCompose(work, tar))
            else:
                raise BenchError(f"unknown tool {name!r}; known: {', '.join(TOOLS)}")
        except (BenchError, DockerdUnavailable, subprocess.CalledProcessError) as err:
            print(f"\nstack_bench: NOTE: NO {name.upper()} COLUMN: {err}\n", file=sys.stderr)
    return tools, dockerd


def close_all(tools: list[Tool], dockerd: PrivateDockerd | None, host: HostNet, results: Results) -> None:
    """Stop and remove everything every tool made, then put the host's firewall and forwarding back."""
    for tool in tools:
        try:
            tool.close()
        except Exception as err:  # noqa: BLE001 - keep cleaning up the others
            print(f"stack_bench: cleaning up {tool.name}: {err}", file=sys.stderr)
    if dockerd is not None:
        dockerd.stop()
        for thing in dockerd.leftovers():
            results.problem("compose-v2", f"private dockerd left {thing}")
    for text in host.restore():
        results.problem("host", text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="1,10,30")
    parser.add_argument("--tools", default=",".join(TOOLS))
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("stack_bench: needs root (containers, bridges, firewall rules)")
    sizes = [int(s) for s in args.sizes.split(",")]
    names = [t.strip() for t in args.tools.split(",") if t.strip()]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so `finally` runs on SIGTERM as on Ctrl-C
    host = HostNet.snapshot()
    work = Path(tempfile.mkdtemp(prefix="pycompose-bench-stack-"))
    tools: list[Tool] = []
    dockerd = None
    results = Results()
    try:
        tar = make_image_tar(work)
        tools, dockerd = make_tools(names, work, tar)
        for tool in tools:
            print(f"{tool.name}: {tool.note or 'the installed launcher'}")
        for r in range(args.runs):
            for n in sizes:
                for tool in tools:
                    print(f"run {r + 1}/{args.runs}, N={n}: {tool.name}", flush=True)
                    one_round(tool, n, work, f"r{r}", results)
    finally:
        close_all(tools, dockerd, host, results)
        shutil.rmtree(work, ignore_errors=True)
    ok = report(results, [t.name for t in tools], sizes, args.runs)
    if results.problems:
        print("\nproblems:")
        for tool, texts in results.problems.items():
            for text in texts:
                print(f"  {tool}: {text}")
    if "pycompose" in results.problems:
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
