"""Mappings as JSON objects on the control channel, and as text in messages.

A mapping is `netplan.firewall.spec.PublishedPort` (the firewall and the proxy publish the
same thing); host port 0 asks the proxy to choose one.

    >>> decode({"host_ip": "127.0.0.1", "host_port": 8080, "protocol": "tcp",
    ...         "container_ip": "10.5.0.3", "container_port": 80})
    PublishedPort(host_ip=IPv4Address('127.0.0.1'), host_port=8080, protocol='tcp', ...)
"""

from __future__ import annotations

from collections.abc import Mapping
from ipaddress import ip_address
from typing import Any

from netplan.firewall.spec import PublishedPort
from netplan.proxy.errors import MappingInvalid

Key = tuple[str, int, str]


def encode(port: PublishedPort) -> dict[str, Any]:
    return {"host_ip": str(port.host_ip), "host_port": port.host_port, "protocol": port.protocol,
            "container_ip": str(port.container_ip), "container_port": port.container_port}


def decode(data: Mapping[str, Any]) -> PublishedPort:
    try:
        return PublishedPort(ip_address(data["host_ip"]), _int(data["host_port"]), str(data["protocol"]),
                             ip_address(data["container_ip"]), _int(data["container_port"]))
    except (KeyError, TypeError, ValueError) as error:
        raise MappingInvalid(f"read mapping {dict(data)!r}: {error}") from None


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"port {value!r} is not an integer")
    return value


def key(port: PublishedPort) -> Key:
    """What identifies a published port on the host: its address, port and protocol."""
    return (str(port.host_ip), port.host_port, port.protocol)


def show(port: PublishedPort) -> str:
    """`127.0.0.1:8080/tcp`, `[::1]:8080/udp`."""
    host = f"[{port.host_ip}]" if port.host_ip.version == 6 else str(port.host_ip)
    return f"{host}:{port.host_port}/{port.protocol}"


def show_mapping(port: PublishedPort) -> str:
    """`127.0.0.1:8080/tcp -> 10.5.0.3:80`."""
    target = f"[{port.container_ip}]" if port.container_ip.version == 6 else str(port.container_ip)
    return f"{show(port)} -> {target}:{port.container_port}"
