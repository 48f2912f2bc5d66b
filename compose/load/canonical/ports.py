"""Canonical `ports` and `expose` of a service.

A short port ("127.0.0.1:8080-8081:80-81/udp") becomes one long entry per container
port, as `docker compose config` prints it: `{mode, host_ip?, target, published?,
protocol}`. A host range against a single container port stays a range in
`published`. The entries of one short port come out sorted by their port as text
("10" before "9"), as Docker's port parser hands them over. Duplicates are dropped
by (host_ip, published, target, protocol); a later duplicate takes the place of the
earlier one. `expose` entries become strings; ranges stay as written.
"""

from __future__ import annotations

from typing import Any

from compose.errors import FileError, KeyPath
from compose.load.canonical import DELETE, Context

PROTOCOLS = ("tcp", "udp", "sctp")
_LONG_ORDER = ("name", "mode", "host_ip", "target", "published", "protocol", "app_protocol")


def _port_range(text: str) -> tuple[int, int] | None:
    """`"80"` -> (80, 80), `"80-81"` -> (80, 81); None when it is not a port or range."""
    parts = text.split("-")
    if len(parts) == 1:
        parts = [text, text]
    if not all(p.isascii() and p.isdigit() for p in parts[:2]):
        return None
    start, end = int(parts[0]), int(parts[1])
    if start > 65535 or end > 65535 or end < start:
        return None
    return start, end


def _split_spec(spec: str) -> tuple[str, str, str]:
    """`"ip:host:container"` -> its three parts; an IPv6 address may hold colons."""
    parts = spec.split(":")
    if len(parts) == 1:
        return "", "", parts[0]
    if len(parts) == 2:
        return "", parts[0], parts[1]
    return ":".join(parts[:-2]), parts[-2], parts[-1]


def _host_ip(ip: str, spec: str, path: KeyPath) -> str:
    if ip.startswith("["):
        if not ip.endswith("]"):
            raise FileError(path, f'"{spec}" has a malformed IPv6 address {ip}')
        ip = ip[1:-1]
    if ip and not _is_ip(ip):
        raise FileError(path, f'"{spec}" has an invalid IP address {ip}')
    return ip


def _is_ip(text: str) -> bool:
    """Whether `text` is an IPv4 or IPv6 address (without a zone, as Go's net.ParseIP wants)."""
    try:
        import ipaddress  # only for host IPs, which few files give

        ipaddress.ip_address(text)
    except ValueError:
        return False
    return "%" not in text


def parse_short(spec: str, path: KeyPath) -> list[dict[str, Any]]:
    """One short port spec -> its long entries, in the order compose prints them."""
    ip, host, container = _split_spec(spec)
    port, _, protocol = container.partition("/")
    protocol = (protocol or "tcp").lower() if port else ""
    if protocol not in PROTOCOLS:
        raise FileError(path, f'"{spec}" has an invalid protocol "{protocol}" (use tcp, udp or sctp)')
    ip = _host_ip(ip, spec, path)
    targets = _port_range(port)
    if targets is None:
        raise FileError(path, f'"{spec}" is not a valid port: bad container port "{port}"')
    published = _port_range(host) if host else (0, 0)
    if published is None:
        raise FileError(path, f'"{spec}" is not a valid port: bad host port "{host}"')
    count = targets[1] - targets[0] + 1
    if host and count > 1 and published[1] - published[0] != targets[1] - targets[0]:
        raise FileError(path, f'"{spec}" maps {count} container ports to a host range of another size')
    entries = []
    for i in range(count):
        entry: dict[str, Any] = {"mode": "ingress"}
        if ip:
            entry["host_ip"] = ip
        entry["target"] = targets[0] + i
        if host:
            entry["published"] = host if count == 1 and published[0] != published[1] else str(published[0] + i)
        entry["protocol"] = protocol
        entries.append(entry)
    entries.sort(key=lambda e: str(e["target"]))
    if any(e["target"] == 0 for e in entries):
        raise FileError(path, f'"{spec}" is missing a target port')
    return entries


def long_port(value: dict[str, Any], path: KeyPath) -> dict[str, Any]:
    """A long port entry in its canonical shape: defaults filled in, numbers as compose types them."""
    target = value.get("target")
    if isinstance(target, str) and target.isdigit():
        target = int(target)
    if not isinstance(target, int) or isinstance(target, bool) or target == 0:
        raise FileError(path, "a port needs a target (the container port)")
    out: dict[str, Any] = {}
    fields = {**value, "target": target, "mode": value.get("mode") or "ingress",
              "protocol": value.get("protocol") or "tcp"}
    published = value.get("published")
    fields["published"] = str(published) if isinstance(published, int) and not isinstance(published, bool) \
        else published
    for key in _LONG_ORDER:
        if fields.get(key) not in (None, ""):
            out[key] = fields[key]
    out.update((k, v) for k, v in value.items() if k not in _LONG_ORDER)
    return out


def _key(entry: dict[str, Any]) -> tuple[Any, ...]:
    """What makes two port entries the same one (compose-go keys a raw int `published` apart)."""
    published = entry.get("published", "")
    if isinstance(published, int) and not isinstance(published, bool):
        published = ("int", published)
    return (entry.get("host_ip", "0.0.0.0"), published, entry.get("target"), entry.get("protocol", "tcp"))


def canonical_ports(value: Any, ctx: Context, path: KeyPath) -> Any:
    """`services.*.ports`: every entry long, ranges expanded, duplicates dropped."""
    if not isinstance(value, list):
        return value
    out: list[dict[str, Any]] = []
    index: dict[tuple[Any, ...], int] = {}
    for i, item in enumerate(value):
        if isinstance(item, dict):
            pairs = [(_key(item), long_port(item, path + (i,)))]
        elif isinstance(item, (str, int)) and not isinstance(item, bool):
            pairs = [(_key(e), e) for e in parse_short(str(item), path + (i,))]
        else:
            raise FileError(path + (i,), f"{item!r} is not a valid port")
        for key, entry in pairs:
            if key in index:
                out[index[key]] = entry
            else:
                index[key] = len(out)
                out.append(entry)
    return out or DELETE


def canonical_expose(value: Any, ctx: Context, path: KeyPath) -> Any:
    """`services.*.expose`: strings, each once, ranges and protocols kept as written."""
    if not isinstance(value, list):
        return value
    out = list(dict.fromkeys(str(item) for item in value))
    return out or DELETE


RULES = [
    ("services.*.ports", canonical_ports),
    ("services.*.expose", canonical_expose),
]
