"""One supervised container inside the daemon: its output, its exit, its restarts, its stop."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from engine.state import liveness
from engine.state.lifecycle import next_state
from engine.state.record import ContainerRecord, now
from engine.supervisor.jsonlog import JsonLog, NullLog
from engine.supervisor.launcher import LaunchFailed, launcher_for
from engine.supervisor.prober import Prober
from engine.supervisor.restart import Policy, next_delay
from engine.supervisor.stdio import ContainerIO

if TYPE_CHECKING:
    from engine.supervisor.daemon import Daemon

Waiter = Callable[[ContainerRecord], None]
Started = Callable[[ContainerRecord, LaunchFailed | None], None]


def exit_code(status: int) -> int:
    code = os.waitstatus_to_exitcode(status)
    return 128 - code if code < 0 else code  # killed by signal N: 128 + N, as a shell reports it


def parse_signal(name: str | int) -> int:
    if isinstance(name, int) or str(name).isdigit():
        return int(name)
    name = str(name).upper()
    return int(signal.Signals[name if name.startswith("SIG") else "SIG" + name])


class Supervised:
    def __init__(self, daemon: Daemon, container_id: str):
        self.daemon, self.id = daemon, container_id
        self.pid = 0
        self.started = 0.0  # monotonic
        self.delay = 0.0  # the last restart back-off
        self.stopping = False
        self.creating = False  # a creator runs the runtime's create and start
        self.creating_record: ContainerRecord | None = None
        self.stop_pending: tuple[float | None] | None = None  # a stop asked for while creating
        self.starters: list[Started] = []
        self.timer: object | None = None  # the restart or SIGKILL timer
        self.waiters: list[Waiter] = []
        self.io = ContainerIO(self)
        self.prober: Prober | None = None
        self._log: JsonLog | NullLog | None = None

    # -- the record -----------------------------------------------------------------
    def record(self) -> ContainerRecord:
        return self.daemon.store.get(self.id)

    def update(self, action: str | None, *, durable: bool = True, **changes: object) -> ContainerRecord:
        def change(r: ContainerRecord) -> ContainerRecord:
            state = next_state(action, r.name, r.state) if action else r.state
            return r.replace(state=state, **changes)

        return self.daemon.store.update(self.id, change, durable=durable)

    def event(self, action: str, record: ContainerRecord, **extra: str) -> None:
        """Tell `events` (engine.events): start, die, kill, health_status."""
        from engine import events

        events.container(self.daemon.state_root, record, action, **extra)

    def log(self) -> JsonLog | NullLog:
        if self._log is None:
            config = self.record().config.log
            self._log = NullLog() if config.driver == "none" else JsonLog(
                str(self.daemon.store.log_path(self.id)), config.max_size, config.max_file)
        return self._log

    # -- start, adopt, exit ---------------------------------------------------------
    def start(self, action: str = "start", done: Started | None = None) -> None:
        """Start the container's process; `done(record, None)` once it runs, `done(record, error)` if it cannot.

        A failure found before anything was forked raises instead (and `done` is not called).
        """
        if done is not None and self.creating:
            self.starters.append(done)  # a second start while the first creates: the same answer
            return
        record = self.record()
        next_state(action, record.name, record.state)  # refuse before doing anything
        launcher = launcher_for(record.config.launcher)
        stdio = self.io.prepare(record)
        report = os.pipe2(os.O_CLOEXEC) if launcher.creates else (-1, -1)
        stdio.report = report[1]
        try:
            child = launcher.start(record, stdio)
        except LaunchFailed as e:
            if report[0] >= 0:
                os.close(report[0])
            self.failed(e)
            raise
        finally:
            self.io.release(stdio)
        if done is not None:
            self.starters.append(done)
        if launcher.creates:
            self.creating, self.creating_record = True, record
            ended: list[int] = []

            def once(status: int | None) -> None:  # reported, or reaped: the first tells (a restart forks anew)
                if not ended:
                    ended.append(1)
                    self.created(action, status)

            self.daemon.loop.watch_child(child, once)
            self.daemon.loop.add_reader(report[0], lambda: self.reported(report[0], once))
            return
        try:
            self.io.take_terminal()
        except LaunchFailed as e:
            self.discard(child)
            self.failed(e)
            return
        self.running(action, child)

    def reported(self, fd: int, created: Callable[[int | None], None]) -> None:
        """The creator's exit code, written before it exits: the container runs (or failed) from now, not once the
        creator's memory is torn down. Nothing (it died first): its exit, known to the reaper, tells."""
        self.daemon.loop.remove_reader(fd)
        try:
            text = os.read(fd, 16)
        except OSError:
            text = b""
        os.close(fd)
        if text.strip().isdigit():
            created(int(text) << 8)  # a wait status, as of an exit with that code

    def created(self, action: str, status: int | None) -> None:
        """The creator has exited: the container's process runs (and is ours by reparenting), or it failed."""
        self.creating = False
        record, self.creating_record = self.creating_record, None
        if record is None:
            return
        try:
            pid = launcher_for(record.config.launcher).created(record, -1 if status is None else status)
        except LaunchFailed as e:
            if self.daemon.containers.get(self.id) is self:
                self.failed(e)
            return
        if self.daemon.containers.get(self.id) is not self:  # forgotten (removed) while it was being created
            self.discard(pid)
            return
        try:
            self.io.take_terminal()
        except LaunchFailed as e:
            self.discard(pid)
            self.failed(e)
            return
        self.running(action, pid)

    def discard(self, pid: int) -> None:
        """Kill a process we will not supervise, and reap it."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        self.daemon.loop.watch_child(pid, lambda _status: None)

    def running(self, action: str, pid: int) -> None:
        record = self.record()
        self.pid = pid
        self.started = time.monotonic()
        self.daemon.loop.watch_child(self.pid, self.exited)
        changes: dict[str, object] = {}
        if action == "start":
            changes = {"restart_count": 0, "manually_stopped": False}
        else:
            changes = {"restart_count": record.restart_count + 1}
        record = self.update(action, pid=self.pid, pid_start=liveness.start_time(self.pid) or 0,
                             boot_id=liveness.boot_id(), supervisor=self.daemon.identity, started_at=now(),
                             finished_at="", exit_code=None, error="", **changes)
        self.event("start", record)
        self.start_probes(record)
        starters, self.starters = self.starters, []
        for done in starters:
            done(record, None)
        if self.stop_pending is not None:  # asked to stop while it was being created
            timeout, self.stop_pending = self.stop_pending, None
            self.stopping = False
            self.stop(timeout[0], None)
        else:
            self.stopping = False

    def failed(self, error: LaunchFailed) -> None:
        record = self.update("fail", exit_code=error.exit_code, error=error.message, finished_at=now(), pid=0)
        self.pid, self.stop_pending, self.stopping = 0, None, False
        self.io.ended()
        starters, self.starters = self.starters, []
        for done in starters:
            done(record, error)
        self.finished(record)

    def adopt(self, record: ContainerRecord) -> None:
        """Take over a container whose supervisor died: it runs, we were not its parent."""
        self.pid = record.pid
        self.started = time.monotonic()
        self.io.reopen()
        if not self.daemon.loop.watch_process(self.pid, self.exited):
            self.exited(None)
            return
        record = self.update(None, supervisor=self.daemon.identity)
        self.start_probes(record, keep=True)

    def start_probes(self, record: ContainerRecord, keep: bool = False) -> None:
        if self.prober is not None:
            self.prober.cancel()
        self.prober = Prober.for_record(self, record, keep)

    def exited(self, status: int | None) -> None:
        self.io.ended()
        if self.prober is not None:
            self.prober.cancel()
            self.prober = None
        if self.timer is not None:
            self.timer.cancel()  # type: ignore[attr-defined]
            self.timer = None
        code = liveness.LOST_EXIT_CODE if status is None else exit_code(status)
        error = liveness.LOST if status is None else ""
        record = self.record()
        self.event("die", record, exitCode=str(code))
        policy = Policy.parse(record.config.restart)
        manual = self.stopping or record.manually_stopped
        self.pid = 0
        if policy.should_restart(code, record.restart_count, manual) and not self.daemon.closing:
            self.delay = next_delay(self.delay, time.monotonic() - self.started)
            self.update("schedule_restart", exit_code=code, error=error, finished_at=now(), pid=0)
            self.timer = self.daemon.loop.call_later(self.delay, self.restart)
            return
        record = self.update("exit", exit_code=code, error=error, finished_at=now(), pid=0, manually_stopped=manual)
        self.finished(record)
        if record.config.launch.get("remove_on_exit"):
            self.daemon.remove_later(record)

    def restart(self) -> None:
        self.timer = None
        with contextlib.suppress(LaunchFailed):  # recorded, and the waiters told, by failed()
            self.start("restart")

    def finished(self, record: ContainerRecord) -> None:
        waiters, self.waiters = self.waiters, []
        for waiter in waiters:
            waiter(record)

    # -- stop and kill --------------------------------------------------------------
    def stop(self, timeout: float | None, reply: Waiter | None) -> None:
        record = self.record()
        next_state("stop", record.name, record.state)
        if self.creating:  # stopped once it runs: the creator cannot be stopped halfway
            if reply is not None:
                self.waiters.append(reply)
            self.stop_pending, self.stopping = (timeout,), True
            return
        if record.state == "restarting":
            if self.timer is not None:
                self.timer.cancel()  # type: ignore[attr-defined]
                self.timer = None
            done = self.update("cancel_restart", manually_stopped=True)
            if reply is not None:
                reply(done)
            return
        if not self.pid:
            if reply is not None:
                reply(record)
            return
        if reply is not None:
            self.waiters.append(reply)
        if self.stopping:
            return
        self.stopping = True
        grace = record.config.stop_timeout if timeout is None else timeout
        self.signal(record, parse_signal(record.config.stop_signal))
        self.timer = self.daemon.loop.call_later(max(0.0, grace), lambda: self.signal(self.record(), 9))

    def kill(self, sig: int) -> None:
        record = self.record()
        next_state("kill", record.name, record.state)
        if sig in (signal.SIGKILL, signal.SIGTERM, signal.SIGINT):
            self.stopping = True  # as Docker: a container killed by hand is not restarted
        self.signal(record, sig)

    def signal(self, record: ContainerRecord, sig: int) -> None:
        if self.pid:
            self.event("kill", record, signal=str(sig))
            with contextlib.suppress(ProcessLookupError):
                launcher_for(record.config.launcher).signal(record, self.pid, sig)

    def wait(self, reply: Waiter) -> None:
        record = self.record()
        if self.creating or record.state in ("running", "paused", "restarting"):
            self.waiters.append(reply)
        else:
            reply(record)

    def close(self, release: bool = True) -> None:
        """Forgotten (the container is being removed; `release`) or left (the daemon ends while it runs): answer
        whoever still waits, then let go."""
        waiters, self.waiters = self.waiters, []
        if waiters:
            from engine.errors import EngineError

            try:
                record = self.record()
            except (EngineError, OSError, ValueError):
                record = None
            for waiter in waiters:
                if record is not None:
                    waiter(record)
        if self.prober is not None:
            self.prober.cancel()
        self.io.close(release)
        if self._log is not None:
            self._log.close()
