"""End to end in a throwaway host namespace: bridges and veths from `links`, the ruleset from
`firewall`, and real TCP between the namespaces the test made.

    box1 10.84.0.2 --+                          +-- box3 10.85.0.2  (port 80 published as 8080)
    box2 10.84.0.3 --+-- pct..a (host netns) pct..b --+
"""

import os
from ipaddress import ip_address as A
from ipaddress import ip_interface as I
from ipaddress import ip_network as N

import pytest

from netplan.firewall import nft
from netplan.firewall.spec import BridgeNetwork, FirewallSpec, PublishedPort
from netplan.links import Bridge, Endpoint, attach, setup_bridge
from tests.integration.netplan import links_lab

if os.geteuid() != 0:  # loud, not skipped: a skipped links suite looks green
    pytest.fail("tests/integration/netplan/test_links_firewall.py needs root", pytrace=False)

lab = links_lab.lab
UNREACHABLE = links_lab.UNREACHABLE


def test_same_network_flows_other_network_is_blocked_published_port_reaches_its_container(lab):
    host = lab.netns("host")
    a, b = lab.bridge("a"), lab.bridge("b")
    setup_bridge(Bridge(a, (I("10.84.0.1/24"),)), host)
    setup_bridge(Bridge(b, (I("10.85.0.1/24"),)), host)
    boxes = {}
    for name, bridge, address in (("box1", a, "10.84.0.2"), ("box2", a, "10.84.0.3"), ("box3", b, "10.85.0.2")):
        box = boxes[name] = lab.netns(name)
        gateway = address.rsplit(".", 1)[0] + ".1"
        attach(Endpoint(f"{bridge}{name[-1]}", bridge, box, addresses=(I(f"{address}/24"),),
                        gateways=(A(gateway),)), host)
        lab.serve(box, "0.0.0.0", name, port=80)
    assert lab.reach(boxes["box1"], "10.85.0.2", 80) == "box3"      # before the firewall: plain forwarding

    spec = FirewallSpec(networks=(BridgeNetwork(a, (N("10.84.0.0/24"),)), BridgeNetwork(b, (N("10.85.0.0/24"),))),
                        ports=(PublishedPort(A("0.0.0.0"), 8080, "tcp", A("10.85.0.2"), 80),))
    nft.apply(spec, prefix=("nsenter", f"--net={host}"))
    assert lab.reach(boxes["box1"], "10.84.0.3", 80) == "box2"      # same network
    assert lab.reach(boxes["box1"], "10.85.0.2", 80, timeout=0.3) == UNREACHABLE   # other network
    assert lab.reach(host, "127.0.0.1", 8080) == "box3"             # published, from the host's loopback
    assert lab.reach(boxes["box3"], "10.85.0.1", 8080) == "box3"    # hairpin through its own bridge
