"""A small event loop: readable and writable file descriptors, timers, and the exits of processes.

Smaller than asyncio on purpose: the supervisor's memory is paid once per host and
divided by the containers, and asyncio alone costs more than the whole supervisor.
Children are reaped here (SIGCHLD wakes the loop through a pipe); processes that
are not our children (adopted after a restart of the supervisor) are watched
through a pidfd and end with a status of None.
"""

from __future__ import annotations

import heapq
import itertools
import os
import selectors
import signal
import sys
import time
from collections.abc import Callable

ExitCallback = Callable[[int | None], None]


class Timer:
    __slots__ = ("when", "callback", "cancelled")

    def __init__(self, when: float, callback: Callable[[], None]):
        self.when, self.callback, self.cancelled = when, callback, False

    def cancel(self) -> None:
        self.cancelled = True


class Loop:
    def __init__(self) -> None:
        self.selector = selectors.DefaultSelector()
        self.handlers: dict[int, list[Callable[[], None] | None]] = {}  # fd -> [on readable, on writable]
        self.timers: list[tuple[float, int, Timer]] = []
        self.order = itertools.count()
        self.children: dict[int, ExitCallback] = {}
        self.unclaimed: dict[int, int] = {}  # reaped before anyone watched them
        self.running = True
        self.wake_r, self.wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        signal.set_wakeup_fd(self.wake_w, warn_on_full_buffer=False)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        self.add_reader(self.wake_r, self._woken)

    def add_reader(self, fd: int, callback: Callable[[], None]) -> None:
        self._watch(fd, 0, callback)

    def remove_reader(self, fd: int) -> None:
        self._watch(fd, 0, None)

    def add_writer(self, fd: int, callback: Callable[[], None]) -> None:
        """`callback()` whenever `fd` can be written (remove it once there is nothing left to write)."""
        self._watch(fd, 1, callback)

    def remove_writer(self, fd: int) -> None:
        self._watch(fd, 1, None)

    def watched(self, fd: int) -> bool:
        return fd in self.handlers

    def has_reader(self, fd: int) -> bool:
        return fd in self.handlers and self.handlers[fd][0] is not None

    def has_writer(self, fd: int) -> bool:
        return fd in self.handlers and self.handlers[fd][1] is not None

    def _watch(self, fd: int, which: int, callback: Callable[[], None] | None) -> None:
        handlers = self.handlers.get(fd) or [None, None]
        handlers[which] = callback
        events = (selectors.EVENT_READ if handlers[0] else 0) | (selectors.EVENT_WRITE if handlers[1] else 0)
        if fd in self.handlers:
            if events:
                self.selector.modify(fd, events)
            else:
                self.selector.unregister(fd)
                del self.handlers[fd]
                return
        elif events:
            self.selector.register(fd, events)
        else:
            return
        self.handlers[fd] = handlers

    def call_later(self, delay: float, callback: Callable[[], None]) -> Timer:
        timer = Timer(time.monotonic() + delay, callback)
        heapq.heappush(self.timers, (timer.when, next(self.order), timer))
        return timer

    def watch_child(self, pid: int, callback: ExitCallback) -> None:
        """`callback(wait status)` when our child `pid` ends."""
        if pid in self.unclaimed:
            status = self.unclaimed.pop(pid)
            self.call_later(0, lambda: callback(status))
        else:
            self.children[pid] = callback

    def watch_process(self, pid: int, callback: ExitCallback) -> bool:
        """`callback(None)` when `pid` (not our child) ends; False if it is gone already."""
        try:
            fd = os.pidfd_open(pid)
        except ProcessLookupError:
            return False

        def ended() -> None:
            self.remove_reader(fd)
            os.close(fd)
            callback(None)

        self.add_reader(fd, ended)
        return True

    def _woken(self) -> None:
        try:
            while os.read(self.wake_r, 512):
                pass
        except BlockingIOError:
            pass
        self.reap()

    def reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            callback = self.children.pop(pid, None)
            if callback is None:
                self.unclaimed[pid] = status
                if len(self.unclaimed) > 1024:  # strays reparented to us: nobody will ask
                    self.unclaimed.pop(next(iter(self.unclaimed)))
            else:
                callback(status)

    def _timeout(self) -> float | None:
        while self.timers and self.timers[0][2].cancelled:
            heapq.heappop(self.timers)
        if not self.timers:
            return None
        return max(0.0, self.timers[0][0] - time.monotonic())

    def run(self) -> None:
        while self.running:
            for key, events in self.selector.select(self._timeout()):
                for which, mask in ((0, selectors.EVENT_READ), (1, selectors.EVENT_WRITE)):
                    handlers = self.handlers.get(key.fd)  # an earlier callback may have removed it
                    if events & mask and handlers is not None and handlers[which] is not None:
                        self._call(handlers[which])  # type: ignore[arg-type]
            now = time.monotonic()
            while self.timers and self.timers[0][0] <= now:
                _, _, timer = heapq.heappop(self.timers)
                if not timer.cancelled:
                    self._call(timer.callback)

    @staticmethod
    def _call(callback: Callable[[], None]) -> None:
        try:
            callback()
        except Exception:  # noqa: BLE001 (one container's fault must not end the others' supervision)
            __import__("traceback").print_exc(file=sys.stderr)  # imported when needed: 0.4 MB
