"""The supervisor's launcher for engine containers: an OCI runtime's `run`, in the foreground.

The supervised child is the runtime itself (`runc run`, `crun run`, or for the native
runtime `engine.containers.shim`, which is its `run` plus joining the container's
cgroup), so the child's exit code is the container's and the supervisor needs no
knowledge of bundles. The runtime writes the container's pid to `<bundle>/init.pid`
once it runs: signals go there (SIGKILL cannot be forwarded), or to the runtime
before that.

Cost: the runtime stays resident while the container runs. For runc and crun that
is their own process (a few MB of Go or C); for the native runtime a Python
process (see bench/ for its PSS).

`record.config.launch`:
    {"runtime": "native"|"runc"|"crun", "bundle": B, "root": runtime state root,
     "cgroup_procs": [cgroup.procs files], "pythonpath": the engine's parent directory}
"""

from __future__ import annotations

import contextlib
import os
import sys

from engine.state.record import ContainerRecord
from engine.supervisor.launcher import LaunchFailed, spawn

PID_FILE, ERROR_FILE = "init.pid", "start.error"
BINARIES = {"runc": "runc", "crun": "crun"}


def _env(launch: dict) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"), "LANG": "C.UTF-8",
            "PYTHONPATH": str(launch.get("pythonpath", ""))}


def runtime_argv(launch: dict) -> list[str]:
    runtime, bundle = launch.get("runtime", "native"), launch["bundle"]
    pid_file = os.path.join(bundle, PID_FILE)
    if runtime == "native":
        return [sys.executable, "-S", "-m", "engine.containers.shim", launch["root"], bundle, launch["id"],
                *launch.get("cgroup_procs", ())]
    if runtime not in BINARIES:
        raise LaunchFailed(f"start container: unknown runtime `{runtime}`")
    return [BINARIES[runtime], "--root", launch["root"], "run", "--bundle", bundle, "--pid-file", pid_file,
            launch["id"]]


def exec_argv(launch: dict, argv: list[str]) -> list[str]:
    runtime = launch.get("runtime", "native")
    head = [sys.executable, "-S", "-m", "engine.runtime"] if runtime == "native" else [BINARIES[runtime]]
    return [*head, "--root", launch["root"], "exec", launch["id"], *argv]


def container_pid(launch: dict) -> int | None:
    try:
        with open(os.path.join(launch["bundle"], PID_FILE)) as f:
            return int(f.read().strip() or 0) or None
    except (OSError, ValueError):
        return None


class RuntimeLauncher:
    def start(self, record: ContainerRecord, stdout: int, stderr: int) -> int:
        launch = record.config.launch
        for name in (PID_FILE, ERROR_FILE):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(launch["bundle"], name))
        return spawn(runtime_argv(launch), _env(launch), "/", stdout, stderr)

    def exec(self, record: ContainerRecord, argv: list[str], output: int) -> int:
        launch = record.config.launch
        return spawn(exec_argv(launch, argv), _env(launch), "/", output, output)

    def signal(self, record: ContainerRecord, pid: int, sig: int) -> None:
        os.kill(pid, 0)  # the runtime is gone: so is the container (ProcessLookupError)
        target = container_pid(record.config.launch)
        try:
            os.kill(target or pid, sig)
        except ProcessLookupError:
            os.kill(pid, sig)
