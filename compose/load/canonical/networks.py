"""Canonical networking: service `networks`, `links`, `depends_on`, and the top-level `networks`.

A service's network list becomes a mapping (`[front]` -> `{front: null}`); a service
with no networks and no `network_mode` joins `default`. `depends_on` takes its long
form, and gains the dependencies compose-go reads from other attributes:
`links`, `network_mode: service:x`, `ipc: service:x` and `pid: service:x` with
`restart: true`, `volumes_from: x` without. An entry written in `depends_on` wins.

A top-level network gets its engine-side name (`<project>_<key>`, or the key when
external); `ipam` keeps `driver` and `config` (compose drops `options`). The implicit
`default` network is declared by `declare_default_network`, which needs the whole
project (pattern `""`); unused networks are left for a later phase to prune, since
which services are enabled is decided after this one.
"""

from __future__ import annotations

from typing import Any

from compose.errors import FileError, KeyPath
from compose.load.canonical import DELETE, Context
from compose.load.canonical.storage import resource, string_map

SERVICE_PREFIX = "service:"
_ATTACHMENT_ORDER = ("aliases", "driver_opts", "gw_priority", "interface_name", "ipv4_address", "ipv6_address",
                     "link_local_ips", "mac_address", "priority")
_NETWORK_ORDER = ("name", "driver", "driver_opts", "ipam", "external", "internal", "attachable", "labels")
_POOL_ORDER = ("subnet", "gateway", "ip_range", "aux_addresses")
_EMPTY = (None, "", False, 0, [], {})


def _unique(items: list[Any]) -> list[Any]:
    return list(dict.fromkeys(items))


def _attachment(value: Any) -> Any:
    """One service's attachment to one network: null stays null, empty fields go."""
    if not isinstance(value, dict):
        return value
    fields = dict(value)
    for key in ("aliases", "link_local_ips"):
        if isinstance(fields.get(key), list):
            fields[key] = _unique(fields[key])
    if "driver_opts" in fields:
        fields["driver_opts"] = string_map(fields["driver_opts"])
    out = {key: fields[key] for key in _ATTACHMENT_ORDER if fields.get(key) not in _EMPTY}
    out.update((k, v) for k, v in fields.items() if k not in _ATTACHMENT_ORDER)
    return out


def service_networks(value: Any, ctx: Context, path: KeyPath) -> Any:
    """`services.*.networks`: a mapping of network -> null or its long form; dropped when empty."""
    if isinstance(value, list):
        return {str(name): None for name in value} or DELETE
    if isinstance(value, dict):
        return {name: _attachment(item) for name, item in value.items()} or DELETE
    return value


def links(value: Any, ctx: Context, path: KeyPath) -> Any:
    """`services.*.links`: `db` and `db:alias` kept as written, each once."""
    if not isinstance(value, list):
        return value
    return _unique([str(item) for item in value]) or DELETE


def depends_on(value: Any, ctx: Context, path: KeyPath) -> Any:
    """`services.*.depends_on`: a mapping of service -> {condition, required, restart?}."""
    if isinstance(value, list):
        return {str(name): {"condition": "service_started", "required": True} for name in value} or DELETE
    if not isinstance(value, dict):
        return value
    out = {}
    for name, spec in value.items():
        if not isinstance(spec, dict):
            raise FileError(path + (name,), "must be a mapping with a `condition`")
        entry = {"condition": spec.get("condition") or "service_started"}
        if spec.get("restart"):
            entry["restart"] = spec["restart"]
        entry["required"] = spec.get("required", True)
        entry.update((k, v) for k, v in spec.items() if k not in ("condition", "restart", "required"))
        out[name] = entry
    return out or DELETE


def _service_ref(value: Any) -> str | None:
    if isinstance(value, str) and value.startswith(SERVICE_PREFIX):
        return value[len(SERVICE_PREFIX):]
    return None


def implied_dependencies(service: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The dependencies compose-go reads from links, `service:` modes and volumes_from, in its order."""
    restart = {"condition": "service_started", "restart": True, "required": True}
    started = {"condition": "service_started", "required": True}
    found: dict[str, dict[str, Any]] = {}
    for key in ("network_mode", "ipc", "pid"):
        name = _service_ref(service.get(key))
        if name:
            found.setdefault(name, restart)
    for link in service.get("links") or ():
        found.setdefault(str(link).partition(":")[0], restart)
    for source in service.get("volumes_from") or ():
        name, _, _ = str(source).partition(":")
        if name != "container":
            found.setdefault(name, started)
    return found


def service_defaults(value: Any, ctx: Context, path: KeyPath) -> Any:
    """`services.*`: the `default` network when none is set, and the implied dependencies (normalisation)."""
    if not isinstance(value, dict) or not ctx.normalize:
        return value
    out = dict(value)
    if not out.get("networks") and not out.get("network_mode"):
        out["networks"] = {"default": None}
    implied = implied_dependencies(out)
    if implied:
        out["depends_on"] = {**implied, **(out.get("depends_on") or {})}
    return out


def _ipam(value: Any) -> Any:
    """`ipam` as compose keeps it: driver and pools (extensions too), never `options`; {} when empty."""
    if not isinstance(value, dict):
        return value
    out = {k: v for k, v in value.items() if k not in ("options", "config") and v not in (None, "")}
    pools = []
    for pool in value.get("config") or ():
        fields = {k: pool[k] for k in _POOL_ORDER if pool.get(k) not in _EMPTY}
        if "aux_addresses" in fields:
            fields["aux_addresses"] = string_map(fields["aux_addresses"])
        pools.append(fields)
    if pools:
        out["config"] = pools
    return out


def network(value: Any, ctx: Context, path: KeyPath) -> Any:
    """`networks.*`: named, maps of strings, false flags dropped (but `enable_ipv4/6: false` kept)."""
    entry = resource("networks", value, ctx, path)
    if "ipam" in entry:
        entry["ipam"] = _ipam(entry["ipam"]) or None
    out = {key: entry[key] for key in _NETWORK_ORDER if entry.get(key) not in _EMPTY}
    for key in ("enable_ipv4", "enable_ipv6"):
        if isinstance(entry.get(key), bool):
            out[key] = entry[key]
    out.update((k, v) for k, v in entry.items() if k not in out and k not in _NETWORK_ORDER
               and k not in ("enable_ipv4", "enable_ipv6"))
    return out


def declare_default_network(value: Any, ctx: Context, path: KeyPath) -> Any:
    """The whole project: top-level `networks.default` declared (and named) when a service joins it."""
    if not isinstance(value, dict) or not ctx.normalize:
        return value
    services = value.get("services") or {}
    used = any(isinstance(s, dict) and "default" in (s.get("networks") or {}) for s in services.values())
    networks = value.get("networks") or {}
    if not used or "default" in networks:
        return value
    return {**value, "networks": {**networks, "default": network(None, ctx, ("networks", "default"))}}


RULES = [
    ("services.*.networks", service_networks),
    ("services.*.links", links),
    ("services.*.depends_on", depends_on),
    ("services.*", service_defaults),
    ("networks.*", network),
    ("", declare_default_network),
]
