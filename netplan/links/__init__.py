"""Links: pycompose's bridges and the veth pairs that put containers on them, over netlink (pyroute2).

    setup_bridge(Bridge(...), netns=None)   make a bridge as described (idempotent)
    remove_bridge(name, netns=None)         delete it (a missing one is fine)
    attach(Endpoint(...), host_netns=None)  veth pair, container end named and addressed, routes
    detach(host_name, host_netns=None)      delete the pair (a missing one is fine)
    set_default_route(netns, ifname, gws)   move a container's default route to another network

Each operation is an ordered list of small steps (`steps.py`); a failure removes what that
operation created and raises a `NetplanError` reading *operation `object`: reason*
(`errors.py`). Names and the default-route choice are pure (`names.py`). `netns=None` means
the caller's namespace; tests pass a throwaway namespace as the "host".
"""

from __future__ import annotations

from typing import Any

from netplan.links.errors import LinkConflict, LinkFailed, LinkInvalid, LinkNotFound
from netplan.links.names import (
    GatewayCandidate,
    bridge_name,
    container_ifname,
    default_route_carriers,
    mac_for,
    veth_name,
)

# The netlink side (pyroute2, ~0.1 s to import) is loaded on first use: reading records needs none of it.
_LAZY = {"Bridge": "bridge", "remove_bridge": "bridge", "setup_bridge": "bridge", "Endpoint": "endpoint",
         "attach": "endpoint", "detach": "endpoint", "set_default_route": "endpoint", "await_gone": "gone"}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'netplan.links' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"netplan.links.{_LAZY[name]}"), name)


__all__ = [
    "Bridge", "Endpoint", "GatewayCandidate", "LinkConflict", "LinkFailed", "LinkInvalid", "LinkNotFound",
    "attach", "await_gone", "bridge_name", "container_ifname", "default_route_carriers", "detach", "mac_for",
    "remove_bridge", "set_default_route", "setup_bridge", "veth_name",
]
