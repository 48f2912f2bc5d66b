"""Runs a container's healthcheck probes on the daemon's loop and records each result."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from typing import TYPE_CHECKING

from engine.state.record import ContainerRecord, Health, Healthcheck, ProbeResult
from engine.supervisor import health
from engine.supervisor.jsonlog import rfc3339nano
from engine.supervisor.launcher import LaunchFailed, launcher_for

if TYPE_CHECKING:
    from engine.supervisor.container import Supervised


class Prober:
    def __init__(self, sup: Supervised, check: Healthcheck, argv: list[str], state: Health):
        self.sup, self.check, self.argv, self.health = sup, check, argv, state
        self.started = time.monotonic()
        self.cancelled = False
        self.timer = sup.daemon.loop.call_later(health.next_interval(check, state, 0.0), self.probe)

    @classmethod
    def for_record(cls, sup: Supervised, record: ContainerRecord, keep: bool) -> Prober | None:
        check = record.config.healthcheck
        argv = health.probe_argv(check) if check is not None else None
        if check is None or argv is None:
            return None
        state = record.health if keep and record.health is not None else Health()
        if state != record.health:
            sup.update(None, health=state)
        return cls(sup, check, argv, state)

    def cancel(self) -> None:
        self.cancelled = True
        self.timer.cancel()

    def probe(self) -> None:
        loop = self.sup.daemon.loop
        begun, begun_at = time.monotonic(), rfc3339nano(time.time_ns())
        record = self.sup.record()
        read_end, write_end = os.pipe2(os.O_CLOEXEC | os.O_NONBLOCK)
        try:
            pid = launcher_for(record.config.launcher).exec(record, self.argv, write_end)
        except LaunchFailed as e:
            os.close(read_end)
            self.finish(begun, begun_at, -1, e.message)
            return
        finally:
            os.close(write_end)
        output = bytearray()

        def readable() -> None:
            try:
                data = os.read(read_end, 4096)
            except BlockingIOError:
                return
            if data and len(output) < health.MAX_OUTPUT:
                output.extend(data[:health.MAX_OUTPUT - len(output)])
            elif not data and loop.watched(read_end):
                loop.remove_reader(read_end)

        def timed_out() -> None:
            with contextlib.suppress(ProcessLookupError):  # the probe leads a session of its own
                os.killpg(pid, signal.SIGKILL)

        def ended(status: int | None) -> None:
            timer.cancel()
            readable()
            if loop.watched(read_end):
                loop.remove_reader(read_end)
            os.close(read_end)
            if killed_by_timeout(status):
                self.finish(begun, begun_at, -1, f"Health check exceeded timeout ({self.check.timeout:g}s)")
            else:
                code = os.waitstatus_to_exitcode(status) if status is not None else -1
                self.finish(begun, begun_at, code, output.decode("utf-8", "replace"))

        def killed_by_timeout(status: int | None) -> bool:
            return status is not None and os.WIFSIGNALED(status) and time.monotonic() - begun >= self.check.timeout

        loop.add_reader(read_end, readable)
        timer = loop.call_later(self.check.timeout, timed_out)
        loop.watch_child(pid, ended)

    def finish(self, begun: float, begun_at: str, code: int, output: str) -> None:
        if self.cancelled:
            return
        result = ProbeResult(begun_at, rfc3339nano(time.time_ns()), code, output)
        before, self.health = self.health.status, health.record_result(self.check, self.health, result,
                                                                        begun - self.started)
        record = self.sup.update(None, health=self.health, durable=False)  # a probe's result: no fsync each time
        if self.health.status != before:
            self.sup.event(f"health_status: {self.health.status}", record)
        delay = health.next_interval(self.check, self.health, time.monotonic() - self.started)
        self.timer = self.sup.daemon.loop.call_later(delay, self.probe)
