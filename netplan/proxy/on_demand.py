"""The proxy a `NetworkService` publishes through: the run root's one proxy process, there only while
some port needs it.

Lifecycle:
    add(ports)       starts the process when none answers (and gives a fresh one every port the
                     records still publish: a proxy that died comes back whole), then publishes `ports`
                     (all or none; a proxy started for ports it could not publish stops again)
    remove(ports)    unpublishes them; when the proxy serves nothing any more it is stopped and waited
                     for, so a `down` that removed the last published port leaves no process
    ensure()         starts it, serving every port the records publish, if it is not running
    stop()           ends it whatever it serves (tests and cleanup)

Terms: the *directory* holds the proxy's socket, pid file and log (`<run root>/proxy`); the *host
namespace* is where it binds (None: this process's). One starter at a time: `add` and `remove`
hold `<directory>/lock`, so two pycompose processes never start two proxies, and a remove that
stops an idle proxy never races an add that is about to use it.

    proxy = OnDemandProxy(run_root / "proxy", published=service.published)
    service = NetworkService(state, run_root, proxy=proxy)   # NetworkService.publish calls proxy.add
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pycompose.files import locked

if TYPE_CHECKING:
    from netplan.firewall.spec import PublishedPort
    from netplan.proxy.client import ProxyClient

PROTOCOLS = ("tcp", "udp")
SOCKET = "proxy.sock"        # netplan.proxy.server.SOCKET, which imports the whole proxy: `ps` does not need it


class OnDemandProxy:
    def __init__(self, directory: Path, *, host_netns: Path | None = None,
                 published: Callable[[], Iterable[PublishedPort]] = tuple) -> None:
        self.dir = Path(directory)
        self.host_netns = host_netns
        self.published = published

    def add(self, ports: Sequence[PublishedPort]) -> tuple[PublishedPort, ...]:
        if not ports:
            return ()
        with self._locked():
            client = self._running() or self._start()
            try:
                return client.add(ports)
            except BaseException:
                if not client.list():   # started for these ports alone: it goes with them
                    client.stop()
                raise

    def remove(self, ports: Sequence[PublishedPort]) -> None:
        from netplan.proxy.wire import key

        with self._locked():
            client = self._running()
            if client is None:
                return
            served = {key(p) for p in client.list()}
            mine = [p for p in ports if key(p) in served]
            if mine:
                client.remove(mine)
            if len(served) == len(mine):
                client.stop()

    def ensure(self) -> bool:
        """Start the proxy if the records publish a port it serves and none runs (it died, or the host
        rebooted); True when one runs now."""
        with self._locked():
            if self._running() is not None:
                return True
            if not any(p.protocol in PROTOCOLS for p in self.published()):
                return False
            self._start()
            return True

    def stop(self) -> None:
        with self._locked():
            client = self._running()
            if client is not None:
                client.stop()

    def running(self) -> bool:
        return self._running() is not None

    def _running(self) -> ProxyClient | None:
        from netplan.proxy.client import ProxyClient
        from netplan.proxy.errors import ProxyFailed

        if not (self.dir / SOCKET).exists():
            return None
        client = ProxyClient(self.dir)
        try:
            client.list()
        except ProxyFailed:  # a socket left by a proxy that was killed
            return None
        return client

    def _start(self) -> ProxyClient:
        from netplan.proxy.client import start
        from netplan.proxy.errors import MappingInvalid, PortInUse

        client = start(self.dir, netns=self.host_netns, detach=True)
        for port in self.published():
            if port.protocol in PROTOCOLS:
                with contextlib.suppress(PortInUse, MappingInvalid):  # taken meanwhile: the others still serve
                    client.add([port])
        return client

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        with locked(self.dir / "lock"):
            yield
