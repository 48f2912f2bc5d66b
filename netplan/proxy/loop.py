"""The proxy's event loop: one epoll set, a handler per file descriptor, and coarse timers.

Level-triggered on purpose: a handler may move a bounded amount of data and return, and
the kernel reports the descriptor again on the next turn, which keeps one busy connection
from starving the others.

    loop = Loop()
    loop.register(sock.fileno(), READ, on_readable)   # on_readable(events) runs on each event
    loop.call_every(1.0, sweep)                        # sweep() about once a second
    loop.run()                                         # until loop.stop()
"""

from __future__ import annotations

import select
import time
from collections.abc import Callable

READ = select.EPOLLIN
WRITE = select.EPOLLOUT
ERROR = select.EPOLLERR | select.EPOLLHUP

Handler = Callable[[int], None]


class Loop:
    """Dispatch epoll events to per-descriptor handlers until `stop()` is called."""

    def __init__(self) -> None:
        self._epoll = select.epoll()
        self._handlers: dict[int, Handler] = {}
        self._masks: dict[int, int] = {}
        self._timers: list[tuple[float, float, Callable[[], None]]] = []
        self._running = False

    def register(self, fd: int, mask: int, handler: Handler) -> None:
        self._epoll.register(fd, mask)
        self._handlers[fd] = handler
        self._masks[fd] = mask

    def modify(self, fd: int, mask: int) -> None:
        """Change the events wanted on `fd`; a no-op when they are unchanged (the common case)."""
        if self._masks.get(fd) != mask:
            self._epoll.modify(fd, mask)
            self._masks[fd] = mask

    def unregister(self, fd: int) -> None:
        if self._handlers.pop(fd, None) is not None:
            del self._masks[fd]
            self._epoll.unregister(fd)

    def call_every(self, interval: float, callback: Callable[[], None]) -> None:
        self._timers.append((time.monotonic() + interval, interval, callback))

    def stop(self) -> None:
        self._running = False

    def run(self) -> None:
        self._running = True
        handlers = self._handlers
        while self._running:
            for fd, events in self._epoll.poll(self._timeout()):
                handler = handlers.get(fd)
                if handler is not None:  # an earlier handler of this turn may have closed it
                    handler(events)
            if self._timers:
                self._fire_timers()

    def close(self) -> None:
        self._epoll.close()

    def _timeout(self) -> float:
        if not self._timers:
            return -1
        return max(0.0, min(due for due, _, _ in self._timers) - time.monotonic())

    def _fire_timers(self) -> None:
        now = time.monotonic()
        for index, (due, interval, callback) in enumerate(self._timers):
            if due <= now:
                self._timers[index] = (now + interval, interval, callback)
                callback()
