"""The proxy's event loop: one epoll set, a handler per file descriptor, and coarse timers.

Level-triggered on purpose: a handler may move a bounded amount of data and return, and
the kernel reports the descriptor again on the next turn, which keeps one busy connection
from starving the others. A descriptor that wants no events is taken out of the epoll set
(its handler stays): epoll reports a hang-up whatever the mask, and a half-closed socket
waiting for its peer to drain would otherwise wake the loop on every turn.

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
FAILED = select.EPOLLERR

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
        if mask:
            self._epoll.register(fd, mask)
        self._handlers[fd] = handler
        self._masks[fd] = mask

    def modify(self, fd: int, mask: int, handler: Handler | None = None) -> None:
        """Change the events wanted on `fd` (and its handler); a no-op when they are unchanged."""
        if handler is not None:
            self._handlers[fd] = handler
        old = self._masks.get(fd)
        if old == mask or old is None:
            return
        if not mask:
            self._epoll.unregister(fd)
        elif not old:
            self._epoll.register(fd, mask)
        else:
            self._epoll.modify(fd, mask)
        self._masks[fd] = mask

    def unregister(self, fd: int) -> None:
        if self._handlers.pop(fd, None) is not None and self._masks.pop(fd):
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
