"""The supervisor's launcher for engine containers: an OCI runtime's `create` and `start`, as conmon drives runc.

`start` forks a short-lived creator (a child of the supervisor, in a session of its
own, the container's stdout/stderr as its own): it runs the runtime's `create`
(the container's process sets itself up and waits on the runtime's exec fifo; its
pid goes to `<bundle>/init.pid`), then `start`, and exits. The container's
process, orphaned, is reparented to the supervisor (a child subreaper), which reaps
it: no process of ours stays resident per container. The native runtime's create
and start run inside the creator itself (the runtime is imported there, never in
the supervisor), with `on_fork` placing the new process in the container's cgroups
before it makes its cgroup namespace; runc and crun are run as commands
(`runc delete` of what an earlier run left, `create --pid-file`, `start`), and
place it themselves (`linux.cgroupsPath`).

With a terminal (`Stdio.console`), the creator listens on a console socket
(`<runtime root>/<id[:12]>.console`) and passes it to the runtime's create
(`--console-socket`, as runc takes it); the runtime sends the pty's master there,
and the creator hands it on to the supervisor through `Stdio.console` before it
starts the container.

When the container cannot be created, the reason goes to `<bundle>/start.error`
(not to the container's log: the container never ran) and the creator exits 127
(not found), 126 (not runnable) or 1; `created` raises it as LaunchFailed.

`run_native` and `run_cli` are the runner of a container run in the foreground, without the
supervisor (engine.containers.foreground: build steps): the runtime's `run`, which waits for the
container's process (its child) and returns its exit code; start failures go to start.error too.

`record.config.launch`:
    {"runtime": "native"|"runc"|"crun", "bundle": B, "root": runtime state root, "id": ID,
     "cgroup_procs": [cgroup.procs files], "pythonpath": the engine's parent directory}
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Callable

from engine.state.record import ContainerRecord
from engine.supervisor.launcher import CONSOLE_FD, LaunchFailed, Stdio, detach, send_master, spawn

PID_FILE, ERROR_FILE, RUNTIME_LOG = "init.pid", "start.error", "runtime.log"
BINARIES = {"runc": "runc", "crun": "crun"}
HYBRID_V2 = "/sys/fs/cgroup/unified"
# crun 1.8 refuses a hybrid cgroup host ("cgroups in hybrid mode not supported"): it runs in a
# private mount namespace without the cgroup2 mount, and so sees (and uses) the v1 hierarchy only
CRUN_ON_HYBRID = ["unshare", "--mount", "sh", "-c", f'umount {HYBRID_V2} 2>/dev/null; exec crun "$@"', "crun"]


def runtime_head(runtime: str) -> list[str]:
    """The command line that runs `runtime` (runc or crun) on this host."""
    if runtime == "crun" and os.path.ismount(HYBRID_V2):
        return list(CRUN_ON_HYBRID)
    return [BINARIES[runtime]]


def _env(launch: dict) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"), "LANG": "C.UTF-8",
            "PYTHONPATH": str(launch.get("pythonpath", ""))}


def exec_argv(launch: dict, argv: list[str]) -> list[str]:
    runtime = launch.get("runtime", "native")
    head = [sys.executable, "-S", "-m", "engine.runtime"] if runtime == "native" else runtime_head(runtime)
    return [*head, "--root", launch["root"], "exec", launch["id"], *argv]


def container_pid(launch: dict) -> int | None:
    try:
        with open(os.path.join(launch["bundle"], PID_FILE)) as f:
            return int(f.read().strip() or 0) or None
    except (OSError, ValueError):
        return None


def _failed(launch: dict, message: str, code: int) -> int:
    with open(os.path.join(launch["bundle"], ERROR_FILE), "w") as f:
        f.write(message)
    return code


# -- in the creator (a forked child of the supervisor) ---------------------------------------
def console_path(launch: dict) -> str:
    """The console socket the runtime sends the pty's master to (a unix socket's path: at most 107 bytes)."""
    return os.path.join(launch["root"], f"{launch['id'][:12]}.console")


def with_console(launch: dict, work: Callable[[dict, str | None], int]) -> int:
    """`work(launch, console socket path)`, then the master it received passed on to the supervisor."""
    import socket

    path = console_path(launch)
    if len(path.encode()) > 107:
        return _failed(launch, f"start container: console socket path `{path}` is too long for a unix socket", 1)
    os.makedirs(launch["root"], exist_ok=True)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
        listener.bind(path)
        listener.listen(1)
        listener.settimeout(10.0)  # the runtime has connected by the time create returns
        try:
            code = work(launch, path)
            if code != 0:
                return code
            try:
                conn, _ = listener.accept()
                with conn:
                    _, fds, _, _ = socket.recv_fds(conn, 1024, 1)
            except OSError as e:
                return _failed(launch, f"start container: receive its terminal: {e.strerror or e}", 1)
            if not fds:
                return _failed(launch, "start container: the runtime sent no terminal", 1)
            send_master(CONSOLE_FD, fds[0])
            return 0
        finally:
            os.unlink(path)


def _cgroup_joiner(launch: dict) -> Callable[[int], None] | None:
    """What places the container's new process in its cgroups (None: the runtime places it)."""
    procs = list(launch.get("cgroup_procs", ()))

    def join(pid: int) -> None:
        for path in procs:
            with open(path, "w") as f:
                f.write(str(pid))

    return join if procs else None


def _start_failure(launch: dict, e: BaseException) -> int:
    """The creator's or runner's report of a container that could not start: start.error, and its exit code."""
    from engine.runtime.process import ExecFailed
    from pycompose.errors import PycomposeError

    if isinstance(e, PycomposeError | OSError):
        message = e.message if isinstance(e, PycomposeError) else f"start container: {e}"
        return _failed(launch, message, e.exit_code if isinstance(e, ExecFailed) else 1)
    return _failed(launch, f"start container: {e!r}", 1)


def create_native(launch: dict, console_socket: str | None = None) -> int:
    """The native runtime's delete (of a stopped earlier run), create and start; the creator's exit code."""
    from engine.runtime import launch as runtime
    from engine.runtime.errors import ContainerNotFound
    from engine.runtime.state import Store

    store, cid = Store(launch["root"]), launch["id"]
    try:
        with contextlib.suppress(ContainerNotFound):
            runtime.delete(store, cid)  # refused (and create then fails) if it still runs
        runtime.create(store, cid, launch["bundle"], pid_file=os.path.join(launch["bundle"], PID_FILE),
                       console_socket=console_socket, on_fork=_cgroup_joiner(launch))
        try:
            runtime.start(store, cid)
        except BaseException:
            runtime.delete(store, cid, force=True)
            raise
    except BaseException as e:  # noqa: BLE001 - the creator reports, it never unwinds into supervisor code
        return _start_failure(launch, e)
    return 0


def run_native(launch: dict) -> int:
    """In the runner: the native runtime's `run` (create, start, wait); the container's exit code."""
    from engine.runtime import launch as runtime
    from engine.runtime.state import Store

    try:
        return runtime.run(Store(launch["root"]), launch["id"], launch["bundle"],
                           pid_file=os.path.join(launch["bundle"], PID_FILE), on_fork=_cgroup_joiner(launch))
    except BaseException as e:  # noqa: BLE001 - the runner reports, it never unwinds into its caller's code
        return _start_failure(launch, e)


def _cli(launch: dict) -> tuple[dict[str, str], str, str, list[str], str]:
    """(environment, bundle, id, the runtime's command head with its root, its fresh --log file)."""
    env, bundle, cid = _env(launch), launch["bundle"], launch["id"]
    log = os.path.join(bundle, RUNTIME_LOG)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(log)
    return env, bundle, cid, [*runtime_head(launch["runtime"]), "--root", launch["root"]], log


def run_cli(launch: dict) -> int:
    """In the runner: `<runtime> run` (it places the cgroups itself); the container's exit code."""
    env, bundle, cid, base, log = _cli(launch)
    try:
        _call([*base, "delete", "--force", cid], env, quiet=True)
        code = _call([*base, "--log", log, "--log-format", "json", "run", "--bundle", bundle,
                      "--pid-file", os.path.join(bundle, PID_FILE), cid], env)
    except LaunchFailed as e:
        return _failed(launch, e.message, 127)
    message = _runtime_error(log)
    return _failed(launch, message, exit_code_for(message)) if message else code


def exec_native(launch: dict, argv: list[str]) -> int:
    """In a fork of the supervisor: what `pycompose-runtime exec ID ARGV` does (the container's own process spec
    with these args, in its namespaces, cgroups and seccomp filter), without starting an interpreter for it: a
    healthcheck probe costs a fork, not a Python start-up and the runtime's imports (~70 ms of CPU each, which
    thirty containers probed every second turn into two busy cores). The probe's exit code."""
    from engine.runtime import spec
    from engine.runtime.execin import exec_in
    from engine.runtime.process import ExecFailed
    from engine.runtime.state import Store
    from pycompose.errors import PycomposeError

    try:
        for path in launch.get("cgroup_procs", ()):  # the container's cgroups, as the CLI's exec joins them
            with open(path, "w") as f:
                f.write(str(os.getpid()))
        store = Store(launch["root"])
        base = spec.load(store.load(launch["id"]).bundle).process
        return exec_in(store, launch["id"], base._replace(args=tuple(argv), terminal=False))
    except (PycomposeError, OSError) as e:
        os.write(2, f"{e.message if isinstance(e, PycomposeError) else e}\n".encode())
        return e.exit_code if isinstance(e, ExecFailed) else 1


def _call(argv: list[str], env: dict[str, str], quiet: bool = False) -> int:
    """Run a runtime command to its end; its exit code. `quiet`: its output to /dev/null, not the container's."""
    actions = [(os.POSIX_SPAWN_OPEN, fd, os.devnull, os.O_WRONLY, 0) for fd in (1, 2)] if quiet else []
    try:
        pid = os.posix_spawnp(argv[0], argv, env, file_actions=actions)
    except OSError as e:
        raise LaunchFailed(f"run `{argv[0]}`: {e.strerror}") from None
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def _runtime_error(log: str) -> str:
    """The last error the runtime wrote to its `--log` (JSON lines)."""
    message = ""
    with contextlib.suppress(OSError), open(log) as f:
        for line in f:
            with contextlib.suppress(ValueError):
                entry = json.loads(line)
                if entry.get("level") in ("error", "fatal"):
                    message = str(entry.get("msg", ""))
    return message


def exit_code_for(message: str) -> int:
    """Docker's mapping of a runtime's words to the shell's codes."""
    lowered = message.lower()
    if "executable file not found" in lowered or "no such file or directory" in lowered:
        return 127
    if "permission denied" in lowered or "exec format error" in lowered:
        return 126
    return 1


def create_cli(launch: dict, console_socket: str | None = None) -> int:
    """`<runtime> delete` (of an earlier run), `create --pid-file`, `start`; the creator's exit code."""
    env, bundle, cid, base, log = _cli(launch)
    try:
        _call([*base, "delete", cid], env, quiet=True)
        console = ["--console-socket", console_socket] if console_socket else []
        code = _call([*base, "--log", log, "--log-format", "json", "create", "--bundle", bundle,
                      "--pid-file", os.path.join(bundle, PID_FILE), *console, cid], env)
        if code != 0:
            message = _runtime_error(log) or f"{launch['runtime']} create exited with code {code}"
            return _failed(launch, message, exit_code_for(message))
        code = _call([*base, "--log", log, "--log-format", "json", "start", cid], env)
        if code != 0:
            _call([*base, "delete", "--force", cid], env, quiet=True)
            return _failed(launch, _runtime_error(log) or f"{launch['runtime']} start exited with code {code}", 1)
    except LaunchFailed as e:
        return _failed(launch, e.message, 127)
    return 0


class RuntimeLauncher:
    creates = True

    def start(self, record: ContainerRecord, stdio: Stdio) -> int:
        launch = record.config.launch
        runtime = launch.get("runtime", "native")
        if runtime != "native" and runtime not in BINARIES:
            raise LaunchFailed(f"start container: unknown runtime `{runtime}`", exit_code=1)
        for name in (PID_FILE, ERROR_FILE):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(launch["bundle"], name))
        if runtime == "native":
            import engine.runtime.launch  # noqa: F401 - in the supervisor, once (~0.4 MB): not in every creator
        work = create_native if runtime == "native" else create_cli
        if stdio.console >= 0:
            return detach(lambda: with_console(launch, work), stdio)
        return detach(lambda: work(launch), stdio)

    def created(self, record: ContainerRecord, status: int) -> int:
        launch = record.config.launch
        code = os.waitstatus_to_exitcode(status) if status >= 0 else 1
        pid = container_pid(launch)
        if code == 0 and pid:
            return pid
        try:
            with open(os.path.join(launch["bundle"], ERROR_FILE)) as f:
                message = f.read().strip()
        except OSError:
            message = f"start container: the runtime's create exited with code {code}"
        raise LaunchFailed(message, exit_code=code if code > 0 else 1)

    def exec(self, record: ContainerRecord, argv: list[str], output: int) -> int:
        launch = record.config.launch
        if launch.get("runtime", "native") == "native":
            import engine.runtime.execin  # noqa: F401 - in the supervisor, once: every probe's fork has it loaded
            return detach(lambda: exec_native(launch, argv), Stdio(-1, output, output))
        return spawn(exec_argv(launch, argv), _env(launch), "/", Stdio(-1, output, output))

    def signal(self, record: ContainerRecord, pid: int, sig: int) -> None:
        os.kill(pid, sig)
