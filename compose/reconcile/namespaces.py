"""A container's own network namespace (a file under the run root), and letting it go once the container is.

    path = netns_of(record, run_root)          # None: no namespace of its own (none, host, joined)
    release(world, record)                     # after the engine removed the container
    world.networks.await_links_gone(release(world, record, wait=False))  # the wait, left to the caller

`release` takes the container off its networks, closes its 127.0.0.11 listener, and removes the namespace
unless another container still joins it (`network_mode: service:x`); the veths in a removed namespace are
destroyed by the kernel, waited for, not deleted one by one (netplan's await_links_gone). Light: no compose
model, so `container rm` and `run --rm` of a plain container do not load it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from compose.reconcile.world import World
    from engine.state import ContainerRecord
    from netplan.records import EndpointRecord


def netns_of(record: ContainerRecord, run_root: Path) -> Path | None:
    """The container's own namespace file under the run root, if it has one."""
    network = record.config.launch.get("options", {}).get("network", "")
    path = Path(network)
    return path if path.parent == Path(run_root) / "netns" else None


def release(world: World, record: ContainerRecord, *, wait: bool = True) -> list[EndpointRecord]:
    """Take the (removed) container's namespace apart: endpoints, DNS listener, the namespace itself; the
    endpoints whose veths the kernel destroys with the namespace. `wait=False` returns before they have gone,
    for a caller that waits for them itself (`await_links_gone`), outside what it holds."""
    from compose.reconcile import dns
    from netplan import netns

    path = netns_of(record, world.run_root)
    # A namespace shared through `network_mode: service:x` goes with the last container that uses it; when it
    # goes now, so do the veths in it (the kernel destroys them), and detaching leaves them to that.
    shared = path is not None and any(netns_of(other, world.run_root) == path  # stored records: no liveness
                                      for other in world.containers.store.list())
    endpoints = world.networks.endpoints(container=record.id)
    for endpoint in endpoints:
        world.networks.detach(endpoint.network, record.id, link=path is None or shared)
    if path is None:
        return []
    dns.unplug(world, record.id, None if shared else path.name)
    if shared:
        return []
    netns.remove(world.run_root, path.name)
    if wait:
        world.networks.await_links_gone(endpoints)
    return endpoints
