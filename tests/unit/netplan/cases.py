"""Firewall specs shared by the golden unit tests and the namespace integration tests."""

from ipaddress import ip_address as A
from ipaddress import ip_network as N

from netplan.firewall.spec import BridgeNetwork, FirewallSpec, PublishedPort

EMPTY = FirewallSpec()

ONE = FirewallSpec(
    networks=(BridgeNetwork("pcdemodefault", (N("172.17.0.0/16"),)),),
    ports=(PublishedPort(A("0.0.0.0"), 8080, "tcp", A("172.17.0.2"), 80),),
)

DEMO = FirewallSpec(
    networks=(
        BridgeNetwork("pcdemofront", (N("172.18.0.0/16"),)),
        BridgeNetwork("pcdemoback", (N("10.5.0.0/24"), N("fd00:5::/64"))),
        BridgeNetwork("pcdemoint", (N("172.19.0.0/16"),), internal=True),
    ),
    ports=(
        PublishedPort(A("127.0.0.1"), 8080, "tcp", A("10.5.0.3"), 80),
        PublishedPort(A("0.0.0.0"), 5353, "udp", A("172.18.0.2"), 53),
        PublishedPort(A("::"), 8080, "tcp", A("fd00:5::3"), 80),
        PublishedPort(A("0.0.0.0"), 9999, "sctp", A("10.5.0.3"), 9999),
    ),
)

PROXIED = FirewallSpec(ONE.networks, ONE.ports, proxied_loopback=True)   # the userland proxy serves loopback

CASES = {"empty": EMPTY, "one": ONE, "demo": DEMO, "proxied": PROXIED}
