"""The host's taken subnets, read from a throwaway namespace that plays the host, fed to IPAM."""

import os
from ipaddress import ip_interface as I
from ipaddress import ip_network as N

import pytest

from netplan.host import taken
from netplan.ipam import Taken, plan_subnets
from netplan.links import Bridge, setup_bridge
from netplan.links.kernel import iproute
from tests.integration.netplan import links_lab

if os.geteuid() != 0:  # loud, not skipped
    pytest.fail("tests/integration/netplan/test_host_taken.py needs root", pytrace=False)

lab = links_lab.lab


def test_bridges_addresses_and_routes_are_taken_and_ipam_avoids_them(lab):
    host = lab.netns("host")
    br, link = lab.bridge("a"), lab.bridge("v")
    assert taken(host) == ()                                    # only lo: nothing to avoid
    setup_bridge(Bridge(br, (I("172.17.0.1/16"), I("fd00::1/64"))), host)
    with iproute(host) as ipr:
        ipr.link("add", ifname=link, kind="veth", peer={"ifname": f"{link}p"})
        index = ipr.link_lookup(ifname=link)[0]
        ipr.addr("add", index=index, address="192.0.2.5", prefixlen=24)
        ipr.link("set", index=index, state="up")
        ipr.route("add", dst="172.18.0.0/20", gateway="192.0.2.1", oif=index)
    found = taken(host)
    assert set(found) >= {Taken(N("172.17.0.0/16"), f"bridge {br}"), Taken(N("fd00::/64"), f"bridge {br}"),
                          Taken(N("192.0.2.0/24"), f"address of {link}"),
                          Taken(N("172.18.0.0/20"), f"route via {link}")}
    assert not any(t.subnet.is_link_local or t.subnet.is_loopback for t in found)
    v4, v6 = plan_subnets("demo_default", (), found, enable_ipv6=True)
    assert (str(v4.subnet), str(v6.subnet)) == ("172.19.0.0/16", "fd00:0:0:1::/64")
