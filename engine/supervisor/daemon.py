"""The supervisor daemon: a control socket, the supervised containers, one event loop.

Protocol: a client connects to <run root>/supervisor.sock, sends one JSON object and
a newline (`{"op": "start", "id": "..."}`), and reads one JSON object back:
`{"ok": true, ...}` or `{"ok": false, "kind": "Conflict", "message": "..."}`.
`stop` and `wait` answer when the container has exited.

    ping                    -> pid
    start   id              -> pid, once it runs         (created|exited -> running)
    stop    id [timeout]    -> exit_code, after the exit (stop signal, SIGKILL after timeout)
    kill    id signal
    wait    id              -> exit_code, after the exit
    attach  id [stdin]      -> tty; then the connection carries the container's output and the
                               client's input (engine.supervisor.attach) until the container exits
    resize  id rows cols    (the container's pty; nothing without one)
    forget  id              (the record is about to be removed)
    shutdown                (the daemon ends; containers keep running and are adopted by the next)
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from engine.errors import EngineError
from engine.state import liveness
from engine.state.lifecycle import ACTIVE
from engine.state.record import ContainerRecord
from engine.state.store import Store
from engine.supervisor.container import Supervised, parse_signal
from engine.supervisor.loop import Loop
from pycompose.errors import Conflict, PycomposeError

SOCKET, LOCK, PIDFILE = "supervisor.sock", "supervisor.lock", "supervisor.pid"
KINDS = ("InvalidArgument", "NotFound", "Conflict", "Unavailable")

Reply = Callable[[dict[str, Any]], None]


class AlreadyRunning(Exception):
    pass


class AttachRefused(EngineError, Conflict):
    pass


def error_reply(e: BaseException) -> dict[str, Any]:
    if isinstance(e, PycomposeError):
        kind = next((k.__name__ for k in type(e).__mro__ if k.__name__ in KINDS), "Unavailable")
        return {"ok": False, "kind": kind, "message": e.message, "hint": e.hint}
    __import__("traceback").print_exc(file=sys.stderr)  # imported when needed: 0.4 MB
    return {"ok": False, "kind": "Unavailable", "message": f"supervisor: {type(e).__name__}: {e}"}


class Connection:
    def __init__(self, daemon: Daemon, sock: socket.socket):
        self.daemon, self.sock, self.buffer = daemon, sock, b""
        sock.setblocking(False)
        daemon.loop.add_reader(sock.fileno(), self.readable)

    def readable(self) -> None:
        try:
            data = self.sock.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        self.buffer += data
        if b"\n" in self.buffer or not data or len(self.buffer) > 1 << 20:
            self.daemon.loop.remove_reader(self.sock.fileno())
            line = self.buffer.partition(b"\n")[0]
            if not line.strip():
                self.sock.close()
                return
            try:
                request = json.loads(line)
                if request.get("op") == "attach":
                    self.daemon.op_attach(request, self)
                else:
                    self.daemon.handle(request, self.reply)
            except Exception as e:  # noqa: BLE001 (one bad request must not end the daemon)
                self.reply(error_reply(e))

    def reply(self, answer: dict[str, Any]) -> None:
        try:
            self.answer(answer)
        except OSError:
            pass
        finally:
            self.sock.close()

    def answer(self, answer: dict[str, Any]) -> None:
        self.sock.setblocking(True)
        self.sock.settimeout(2.0)
        self.sock.sendall(json.dumps(answer).encode() + b"\n")

    def hand_over(self, answer: dict[str, Any]) -> tuple[socket.socket, bytes]:
        """Answer, and give up the connection (with what the client sent after its request) to whoever keeps it."""
        self.answer(answer)
        return self.sock, self.buffer.partition(b"\n")[2]


class Daemon:
    def __init__(self, state_root: str, run_root: str):
        self.state_root = state_root
        self.store = Store(state_root)
        self.run_root = Path(run_root)
        self.run_root.mkdir(parents=True, exist_ok=True)
        self.identity = (os.getpid(), liveness.start_time(os.getpid()) or 0)
        self.containers: dict[str, Supervised] = {}
        self.closing = False
        self.lock_fd = os.open(self.run_root / LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(self.lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AlreadyRunning(f"a supervisor already runs for {run_root}") from None
        self.loop = Loop()
        path = self.run_root / SOCKET
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(str(path))
        self.server.listen(64)
        self.server.setblocking(False)
        self.loop.add_reader(self.server.fileno(), self.accept)
        (self.run_root / PIDFILE).write_text(f"{os.getpid()}\n")
        signal.signal(signal.SIGTERM, lambda *_: self.shutdown())
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)

    def accept(self) -> None:
        try:
            sock, _ = self.server.accept()
        except BlockingIOError:
            return
        Connection(self, sock)

    def adopt_all(self) -> None:
        """Take over the containers a dead supervisor left running; record the truth about the rest."""
        for record in self.store.list():
            if record.state not in ACTIVE:
                continue
            truth = liveness.observe(record.replace(supervisor=(0, 0)))
            if truth.state in ACTIVE and truth.state != "restarting":
                self.supervised(record.id).adopt(record)
            else:
                truth = self.store.update(record.id, lambda r, t=truth: t if r.state in ACTIVE else r)
                if truth.config.launch.get("remove_on_exit"):
                    self.remove_later(truth)  # it ended while no supervisor ran
                if (self.run_root / "containers" / record.id / "keeper").exists():
                    from engine.supervisor.keeper import Keeper

                    keeper = Keeper.load(str(self.run_root / "containers" / record.id))
                    if keeper is not None:  # what it kept open has nobody left to read it
                        keeper.release()

    def supervised(self, container_id: str) -> Supervised:
        if container_id not in self.containers:
            self.containers[container_id] = Supervised(self, container_id)
        return self.containers[container_id]

    def handle(self, request: dict[str, Any], reply: Reply) -> None:
        op = request.get("op")
        if op == "ping":
            reply({"ok": True, "pid": os.getpid()})
        elif op == "shutdown":
            reply({"ok": True})
            self.shutdown()
        elif op in ("start", "stop", "kill", "wait", "forget", "resize"):
            container_id = self.store.get(request["id"]).id
            getattr(self, "op_" + op)(container_id, request, reply)
        else:
            reply({"ok": False, "kind": "InvalidArgument", "message": f"supervisor: unknown operation `{op}`"})

    def op_start(self, container_id: str, request: dict[str, Any], reply: Reply) -> None:
        def done(record: ContainerRecord, error: BaseException | None) -> None:
            reply(error_reply(error) if error is not None else {"ok": True, "pid": record.pid})

        self.supervised(container_id).start(done=done)

    def op_stop(self, container_id: str, request: dict[str, Any], reply: Reply) -> None:
        self.supervised(container_id).stop(request.get("timeout"), lambda r: reply(exited(r)))

    def op_kill(self, container_id: str, request: dict[str, Any], reply: Reply) -> None:
        self.supervised(container_id).kill(parse_signal(request.get("signal", "SIGKILL")))
        reply({"ok": True})

    def op_wait(self, container_id: str, request: dict[str, Any], reply: Reply) -> None:
        self.supervised(container_id).wait(lambda r: reply(exited(r)))

    def op_attach(self, request: dict[str, Any], connection: Connection) -> None:
        record = self.store.get(request["id"])
        if record.state in ("removing", "dead"):
            raise AttachRefused(f"cannot attach to container `{record.name}`: it is {record.state}")
        sup = self.supervised(record.id)
        try:
            sock, early = connection.hand_over({"ok": True, "tty": record.config.tty,
                                                "stdin": bool(request.get("stdin")) and record.config.open_stdin})
        except OSError:
            connection.sock.close()
            return
        sup.io.attach(sock, record, bool(request.get("stdin")), early)
        if not (sup.pid or sup.creating or sup.timer is not None or record.state in ("created", "exited")):
            sup.io.ended()  # nothing runs, nor is about to: nothing will come

    def op_resize(self, container_id: str, request: dict[str, Any], reply: Reply) -> None:
        self.supervised(container_id).io.resize(int(request["rows"]), int(request["cols"]))
        reply({"ok": True})

    def op_forget(self, container_id: str, request: dict[str, Any], reply: Reply) -> None:
        sup = self.containers.pop(container_id, None)
        if sup is not None:
            sup.close()
        reply({"ok": True})

    def remove_later(self, record: ContainerRecord) -> None:
        """`run -d --rm`: the exited container is removed as `container rm -f -v` does it (its networks, DNS
        names and anonymous volumes too), by a child of ours, as Docker's daemon removes it; errors go to our log."""
        from engine.supervisor.launcher import LaunchFailed, Stdio, spawn

        env = {"PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"), "LANG": "C.UTF-8",
               "PYTHONPATH": str(record.config.launch.get("pythonpath", "")),
               "PYCOMPOSE_ROOT": self.state_root, "PYCOMPOSE_RUN_ROOT": str(self.run_root)}
        argv = [sys.executable, "-m", "compose.cli.main", "container", "rm", "--force", "--volumes", record.id]
        quiet = os.open(os.devnull, os.O_WRONLY | os.O_CLOEXEC)
        try:
            spawn(argv, env, "/", Stdio(-1, quiet, 2))  # its output is the ids it removed: ours is a log
        except LaunchFailed as e:
            print(f"remove container {record.id[:12]} (--rm): {e.message}", file=sys.stderr, flush=True)
        finally:
            os.close(quiet)

    def run(self) -> None:
        self.loop.run()
        for sup in self.containers.values():
            sup.close(release=False)  # they run on; their keepers hold their terminals for the next daemon
        with contextlib.suppress(FileNotFoundError):
            (self.run_root / SOCKET).unlink()
        with contextlib.suppress(FileNotFoundError):
            (self.run_root / PIDFILE).unlink()

    def shutdown(self) -> None:
        self.closing = True
        self.loop.running = False


def exited(record: ContainerRecord) -> dict[str, Any]:
    return {"ok": True, "state": record.state, "exit_code": record.exit_code}
