"""The CLI's side of the supervisor: start the daemon on first use, send it one request at a time.

    sup = Supervisor(state_root, run_root)
    sup.start(record.id)                  # starts the daemon if none answers
    sup.stop(record.id, timeout=10)       # returns once the container has exited
    sock, answer = sup.attach(record.id, stdin=True)   # its output (and our input) until it exits
    sup.shutdown()                        # the daemon ends; running containers do not
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import engine
from engine.errors import EngineError
from pycompose.errors import Conflict, InvalidArgument, NotFound, Unavailable

SOCKET, PIDFILE = "supervisor.sock", "supervisor.pid"
PROGRAM = "pycompose-supervisor"


class SupervisorUnavailable(EngineError, Unavailable):
    pass


class SupervisorConflict(EngineError, Conflict):
    pass


class SupervisorNotFound(EngineError, NotFound):
    pass


class SupervisorInvalid(EngineError, InvalidArgument):
    pass


ERRORS: dict[str, type[EngineError]] = {
    "Conflict": SupervisorConflict, "NotFound": SupervisorNotFound,
    "InvalidArgument": SupervisorInvalid, "Unavailable": SupervisorUnavailable,
}


class Supervisor:
    def __init__(self, state_root: str | os.PathLike[str], run_root: str | os.PathLike[str]):
        self.state_root, self.run_root = str(state_root), Path(run_root)
        self.socket = self.run_root / SOCKET

    def pid(self) -> int | None:
        """The daemon's pid if one answers, else None."""
        try:
            return int(self._send({"op": "ping"}, timeout=2.0)["pid"])
        except (OSError, ValueError):
            return None

    def ensure(self) -> int:
        """The daemon's pid, starting one if none answers."""
        pid = self.pid()
        if pid is not None:
            return pid
        self.run_root.mkdir(parents=True, exist_ok=True)
        with open(self.run_root / "supervisor.spawn", "w") as lock:  # one starter at a time
            fcntl.flock(lock, fcntl.LOCK_EX)
            pid = self.pid()
            if pid is None:
                self._spawn()
                pid = self.pid()
        if pid is None:
            raise SupervisorUnavailable(f"start supervisor for `{self.run_root}`: it does not answer",
                                        hint=f"see {self.run_root / 'supervisor.log'}")
        return pid

    def _spawn(self) -> None:
        root = str(Path(engine.__file__).resolve().parent.parent)
        env = {"PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"), "PYTHONPATH": root,
               "PYTHONDONTWRITEBYTECODE": "1", "LANG": "C.UTF-8"}
        argv = [sys.executable, "-S", "-m", "engine.supervisor", PROGRAM,
                "--state-root", self.state_root, "--run-root", str(self.run_root)]
        done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False, cwd="/")
        if done.returncode not in (0, 3):  # 3: another starter won the race; fine
            raise SupervisorUnavailable(f"start supervisor for `{self.run_root}`: {done.stderr.strip()}")

    def request(self, op: str, *, deadline: float | None = None, **args: Any) -> dict[str, Any]:
        """One request; `deadline` bounds the wait for the answer in seconds (None: no bound).

        Sent at once: only when no daemon listens (no socket, or nobody behind it) is one started first,
        so a request costs one round trip, not a ping and then the request."""
        answer = self._call(op, deadline, args, spawn=True)
        assert answer is not None
        return answer

    def request_if_running(self, op: str, **args: Any) -> dict[str, Any] | None:
        """`request`, but None when no daemon listens, for what has nothing to do then (`forget`)."""
        return self._call(op, None, args, spawn=False)

    def _call(self, op: str, deadline: float | None, args: dict[str, Any], *, spawn: bool) -> dict[str, Any] | None:
        try:
            try:
                answer = self._send({"op": op, **args}, timeout=deadline)
            except (FileNotFoundError, ConnectionRefusedError):
                if not spawn:
                    return None
                self.ensure()
                answer = self._send({"op": op, **args}, timeout=deadline)
        except OSError as e:
            raise SupervisorUnavailable(f"{op} through supervisor `{self.socket}`: {e.strerror or e}") from e
        if not answer.get("ok"):
            raise ERRORS.get(answer.get("kind", ""), SupervisorUnavailable)(answer["message"], hint=answer.get("hint"))
        return answer

    def _send(self, request: dict[str, Any], timeout: float | None) -> dict[str, Any]:
        with self._connect(timeout) as sock:
            sock.sendall(json.dumps(request).encode() + b"\n")
            data = b""
            while not data.endswith(b"\n"):
                chunk = sock.recv(65536)
                if not chunk:
                    raise ConnectionResetError("the supervisor closed the connection")
                data += chunk
        return json.loads(data)

    def start(self, container_id: str) -> int:
        return int(self.request("start", id=container_id)["pid"])

    def stop(self, container_id: str, timeout: float | None = None) -> int | None:
        return self.request("stop", id=container_id, timeout=timeout)["exit_code"]

    def kill(self, container_id: str, signal: str | int = "SIGKILL") -> None:
        self.request("kill", id=container_id, signal=signal)

    def wait(self, container_id: str, timeout: float | None = None) -> int | None:
        return self.request("wait", deadline=timeout, id=container_id)["exit_code"]

    def attach(self, container_id: str, stdin: bool = False) -> tuple[socket.socket, dict[str, Any]]:
        """A connection that carries the container's output (and the caller's input, with `stdin` when the
        container keeps its stdin open) until it exits; the answer says `tty` and whether `stdin` is taken.
        See engine.supervisor.attach for what flows on it."""
        try:
            try:
                sock = self._connect(timeout=10.0)
            except (FileNotFoundError, ConnectionRefusedError):  # no daemon listens: start one (see `request`)
                self.ensure()
                sock = self._connect(timeout=10.0)
        except OSError as e:
            raise SupervisorUnavailable(f"attach through supervisor `{self.socket}`: {e.strerror or e}") from e
        try:
            sock.sendall(json.dumps({"op": "attach", "id": container_id, "stdin": stdin}).encode() + b"\n")
            data = _answer_line(sock)
            sock.settimeout(None)
        except OSError as e:
            sock.close()
            raise SupervisorUnavailable(f"attach through supervisor `{self.socket}`: {e.strerror or e}") from e
        answer = json.loads(data)
        if not answer.get("ok"):
            sock.close()
            raise ERRORS.get(answer.get("kind", ""), SupervisorUnavailable)(answer["message"], hint=answer.get("hint"))
        return sock, answer

    def _connect(self, timeout: float | None) -> socket.socket:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(timeout)
            sock.connect(str(self.socket))
        except BaseException:
            sock.close()
            raise
        return sock

    def resize(self, container_id: str, rows: int, cols: int) -> None:
        self.request("resize", id=container_id, rows=rows, cols=cols)

    def forget(self, container_id: str) -> None:
        """The container's record is about to go: the daemon stops watching it (no daemon: nothing to do)."""
        self.request_if_running("forget", id=container_id)

    def shutdown(self) -> None:
        """End the daemon (its containers keep running) and return once it has gone."""
        pid = self.pid()
        if pid is None:
            return
        with contextlib.suppress(OSError):
            self._send({"op": "shutdown"}, timeout=5.0)
        wait_gone(pid, 10.0)


def _answer_line(sock: socket.socket) -> bytes:
    """The answer's line and nothing after it (what follows is the container's): looked at before it is taken."""
    data = b""
    while True:
        ahead = sock.recv(4096, socket.MSG_PEEK)
        if not ahead:
            raise ConnectionResetError("the supervisor closed the connection")
        end = ahead.find(b"\n")
        data += sock.recv(len(ahead) if end < 0 else end + 1)
        if end >= 0:
            return data


def wait_gone(pid: int, timeout: float) -> bool:
    """Wait until process `pid` has ended (it is not our child: watch it through a pidfd)."""
    import select

    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        return bool(select.select([fd], [], [], timeout)[0])
    finally:
        os.close(fd)
