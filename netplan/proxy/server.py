"""The proxy process: its table of published ports, the operations on it, and its lifetime.

    serve(Path("/run/pycompose/proxy"))   # blocks until SIGTERM, SIGINT or a `stop` request

Everything lives in one thread around one `Loop`: the control channel, every listener and
every connection. On the way out each socket is closed, and the control socket and pid file
are removed, so a stopped proxy leaves only its run root (and its log) behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import resource
import signal
import socket
import time
from pathlib import Path
from typing import Any

from netplan.firewall.spec import PublishedPort
from netplan.proxy.bind import bind_all
from netplan.proxy.control import ControlServer
from netplan.proxy.errors import MappingInvalid, MappingNotFound, ProxyFailed
from netplan.proxy.loop import READ, Loop
from netplan.proxy.pump import HAS_SPLICE, PipePool
from netplan.proxy.tcp import TcpListener
from netplan.proxy.udp import IDLE, UdpListener
from netplan.proxy.wire import Key, decode, encode, key, show

SOCKET, PIDFILE, LOG = "proxy.sock", "proxy.pid", "proxy.log"
TITLE = "pycompose-proxy"


class Proxy:
    """The published ports and their listeners; `handle` answers control requests."""

    def __init__(self, loop: Loop, *, splice: bool = HAS_SPLICE, udp_idle: float = IDLE) -> None:
        self.loop = loop
        self.pool = PipePool() if splice else None
        self.udp_idle = udp_idle
        self.listeners: dict[Key, TcpListener | UdpListener] = {}
        loop.call_every(min(1.0, udp_idle / 2), self.expire)

    def add(self, ports: list[PublishedPort]) -> list[PublishedPort]:
        bound = bind_all(ports, served=[listener.port for listener in self.listeners.values()])
        for done in bound:
            if done.port.protocol == "tcp":
                listener: TcpListener | UdpListener = TcpListener(done.port, done.sock, self.loop, self.pool)
            else:
                listener = UdpListener(done.port, done.sock, self.loop, self.udp_idle)
            self.listeners[key(done.port)] = listener
        return [done.port for done in bound]

    def remove(self, ports: list[PublishedPort]) -> None:
        missing = [port for port in ports if key(port) not in self.listeners]
        if missing:
            raise MappingNotFound(f"unpublish {show(missing[0])}: this proxy does not publish it")
        for port in ports:
            self.listeners.pop(key(port)).close()

    def stats(self) -> dict[str, int]:
        listeners = list(self.listeners.values())
        return {"mappings": len(listeners),
                "tcp_connections": sum(len(x.connections) for x in listeners if isinstance(x, TcpListener)),
                "udp_flows": sum(len(x.flows) for x in listeners if isinstance(x, UdpListener))}

    def expire(self) -> None:
        now = time.monotonic()
        for listener in list(self.listeners.values()):
            listener.expire(now)

    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        op = request.get("op")
        if op == "add":
            return {"mappings": [encode(p) for p in self.add(_mappings(request))]}
        if op == "remove":
            self.remove(_mappings(request))
            return {}
        if op == "list":
            return {"mappings": [encode(listener.port) for listener in self.listeners.values()]}
        if op == "stats":
            return self.stats()
        if op == "stop":
            self.loop.stop()
            return {}
        raise ProxyFailed(f"read control request: unknown op {op!r}")

    def close(self) -> None:
        for listener in self.listeners.values():
            listener.close()
        self.listeners.clear()
        if self.pool is not None:
            self.pool.close()


def _mappings(request: dict[str, Any]) -> list[PublishedPort]:
    items = request.get("mappings")
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise MappingInvalid("read control request: `mappings` is not a list of objects")
    return [decode(item) for item in items]


def serve(run_root: Path, *, splice: bool = HAS_SPLICE, udp_idle: float = IDLE, ready: int | None = None) -> None:
    """Run a proxy for `run_root` until told to stop; writes "ready\\n" to fd `ready` once it answers."""
    run_root.mkdir(mode=0o700, parents=True, exist_ok=True)
    pidfile = _lock(run_root / PIDFILE)
    _set_title()
    _raise_fd_limit()
    loop = Loop()
    proxy = Proxy(loop, splice=splice, udp_idle=udp_idle)
    control = ControlServer(_control_socket(run_root / SOCKET), loop, proxy.handle)
    wake_read, wake_write = socket.socketpair()
    wake_read.setblocking(False)
    wake_write.setblocking(False)
    previous = signal.set_wakeup_fd(wake_write.fileno(), warn_on_full_buffer=False)
    handlers = {sig: signal.signal(sig, lambda *_: None) for sig in (signal.SIGTERM, signal.SIGINT)}
    loop.register(wake_read.fileno(), READ, lambda events: loop.stop())
    try:
        if ready is not None:
            os.write(ready, b"ready\n")
            os.close(ready)
        loop.run()
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        signal.set_wakeup_fd(previous)
        proxy.close()
        control.close()
        loop.close()
        wake_read.close()
        wake_write.close()
        (run_root / SOCKET).unlink(missing_ok=True)
        (run_root / PIDFILE).unlink(missing_ok=True)
        pidfile.close()


def _lock(path: Path) -> Any:
    """Hold the pid file locked for the proxy's life: a second proxy on the same run root stops here."""
    handle = open(path, "a+")  # noqa: SIM115 - held open until serve() returns
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        other = handle.read().strip() or "?"
        handle.close()
        raise ProxyFailed(f"start proxy in `{path.parent}`: another proxy (pid {other}) serves it") from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle


def _control_socket(path: Path) -> socket.socket:
    path.unlink(missing_ok=True)  # left by a proxy that was killed; the pid file lock says none runs
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o177)
    try:
        sock.bind(str(path))
    finally:
        os.umask(old)
    sock.listen(64)
    return sock


def _set_title() -> None:
    """`pycompose-proxy` in ps' comm column (the command line carries it too: `python -X pycompose-proxy`)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/comm").write_text(TITLE)


def _raise_fd_limit() -> None:
    """Each proxied TCP connection holds two sockets and two pipes."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
