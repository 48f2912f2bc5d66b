"""What netplan knows of a container, in the shapes of Docker's CLI: `inspect`'s NetworkSettings, and the NETWORKS
and PORTS of `container ls` (the engine never imports netplan, so the CLI joins the two here).

    settings = network_settings(record, endpoints.get(record.id, []), gateways)
    ports_text(ports)  ->  "127.0.0.1:8080->80/tcp, 0.0.0.0:5353->53/udp"
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.state import ContainerRecord
    from netplan.firewall.spec import PublishedPort
    from netplan.records import EndpointRecord
    from netplan.service import NetworkService


def gathered(networks: NetworkService) -> tuple[dict[str, list[EndpointRecord]], dict[str, tuple[str, str, str]]]:
    """Every container's endpoints (by container id), and each network's (id, IPv4 gateway, IPv6 gateway)."""
    endpoints: dict[str, list[EndpointRecord]] = {}
    nets: dict[str, tuple[str, str, str]] = {}
    for net in networks.list_networks():
        v4 = next((str(p.gateway) for p in net.subnets if p.subnet.version == 4), "")
        v6 = next((str(p.gateway) for p in net.subnets if p.subnet.version == 6), "")
        nets[net.record.name] = (net.record.id, v4, v6)
        for endpoint in net.endpoints:
            endpoints.setdefault(endpoint.container, []).append(endpoint)
    return endpoints, nets


def _address(endpoint: EndpointRecord, version: int) -> tuple[str, int]:
    found = next((a for a in endpoint.addresses if a.version == version), None)
    return (str(found.ip), found.network.prefixlen) if found is not None else ("", 0)


def port_map(ports: Iterable[PublishedPort], exposed: Iterable[str] = ()) -> dict[str, Any]:
    """Docker's `Ports`: {"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8080"}]}, exposed-only ports null."""
    out: dict[str, Any] = {key: None for key in exposed}
    for p in ports:
        key = f"{p.container_port}/{p.protocol}"
        out[key] = [*(out.get(key) or []), {"HostIp": str(p.host_ip), "HostPort": str(p.host_port)}]
    return out


def network_settings(record: ContainerRecord, endpoints: Sequence[EndpointRecord],
                     nets: Mapping[str, tuple[str, str, str]], exposed: Iterable[str] = ()) -> dict[str, Any]:
    """Docker's NetworkSettings for `record` (user networks: the top-level addresses stay empty, as Docker's);
    `exposed`: its ExposedPorts, listed in Ports with no binding."""
    networks: dict[str, Any] = {}
    for e in endpoints:
        ip, prefix = _address(e, 4)
        ip6, prefix6 = _address(e, 6)
        net_id, gateway, gateway6 = nets.get(e.network, ("", "", ""))
        networks[e.network] = {
            "IPAMConfig": None, "Links": None, "Aliases": list(e.aliases) or None, "MacAddress": e.mac,
            "DriverOpts": None, "NetworkID": net_id, "EndpointID": e.id, "Gateway": gateway, "IPAddress": ip,
            "IPPrefixLen": prefix, "IPv6Gateway": gateway6 if ip6 else "", "GlobalIPv6Address": ip6,
            "GlobalIPv6PrefixLen": prefix6, "DNSNames": [e.name, *e.aliases, record.id[:12]]}
    mode = record.config.launch.get("options", {}).get("network", "none")
    if not endpoints and mode in ("none", "host"):
        networks[mode] = {"IPAMConfig": None, "Links": None, "Aliases": None, "MacAddress": "", "DriverOpts": None,
                          "NetworkID": "", "EndpointID": "", "Gateway": "", "IPAddress": "", "IPPrefixLen": 0,
                          "IPv6Gateway": "", "GlobalIPv6Address": "", "GlobalIPv6PrefixLen": 0, "DNSNames": None}
    return {"Bridge": "", "SandboxID": endpoints[0].netns.rpartition("/")[2] if endpoints else "",
            "SandboxKey": endpoints[0].netns if endpoints else "", "HairpinMode": False,
            "Ports": port_map([p for e in endpoints for p in e.ports], exposed),
            "EndpointID": "", "Gateway": "", "GlobalIPv6Address": "", "GlobalIPv6PrefixLen": 0, "IPAddress": "",
            "IPPrefixLen": 0, "IPv6Gateway": "", "MacAddress": "", "Networks": networks}


def ports_text(ports: Iterable[PublishedPort]) -> str:
    """`container ls`'s PORTS: `127.0.0.1:8080->80/tcp`, IPv6 hosts in brackets, `::` as `:::`."""
    def host(p: PublishedPort) -> str:
        text = str(p.host_ip)
        return f"[{text}]" if ":" in text and text != "::" else text

    return ", ".join(f"{host(p)}:{p.host_port}->{p.container_port}/{p.protocol}" for p in ports)
