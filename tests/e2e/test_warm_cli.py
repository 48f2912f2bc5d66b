"""The warm CLI server (compose/cli/warm.py): a command handed to it behaves as one run in place.

Each test has its own socket directory (PYCOMPOSE_WARM_DIR), so it starts its own server and never
meets a user's; the fixture stops that server and fails if anything of it is left. The client is
run as the `pycompose` launcher runs it (`compose.cli.warm.main`), always from the repository, so
that one server serves the whole test.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from compose.cli.warm import decode_request, encode_request, stop_servers
from tests.e2e.engine_env import REPO
from tests.waiting import eventually

if os.geteuid() != 0:  # loud, not skipped
    pytest.fail("the warm CLI tests need root (the server serves root only)", pytrace=False)


class Warm:
    def __init__(self, directory: Path, environ: dict[str, str]):
        self.directory = directory
        self.environ = {**environ, "PYCOMPOSE_WARM_DIR": str(directory)}

    def argv(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "compose.cli.warm", *args]

    def run(self, *args: str, stdin: str = "", **environ: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(self.argv(*args), cwd=REPO, env={**self.environ, **environ}, input=stdin,
                              capture_output=True, text=True, timeout=60, check=False)

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(self.argv(*args), cwd=REPO, env=self.environ, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def servers(self) -> list[int]:
        """The processes whose command line names this test's socket directory: the server and its children."""
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    argv = (entry / "cmdline").read_bytes()
                except OSError:
                    continue
                if str(self.directory).encode() in argv:
                    found.append(int(entry.name))
        return found

    def server(self) -> int:
        """The running server's pid, once its socket answers (the first command starts it in the background)."""
        def listening() -> int | None:
            sockets = list(self.directory.glob("*.sock"))
            servers = [pid for pid in self.servers() if _parent(pid) not in self.servers()]
            return servers[0] if sockets and len(servers) == 1 else None
        return eventually(listening, timeout=30, what="the warm server to listen")

    def commands(self, server: int) -> list[int]:
        """The server's children running a command: each leads a session of its own (the spare waiting for the
        next command does not, yet)."""
        children = [int(pid) for pid in Path(f"/proc/{server}/task/{server}/children").read_text().split()]
        return [pid for pid in children if _session(pid) == pid]


def _reading_stdin(pid: int) -> bool:
    """Whether the process sleeps in a read (of its stdin: it reads nothing else while loading a file from `-`)."""
    try:
        return "pipe_read" in Path(f"/proc/{pid}/wchan").read_text() and \
            Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "S"
    except OSError:
        return False


def _session(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[3])
    except (OSError, IndexError, ValueError):
        return 0


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


@pytest.fixture
def warm(tmp_path: Path, env) -> Iterator[Warm]:  # type: ignore[no-untyped-def]
    directory = tmp_path / "pycompose-warm"
    w = Warm(directory, env.environ)
    yield w
    stop_servers(str(directory))
    assert not w.servers()
    assert not directory.exists(), list(directory.iterdir())  # its socket, its lock file and the directory: nothing left


def _served(warm: Warm) -> int:
    """Start a server (the first command runs in place and starts it) and return its pid."""
    first = warm.run("version")
    assert first.returncode == 0, first.stderr
    return warm.server()


def test_a_served_command_reads_our_stdin_and_writes_our_streams(warm: Warm, tmp_path: Path) -> None:
    server = _served(warm)
    client = warm.start("-f", "-", "--project-directory", str(tmp_path), "config")
    # The command runs in a child of the server (not of the client), blocked on our stdin.
    eventually(lambda: warm.commands(server), what="the command to run in the server")
    out, err = client.communicate("services:\n  web:\n    image: busybox:${TAG:-latest}\n", timeout=30)
    assert client.returncode == 0, err
    assert "image: busybox:latest" in out


def test_served_and_local_commands_agree(warm: Warm, tmp_path: Path) -> None:
    _served(warm)
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: busybox:${TAG}\n    ports: ['8080:80']\n")
    for args in (["--project-directory", str(tmp_path), "config"],  # the environment and the working directory
                 ["-f", str(tmp_path / "compose.yaml"), "config", "--services"],
                 ["no-such-command"],  # a usage error: exit 2
                 ["-f", str(tmp_path / "missing.yaml"), "config"]):  # a user error: its own exit code
        served = warm.run(*args, TAG="1.2")
        local = warm.run(*args, TAG="1.2", PYCOMPOSE_WARM="0")
        assert (served.returncode, served.stdout, served.stderr) == (local.returncode, local.stdout, local.stderr)
    assert "busybox:1.2" in warm.run("--project-directory", str(tmp_path), "config", TAG="1.2").stdout


def test_a_container_runs_through_the_server(warm: Warm) -> None:
    _served(warm)
    done = warm.run("container", "run", "--rm", "--network", "none", "busybox", "sh", "-c", "echo out; echo err >&2; exit 3")
    assert (done.returncode, done.stdout, done.stderr) == (3, "out\n", "err\n")


def test_killing_the_client_kills_its_command(warm: Warm, tmp_path: Path) -> None:
    server = _served(warm)
    client = warm.start("-f", "-", "--project-directory", str(tmp_path), "config")
    [child] = eventually(lambda: warm.commands(server), what="the command to run in the server")
    client.kill()
    client.communicate(timeout=10)
    eventually(lambda: not Path(f"/proc/{child}").exists(), what="the command to die with its client")
    assert warm.run("version").returncode == 0  # and the server goes on serving


def test_ctrl_c_reaches_the_command(warm: Warm, tmp_path: Path) -> None:
    server = _served(warm)
    client = warm.start("-f", "-", "--project-directory", str(tmp_path), "config")
    [child] = eventually(lambda: warm.commands(server), what="the command to run in the server")
    eventually(lambda: _reading_stdin(child), what="the command to wait on its stdin")
    client.send_signal(signal.SIGINT)
    eventually(lambda: not Path(f"/proc/{child}").exists(), what="the interrupted command to end")
    _, err = client.communicate(timeout=10)  # (closing its stdin only now: the signal ended it, not an EOF)
    # As an interrupted command run in place ends (it is waiting on its stdin, as the served one was):
    local = subprocess.Popen(warm.argv("-f", "-", "--project-directory", str(tmp_path), "config"), cwd=REPO,
                             env={**warm.environ, "PYCOMPOSE_WARM": "0"}, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    eventually(lambda: _reading_stdin(local.pid), what="the local command to wait on its stdin")
    local.send_signal(signal.SIGINT)
    local.wait(timeout=10)
    _, local_err = local.communicate(timeout=10)
    assert (client.returncode, err) == (local.returncode, local_err)


def _state(pid: int) -> str:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


def test_ctrl_z_stops_the_command_and_fg_resumes_it(warm: Warm, tmp_path: Path) -> None:
    server = _served(warm)
    client = warm.start("-f", "-", "--project-directory", str(tmp_path), "config")
    [child] = eventually(lambda: warm.commands(server), what="the command to run in the server")
    client.send_signal(signal.SIGTSTP)
    eventually(lambda: _state(child) == "T" and _state(client.pid) == "T", what="the command and its client to stop")
    client.send_signal(signal.SIGCONT)
    eventually(lambda: _state(child) != "T" and _state(client.pid) != "T", what="both to run again")
    out, err = client.communicate("services:\n  web:\n    image: busybox\n", timeout=30)
    assert client.returncode == 0 and "image: busybox" in out, err


def _spare(warm: Warm, server: int) -> int:
    """The child the server forked ahead of the next command, once it waits (it leads no session yet)."""
    def waiting() -> int | None:
        children = [int(pid) for pid in Path(f"/proc/{server}/task/{server}/children").read_text().split()]
        spares = [pid for pid in children if _session(pid) != pid]
        return spares[0] if len(spares) == 1 else None
    return eventually(waiting, what="the server's spare child")


def _private_dirty_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Private_Dirty:"):
            return int(line.split()[1])
    raise AssertionError(f"no Private_Dirty in /proc/{pid}/smaps_rollup")


def test_the_next_commands_child_waits_with_its_memory_its_own(warm: Warm, tmp_path: Path) -> None:
    server = _served(warm)
    spare = _spare(warm, server)
    # It copies what it shares with the server before any command, so that a command does not fault on each page.
    eventually(lambda: _private_dirty_kb(spare) > _private_dirty_kb(server) // 2, timeout=30,
               what="the spare to own most of the server's memory")
    client = warm.start("-f", "-", "--project-directory", str(tmp_path), "config")
    assert eventually(lambda: warm.commands(server), what="the command to run in the server") == [spare]
    out, err = client.communicate("services:\n  web:\n    image: busybox\n", timeout=30)
    assert client.returncode == 0 and "image: busybox" in out, err
    # Once it has ended, another waits for the next command.
    eventually(lambda: _spare(warm, server) != spare, what="a new spare")


def test_a_command_is_served_when_the_spare_is_gone(warm: Warm, tmp_path: Path) -> None:
    server = _served(warm)
    spare = _spare(warm, server)
    os.kill(spare, signal.SIGKILL)
    eventually(lambda: _state(spare) == "Z", what="the spare to die")
    client = warm.start("-f", "-", "--project-directory", str(tmp_path), "config")
    [child] = eventually(lambda: warm.commands(server), what="the command to run in the server")
    assert child != spare
    out, err = client.communicate("services:\n  web:\n    image: busybox\n", timeout=30)
    assert client.returncode == 0 and "image: busybox" in out, err
    assert not Path(f"/proc/{spare}").exists()  # reaped


def test_a_changed_source_retires_the_server(warm: Warm) -> None:
    server = _served(warm)
    source = REPO / "compose" / "cli" / "version_cmd.py"
    before = source.stat()
    try:
        os.utime(source, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
        done = warm.run("version")  # answered "stale": run in place, and a new server started
        assert done.returncode == 0 and "pycompose version" in done.stdout
        eventually(lambda: not Path(f"/proc/{server}").exists(), what="the stale server to leave")
        assert warm.server() != server
    finally:
        os.utime(source, ns=(before.st_atime_ns, before.st_mtime_ns))


def test_an_idle_server_leaves(warm: Warm) -> None:
    warm.environ["PYCOMPOSE_WARM_IDLE"] = "0.5"
    server = _served(warm)
    began = time.monotonic()
    eventually(lambda: not Path(f"/proc/{server}").exists(), timeout=15, what="the idle server to leave")
    assert time.monotonic() - began < 10
    assert not warm.directory.exists()


def test_requests_survive_any_argument_and_variable() -> None:
    argv = ["pycompose", "a=b", "", "ünï", os.fsdecode(b"\xff\xfe"), "--x= y"]
    environ = {"A": "1=2", "EMPTY": "", "B": os.fsdecode(b"\xc3")}
    sent = encode_request([os.fsencode(a) for a in argv], b"/tmp/dir with space", 0o022,
                          {os.fsencode(k): os.fsencode(v) for k, v in environ.items()})
    assert decode_request(sent) == (argv, "/tmp/dir with space", 0o022, environ)
