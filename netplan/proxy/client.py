"""Netplan's handle on a proxy process: start it, publish and unpublish ports, stop it.

Lifecycle: `start(run_root)` spawns `python -X pycompose-proxy -m netplan.proxy --run-root DIR`
in its own session (it outlives the caller) and returns once the proxy answers; any process
may then attach with `ProxyClient(run_root)`; `stop()` ends the proxy and waits for it.
Terms: a *mapping* is a `PublishedPort`; host port 0 asks the proxy to choose.

    proxy = start(Path("/run/pycompose/proxy"))
    (web,) = proxy.add([PublishedPort(ip_address("127.0.0.1"), 0, "tcp", ip_address("10.5.0.3"), 80)])
    web.host_port        # 41873, chosen by the kernel
    proxy.remove([web])
    proxy.stop()
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from netplan.firewall.spec import PublishedPort
from netplan.proxy.errors import KINDS, ProxyFailed
from netplan.proxy.server import LOG, PIDFILE, SOCKET, TITLE
from netplan.proxy.wire import decode, encode

_SOURCE_ROOT = str(Path(__file__).resolve().parents[2])


class ProxyClient:
    """Requests to the proxy serving `run_root`, one short unix-socket exchange each."""

    def __init__(self, run_root: Path, *, timeout: float = 5.0, process: subprocess.Popen[bytes] | None = None):
        self.run_root = Path(run_root)
        self.timeout = timeout
        self._process = process

    @property
    def pid(self) -> int | None:
        try:
            return int((self.run_root / PIDFILE).read_text().strip())
        except (OSError, ValueError):
            return self._process.pid if self._process else None

    def add(self, ports: Sequence[PublishedPort]) -> tuple[PublishedPort, ...]:
        """Publish all of `ports` or none; returns them with every host port 0 replaced by the chosen one."""
        reply = self.request({"op": "add", "mappings": [encode(p) for p in ports]})
        return tuple(decode(item) for item in reply["mappings"])

    def remove(self, ports: Sequence[PublishedPort]) -> None:
        """Unpublish `ports` (as `add` returned them) and reset the connections through them."""
        self.request({"op": "remove", "mappings": [encode(p) for p in ports]})

    def list(self) -> tuple[PublishedPort, ...]:
        return tuple(decode(item) for item in self.request({"op": "list"})["mappings"])

    def stats(self) -> dict[str, int]:
        reply = self.request({"op": "stats"})
        return {name: value for name, value in reply.items() if name != "ok"}

    def stop(self) -> None:
        """Ask the proxy to exit and wait until it has; kill it when it does not within the timeout."""
        pid = self.pid
        with contextlib.suppress(ProxyFailed):
            self.request({"op": "stop"})
        if not self._wait_exit(pid) and pid is not None:
            _kill(pid)
            self._wait_exit(pid)

    def request(self, request: dict[str, Any]) -> dict[str, Any]:
        """Send one request, return the response; an error response raises the proxy's error."""
        path = self.run_root / SOCKET
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(self.timeout)
                sock.connect(str(path))
                sock.sendall(json.dumps(request).encode() + b"\n")
                reply = _read_line(sock)
        except OSError as error:
            raise ProxyFailed(f"{request.get('op')} on proxy `{path}`: {error.strerror or error}") from None
        try:
            response = json.loads(reply)
        except ValueError:
            raise ProxyFailed(f"{request.get('op')} on proxy `{path}`: unreadable answer {reply[:80]!r}") from None
        if not response.get("ok"):
            error = response.get("error") or {}
            raise KINDS.get(error.get("kind"), ProxyFailed)(error.get("message", "the proxy failed"),
                                                            hint=error.get("hint"))
        return dict(response)

    def _wait_exit(self, pid: int | None) -> bool:
        deadline = time.monotonic() + self.timeout
        if self._process is not None:
            try:
                self._process.wait(timeout=self.timeout)
                return True
            except subprocess.TimeoutExpired:
                return False
        while pid is not None and _alive(pid):
            if time.monotonic() > deadline:
                return False
            select.select([], [], [], 0.01)  # another process's exit cannot be waited on: poll briefly
        return True


def start(run_root: Path, *, splice: bool = True, udp_idle: float | None = None,
          timeout: float = 5.0, netns: Path | None = None, detach: bool = False) -> ProxyClient:
    """Spawn a proxy serving `run_root` and return a client once it answers (ProxyFailed if it does not).

    `netns`: the network namespace it serves in (entered by `nsenter`, which execs the proxy: the
    pid stays the proxy's); None: this process's. `detach`: the proxy is not this process's child
    (`setsid -f` forks it off), so whoever stops it later, nothing is left to reap here; the
    client then knows it by its pid file."""
    run_root = Path(run_root)
    run_root.mkdir(mode=0o700, parents=True, exist_ok=True)
    ready_read, ready_write = os.pipe()
    enter = ["nsenter", f"--net={netns}"] if netns is not None else []
    argv = [*(["setsid", "-f"] if detach else []), *enter, sys.executable, "-X", TITLE, "-m", "netplan.proxy",
            "--run-root", str(run_root), "--ready-fd", str(ready_write)]
    if not splice:
        argv.append("--copy")
    if udp_idle is not None:
        argv += ["--udp-idle", str(udp_idle)]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [_SOURCE_ROOT, os.environ.get("PYTHONPATH")])))
    try:
        with open(run_root / LOG, "ab") as log:
            process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env, cwd="/",
                                       pass_fds=(ready_write,), start_new_session=not detach)
    finally:
        os.close(ready_write)
    try:
        ready = _wait_ready(ready_read, timeout)
    finally:
        os.close(ready_read)
    if detach:
        process.wait()     # setsid's own process, gone once it forked the proxy
    if not ready:
        if process.poll() is None:
            process.kill()
        process.wait()
        client = ProxyClient(run_root, timeout=timeout)
        if detach and client.pid is not None:
            _kill(client.pid)
        raise ProxyFailed(f"start proxy in `{run_root}`: {_log_tail(run_root / LOG) or 'it did not answer'}")
    return ProxyClient(run_root, timeout=timeout, process=None if detach else process)


def _wait_ready(fd: int, timeout: float) -> bool:
    """Whether the proxy wrote "ready" before the deadline; EOF first means it died."""
    readable, _, _ = select.select([fd], [], [], timeout)
    return bool(readable) and os.read(fd, 16).startswith(b"ready")


def _read_line(sock: socket.socket) -> bytes:
    chunks = []
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        chunks.append(chunk)
        if chunk.endswith(b"\n"):
            break
    return b"".join(chunks)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _kill(pid: int) -> None:
    try:
        if TITLE.encode() in Path(f"/proc/{pid}/cmdline").read_bytes():  # never a recycled pid's new owner
            os.kill(pid, signal.SIGKILL)
    except OSError:
        pass


def _log_tail(path: Path) -> str:
    try:
        lines = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return lines[-1] if lines else ""
