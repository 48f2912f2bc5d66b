"""The server's side of the control protocol: one request line in, one reply out, never an exception."""

from __future__ import annotations

import json
import os
from collections.abc import Awaitable, Callable
from typing import Any

from netplan.dns import forward as fwd
from netplan.dns import protocol
from netplan.dns.server import Server, View

Handler = Callable[[Server, dict[str, Any]], Awaitable[dict[str, Any]]]


async def handle_line(server: Server, line: bytes) -> dict[str, Any]:
    """Parse and run one request; every failure becomes `{"ok": false, "error": ...}`."""
    try:
        request = json.loads(line)
        if not isinstance(request, dict):
            raise ValueError("a request is a JSON object")
        handler = OPS.get(request.get("op"))  # type: ignore[arg-type]
        if handler is None:
            raise ValueError(f"unknown op {request.get('op')!r} (known: {', '.join(sorted(OPS))})")
        return {"ok": True, **await handler(server, request)}
    except (ValueError, OSError) as failed:
        return {"ok": False, "error": str(failed)}


async def _ping(server: Server, request: dict[str, Any]) -> dict[str, Any]:
    return {"pid": os.getpid(), "networks": server.zones.networks(), "listeners": sorted(server.listeners)}


async def _set_network(server: Server, request: dict[str, Any]) -> dict[str, Any]:
    endpoints = request.get("endpoints")
    if not isinstance(endpoints, list):
        raise ValueError("`endpoints` must be a list")
    server.zones.replace(protocol.string(request, "network"), [protocol.endpoint_from_json(e) for e in endpoints])
    return {}


async def _remove_network(server: Server, request: dict[str, Any]) -> dict[str, Any]:
    server.zones.remove(protocol.string(request, "network"))
    return {}


async def _put_endpoint(server: Server, request: dict[str, Any]) -> dict[str, Any]:
    server.zones.put(protocol.string(request, "network"), protocol.endpoint_from_json(request.get("endpoint")))
    return {}


async def _drop_endpoint(server: Server, request: dict[str, Any]) -> dict[str, Any]:
    server.zones.drop(protocol.string(request, "network"), protocol.string(request, "container"))
    return {}


async def _listen(server: Server, request: dict[str, Any]) -> dict[str, Any]:
    port = request.get("port", 53)
    if not isinstance(port, int) or not 0 <= port < 65536:
        raise ValueError("`port` must be an integer from 0 to 65535")
    netns = request.get("netns")
    if netns is not None and not isinstance(netns, str):
        raise ValueError("`netns` must be the path of a network namespace file")
    upstreams = None
    if request.get("upstreams") is not None:
        upstreams = tuple(fwd.parse_upstream(u) for u in protocol.strings(request, "upstreams"))
    view = View(tuple(protocol.strings(request, "networks")), upstreams)
    where = (netns, protocol.string(request, "address"), port)
    return {"port": await server.listen(protocol.string(request, "key"), where, view)}


async def _unlisten(server: Server, request: dict[str, Any]) -> dict[str, Any]:
    server.unlisten(protocol.string(request, "key"))
    return {}


async def _stop(server: Server, request: dict[str, Any]) -> dict[str, Any]:
    server.stop()
    return {}


OPS: dict[str, Handler] = {
    "ping": _ping, "set_network": _set_network, "remove_network": _remove_network,
    "put_endpoint": _put_endpoint, "drop_endpoint": _drop_endpoint,
    "listen": _listen, "unlisten": _unlisten, "stop": _stop,
}
