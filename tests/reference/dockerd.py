"""A private Docker daemon for differential tests and benchmarks, touching nothing else on the host.

Lifecycle:

    with PrivateDockerd.start() as docker:            # dockerd + its own containerd, ready to answer
        docker.docker("import", "rootfs.tar", "bb:1")  # the docker CLI against this daemon only
        docker.docker("run", "--rm", "--network", "none", "bb:1", "true")
    # stopped: processes, mounts, cgroups and the temporary directory are gone

Everything lives in one temporary directory named `pycompose-test-dockerd-*` (so the
session leak check sees any mount or process left behind): the data root, the exec
root (containerd's state and socket too), the pid file, the API socket (no TCP), the
daemon's config file (which also moves the trust key off /etc/docker) and the CLI's
config directory. The daemon makes no bridge, no firewall rule and no forwarding
change (`--bridge=none --iptables=false ...`): its containers run with `--network
none`. Its containers' cgroups go under a parent named `pycompose-test-docker-*` on
every hierarchy (cgroupfs driver), removed on stop. Docker treats 127.0.0.0/8
registries as insecure by default, so the tests' local registry needs nothing more.

With `bridge="10.x.y.1/24"` (network benchmarks) the daemon makes its default bridge with that
address, its iptables rules and NAT, and publishes ports through docker-proxy (or, with
`userland_proxy=False`, through NAT alone, loopback included, as `--userland-proxy=false` does).
That changes the firewall of the namespace dockerd runs in and sets its FORWARD policy to DROP:
start it from a throwaway network namespace (`netns=`, entered with nsenter), never the host's.

Docker itself still makes a few empty directories outside the temporary one
(/run/docker/plugins, containerd's shim socket directory /run/containerd/s): those
that did not exist before start are removed on stop when empty.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.waiting import eventually

PREFIX = "pycompose-test-dockerd-"
CGROUP_PREFIX = "pycompose-test-docker-"
HOW_TO_GET = "apt-get install -y docker.io (scripts/setup.sh --test)"
HOST_DIRS = (Path("/run/docker/plugins"), Path("/run/docker"), Path("/run/containerd/s"), Path("/run/containerd"))
CGROUP_ROOT = Path("/sys/fs/cgroup")
START_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0


class DockerdUnavailable(RuntimeError):
    """dockerd or the docker CLI is missing, or the daemon would not start."""


class DockerCommandFailed(RuntimeError):
    """A docker CLI command exited non-zero; the message carries its command line and stderr."""


def binaries() -> tuple[str, str]:
    """(dockerd, docker) paths; DockerdUnavailable naming the Debian package when one is missing."""
    dockerd, docker = shutil.which("dockerd"), shutil.which("docker")
    if dockerd is None or docker is None:
        missing = "dockerd" if dockerd is None else "docker"
        raise DockerdUnavailable(f"{missing} is not installed: {HOW_TO_GET}")
    if os.geteuid() != 0:
        raise DockerdUnavailable("a private dockerd needs root")
    return dockerd, docker


@dataclass
class PrivateDockerd:
    """One running dockerd whose every root lies under `base`; `docker(...)` drives it."""

    base: Path
    driver: str
    docker_binary: str
    cgroup_parent: str
    process: subprocess.Popen[bytes] | None = None
    host_dirs_before: set[Path] = field(default_factory=set)
    bridge: str | None = None
    userland_proxy: bool = True
    netns: Path | None = None

    # --- start ---------------------------------------------------------------------------

    @classmethod
    def start(cls, insecure_registries: Sequence[str] = (), drivers: Sequence[str] = ("overlay2", "vfs"),
              timeout: float = START_TIMEOUT, *, bridge: str | None = None, userland_proxy: bool = True,
              netns: Path | None = None) -> PrivateDockerd:
        """Start a daemon with the first storage driver of `drivers` that works, and wait until it answers.

        `bridge`: the default bridge's address (CIDR), with iptables and NAT on; None (the default): no
        bridge and no firewall rule. `netns`: a namespace file to run dockerd in (its bridge, rules and
        docker-proxy live there; the API socket is a file, reachable from anywhere)."""
        dockerd, docker = binaries()
        failures: list[str] = []
        for driver in drivers:
            base = Path(tempfile.mkdtemp(prefix=PREFIX))
            daemon = cls(base, driver, docker, CGROUP_PREFIX + base.name[len(PREFIX):],
                         host_dirs_before={d for d in HOST_DIRS if d.exists()}, bridge=bridge,
                         userland_proxy=userland_proxy, netns=netns)
            try:
                daemon._launch(dockerd, insecure_registries, timeout)
                return daemon
            except DockerdUnavailable as err:
                failures.append(f"{driver}: {err}")
                daemon.stop()
        raise DockerdUnavailable("dockerd did not start:\n" + "\n".join(failures))

    @property
    def socket(self) -> Path:
        return self.base / "docker.sock"

    @property
    def host(self) -> str:
        """The DOCKER_HOST value that reaches this daemon."""
        return f"unix://{self.socket}"

    def _command(self, dockerd: str, insecure_registries: Sequence[str]) -> list[str]:
        config = self.base / "daemon.json"
        config.write_text(json.dumps({"deprecated-key-path": str(self.base / "key.json")}))  # not /etc/docker
        argv = [dockerd, "--config-file", str(config), "--data-root", str(self.base / "root"),
                "--exec-root", str(self.base / "exec"), "--pidfile", str(self.base / "dockerd.pid"),
                "-H", self.host, "--storage-driver", self.driver,
                # Absolute: a relative parent lies under dockerd's own cgroup, which need not be the root
                # (here the memory hierarchy puts every process in /process_api/<id>), where stop() would miss it.
                "--exec-opt", "native.cgroupdriver=cgroupfs", "--cgroup-parent", "/" + self.cgroup_parent]
        if self.bridge is None:
            argv += ["--bridge=none", "--iptables=false", "--ip6tables=false", "--ip-masq=false", "--ip-forward=false"]
        else:
            argv += [f"--bip={self.bridge}", "--iptables=true", "--ip6tables=false",
                     f"--userland-proxy={'true' if self.userland_proxy else 'false'}"]
        if self.netns is not None:
            argv = [shutil.which("nsenter") or "nsenter", f"--net={self.netns}", *argv]
        for registry in insecure_registries:
            argv += ["--insecure-registry", registry]
        return argv

    def _launch(self, dockerd: str, insecure_registries: Sequence[str], timeout: float) -> None:
        environ = {"PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"), "HOME": str(self.base)}
        with open(self.base / "dockerd.log", "ab") as log:
            self.process = subprocess.Popen(self._command(dockerd, insecure_registries), stdin=subprocess.DEVNULL,
                                            stdout=log, stderr=log, env=environ, start_new_session=True)
        try:
            eventually(self._ready, timeout=timeout, what=f"dockerd at {self.socket}")
        except AssertionError as err:
            raise DockerdUnavailable(f"{err}\n{self.log_tail()}") from err

    def _ready(self) -> bool:
        """True once the API answers /_ping; DockerdUnavailable if the daemon died on the way."""
        assert self.process is not None
        if self.process.poll() is not None:
            raise DockerdUnavailable(f"dockerd exited with {self.process.returncode}\n{self.log_tail()}")
        if not self.socket.exists():
            return False
        try:
            with httpx.Client(transport=httpx.HTTPTransport(uds=str(self.socket)), timeout=2.0) as client:
                return client.get("http://docker/_ping").status_code == 200
        except httpx.TransportError:
            return False

    def log_tail(self, lines: int = 15) -> str:
        path = self.base / "dockerd.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return "dockerd.log:\n" + "\n".join(text.splitlines()[-lines:])

    # --- use -----------------------------------------------------------------------------

    @property
    def environ(self) -> dict[str, str]:
        """The host's environment without its DOCKER_* settings, pointed at this daemon and a private CLI config."""
        kept = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
        return {**kept, "DOCKER_HOST": self.host, "DOCKER_CONFIG": str(self.base / "cli-config")}

    def docker(self, *args: str, check: bool = True, timeout: float = 300.0,
               input: str | None = None) -> subprocess.CompletedProcess[str]:  # noqa: A002 - subprocess's name
        """Run the docker CLI against this daemon; with `check`, a failure raises with its stderr."""
        done = subprocess.run([self.docker_binary, *args], capture_output=True, text=True, env=self.environ,
                              timeout=timeout, input=input, check=False)
        if check and done.returncode != 0:
            raise DockerCommandFailed(f"docker {' '.join(args)}: exit {done.returncode}\n{done.stderr.strip()}")
        return done

    def layers(self) -> list[str]:
        """The layers the daemon holds (chain IDs in its layer database): empty once every image is gone."""
        layerdb = self.base / "root" / "image" / self.driver / "layerdb" / "sha256"
        return sorted(p.name for p in layerdb.iterdir()) if layerdb.is_dir() else []

    def __enter__(self) -> PrivateDockerd:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- stop ----------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop the daemon and remove everything it made: processes, mounts, cgroups, directories."""
        self._remove_containers()
        self._stop_daemon()
        self._kill_leftovers()
        self._remove_cgroups()
        self._unmount_all()
        shutil.rmtree(self.base, ignore_errors=True)
        for directory in HOST_DIRS:  # deepest first
            if directory not in self.host_dirs_before:
                with contextlib.suppress(OSError):
                    directory.rmdir()

    def leftovers(self) -> list[str]:
        """What of this daemon is still on the host (empty once `stop` has done its work)."""
        from engine.images.testing import mounts_under

        found = [f"process {pid}" for pid in self._leftover_pids()]
        found += [f"mount {m}" for m in mounts_under(self.base)]
        found += [f"cgroup {p}" for p in self._cgroup_paths()]
        return found + ([f"directory {self.base}"] if self.base.exists() else [])

    def _remove_containers(self) -> None:
        """Kill the containers first: dockerd would give each 10 s to heed SIGTERM before killing it."""
        if self.process is None or self.process.poll() is not None:
            return
        ids = self.docker("ps", "-aq", check=False, timeout=30).stdout.split()
        if ids:
            self.docker("rm", "-f", *ids, check=False, timeout=60)

    def _stop_daemon(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()  # dockerd stops its containers, then its containerd
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def _leftover_pids(self) -> list[int]:
        """Processes (containerd, shims) whose command line names our directory."""
        needle = str(self.base).encode()
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and int(entry.name) != os.getpid():
                with contextlib.suppress(OSError):
                    if needle in (entry / "cmdline").read_bytes():
                        found.append(int(entry.name))
        return found

    def _kill_leftovers(self) -> None:
        pids = self._leftover_pids()
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if pids:
            eventually(lambda: not self._leftover_pids(), timeout=10.0, what=f"the processes of {self.base}")

    def _cgroup_paths(self) -> list[str]:
        """Every cgroup under our parent on any hierarchy, relative to its root, deepest first."""
        found: set[str] = set()
        for root in CGROUP_ROOT.iterdir():
            top = root / self.cgroup_parent
            if top.is_dir():
                found |= {os.path.relpath(d, root) for d, _, _ in os.walk(top)}
        return sorted(found, key=lambda p: p.count("/"), reverse=True)

    def _remove_cgroups(self) -> None:
        from engine.cgroups.manager import Cgroup

        for path in self._cgroup_paths():
            Cgroup(path).remove()  # kills what is left in it, rmdir on every hierarchy, name=systemd too

    def _unmount_all(self) -> None:
        from engine.images.snapshots.mounts import unmount
        from engine.images.testing import mounts_under

        for _ in range(3):  # a detached mount may uncover one beneath it
            targets = mounts_under(self.base)
            if not targets:
                return
            for target in sorted(targets, key=len, reverse=True):
                unmount(target)
