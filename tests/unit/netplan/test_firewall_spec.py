"""Specs the renderers refuse, with messages that name the port or bridge."""

from dataclasses import replace
from ipaddress import ip_address as A
from ipaddress import ip_network as N

import pytest

from netplan.errors import SpecInvalid
from netplan.firewall.nft_render import render_nft
from netplan.firewall.spec import BridgeNetwork, FirewallSpec, PublishedPort

NETS = (BridgeNetwork("pcfront", (N("172.18.0.0/16"), N("fd00::/64"))),
        BridgeNetwork("pcint", (N("172.19.0.0/16"),), internal=True))
PORT = PublishedPort(A("0.0.0.0"), 8080, "tcp", A("172.18.0.2"), 80)


def _render(*ports, networks=NETS):
    return render_nft(FirewallSpec(networks, ports))


@pytest.mark.parametrize(("port", "message"), [
    (replace(PORT, protocol="icmp"), "publish port 0.0.0.0:8080/icmp: protocol 'icmp' is not one of tcp, udp, sctp"),
    (replace(PORT, host_port=0), "publish port 0.0.0.0:0/tcp: port 0 is not between 1 and 65535"),
    (replace(PORT, container_port=70000), "port 70000 is not between 1 and 65535"),
    (replace(PORT, container_ip=A("fd00::2")), "the host and container addresses are of different IP versions"),
    (replace(PORT, container_ip=A("10.9.9.9")), "10.9.9.9 is on none of the networks"),
    (replace(PORT, container_ip=A("172.19.0.2")), "172.19.0.2 is on internal bridge `pcint`, which has no way in"),
])
def test_bad_ports(port, message):
    with pytest.raises(SpecInvalid) as err:
        _render(port)
    assert message in str(err.value)


def test_one_port_published_twice_on_overlapping_addresses():
    with pytest.raises(SpecInvalid, match=r"publish port 127.0.0.1:8080/tcp: 0.0.0.0:8080/tcp is published already"):
        _render(PORT, replace(PORT, host_ip=A("127.0.0.1")))


def test_same_port_on_two_protocols_or_families_is_fine():
    _render(PORT, replace(PORT, protocol="udp"),
            replace(PORT, host_ip=A("::"), container_ip=A("fd00::2")))


@pytest.mark.parametrize("name", ["docker0", "br-1234", "pc", "pc" + "x" * 14, "pcUPPER"])
def test_bridges_must_be_pycompose_named(name):
    with pytest.raises(SpecInvalid, match=f"render firewall for bridge `{name}`"):
        _render(networks=(BridgeNetwork(name, (N("10.0.0.0/24"),)),))


def test_a_bridge_listed_twice():
    with pytest.raises(SpecInvalid, match="it is listed twice"):
        _render(networks=(NETS[0], NETS[0]))


def test_ipv6_port_renders_with_brackets():
    text = _render(replace(PORT, host_ip=A("fd00::1"), container_ip=A("fd00::2")))
    assert "ip6 daddr fd00::1 tcp dport 8080 dnat ip6 to [fd00::2]:80" in text
