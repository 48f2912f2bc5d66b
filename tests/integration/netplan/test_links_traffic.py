"""Containers on bridges, with real TCP between throwaway namespaces the test made.

    box1 10.82.0.2 --+                          +-- box3 10.83.0.2
    box2 10.82.0.3 --+-- pct..a (host netns) pct..b --+
"""

import os
import socket
from ipaddress import ip_address as A
from ipaddress import ip_interface as I

import pytest

from netplan.links import (
    Bridge,
    Endpoint,
    LinkConflict,
    LinkFailed,
    LinkNotFound,
    attach,
    detach,
    set_default_route,
    setup_bridge,
)
from tests.integration.netplan import links_lab

if os.geteuid() != 0:  # loud, not skipped: a skipped links suite looks green
    pytest.fail("tests/integration/netplan/test_links_traffic.py needs root", pytrace=False)

lab = links_lab.lab
UNREACHABLE = links_lab.UNREACHABLE


@pytest.fixture
def net(lab):
    """Two bridges in a host namespace; `join(box, bridge, address, ...)` attaches a container."""
    host = lab.netns("host")
    bridges = {"a": lab.bridge("a"), "b": lab.bridge("b")}
    setup_bridge(Bridge(bridges["a"], (I("10.82.0.1/24"), I("fd82::1/64"))), host)
    setup_bridge(Bridge(bridges["b"], (I("10.83.0.1/24"),)), host)

    def join(box, which, *addresses, ifname="eth0", default=True, **extra):
        addresses = tuple(I(a) for a in addresses)
        gateways = tuple(next(iter(a.network.hosts())) for a in addresses) if default else ()
        ep = Endpoint(f"{bridges[which]}{box.name[-1]}{ifname[-1]}", bridges[which], box, ifname,
                      addresses, gateways, **extra)
        attach(ep, host)
        return ep

    return host, bridges, join


def test_two_containers_on_one_bridge_talk_over_v4_and_v6(lab, net):
    host, _, join = net
    box1, box2 = lab.netns("box1"), lab.netns("box2")
    join(box1, "a", "10.82.0.2/24", "fd82::2/64")
    join(box2, "a", "10.82.0.3/24", "fd82::3/64")
    lab.serve(box1, "0.0.0.0", "box1 v4")
    lab.serve(box1, "::", "box1 v6")
    assert lab.reach(box2, "10.82.0.2") == "box1 v4"
    assert lab.reach(box2, "fd82::2") == "box1 v6"
    assert lab.routes(box2, socket.AF_INET6)["default"] == "fd82::1"


def test_the_container_end_is_named_addressed_and_routed_as_asked(lab, net):
    host, bridges, join = net
    box = lab.netns("box1")
    ep = join(box, "a", "10.82.0.2/24", ifname="lan0", mtu=1400)
    inside, outside = lab.links(box), lab.links(host)
    assert sorted(inside) == ["lan0", "lo"] and inside["lo"]["up"]
    assert inside["lan0"] | {"addresses": None} == {"kind": "veth", "mtu": 1400, "mac": "02:42:0a:52:00:02",
                                                    "up": True, "master": None, "addresses": None}
    assert "10.82.0.2/24" in inside["lan0"]["addresses"]
    assert (outside[ep.host_name]["master"], outside[ep.host_name]["mtu"]) == (bridges["a"], 1400)
    assert lab.routes(box)["default"] == "10.82.0.1"


def test_a_given_mac_is_used(lab, net):
    _, _, join = net
    box = lab.netns("box1")
    join(box, "a", "10.82.0.2/24", mac="02:00:00:00:be:ef")
    assert lab.links(box)["eth0"]["mac"] == "02:00:00:00:be:ef"


def test_the_default_route_reaches_another_bridge_through_the_host_and_can_move(lab, net):
    host, _, join = net
    box1, box3 = lab.netns("box1"), lab.netns("box3")
    join(box3, "b", "10.83.0.2/24")
    join(box1, "b", "10.83.0.3/24", ifname="eth1", default=False)   # second network first, no default route
    join(box1, "a", "10.82.0.2/24")
    lab.serve(box1, "0.0.0.0", "box1")
    assert lab.routes(box1)["default"] == "10.82.0.1"
    assert lab.reach(box3, "10.82.0.2") == "box1"           # forwarded by the host namespace, no firewall
    set_default_route(box1, "eth1", (A("10.83.0.1"),))
    assert lab.routes(box1)["default"] == "10.83.0.1"
    assert lab.reach(box3, "10.83.0.3") == "box1"


def test_detach_cuts_the_container_off_and_twice_is_fine(lab, net):
    host, _, join = net
    box1, box2 = lab.netns("box1"), lab.netns("box2")
    join(box1, "a", "10.82.0.2/24")
    ep = join(box2, "a", "10.82.0.3/24")
    lab.serve(box1, "0.0.0.0", "box1")
    assert lab.reach(box2, "10.82.0.2") == "box1"
    detach(ep.host_name, host)
    detach(ep.host_name, host)
    assert sorted(lab.links(box2)) == ["lo"] and ep.host_name not in lab.links(host)
    assert lab.reach(box2, "10.82.0.2", timeout=0.3) == UNREACHABLE


def test_a_name_taken_inside_the_namespace_is_a_conflict_and_nothing_is_made(lab, net):
    host, _, join = net
    box = lab.netns("box1")
    join(box, "a", "10.82.0.2/24")
    before = sorted(lab.links(host))
    with pytest.raises(LinkConflict, match="^create interface `eth0` in network namespace `.*box1`"):
        join(box, "b", "10.83.0.2/24")
    assert sorted(lab.links(box)) == ["eth0", "lo"]
    assert sorted(lab.links(host)) == before


def test_a_failing_late_step_deletes_the_pair(lab, net):
    host, bridges, _ = net
    box = lab.netns("box1")
    lost = Endpoint(f"{bridges['a']}x", bridges["a"], box, addresses=(I("10.82.0.2/24"),),
                    gateways=(A("192.0.2.1"),))      # not on the link: the route step fails
    with pytest.raises(LinkFailed, match="^add the default route through `eth0 in .*box1`: network is unreach"):
        attach(lost, host)
    assert sorted(lab.links(box)) == ["lo"] and lost.host_name not in lab.links(host)


def test_attaching_to_a_missing_bridge_is_not_found(lab, net):
    host, bridges, _ = net
    box = lab.netns("box1")
    with pytest.raises(LinkNotFound, match="^attach `pc.*` to bridge `pcnone`: there is no such bridge"):
        attach(Endpoint(f"{bridges['a']}y", "pcnone", box), host)
    assert sorted(lab.links(box)) == ["lo"]
