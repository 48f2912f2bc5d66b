"""The network service end to end, in a throwaway "host" namespace, with real TCP between namespaces.

    box1 10.86.0.2 --+                          +-- box3 10.87.0.2 (80 published as 8080)
    box2 10.86.0.3 --+-- front (host netns) back --+

Everything the service makes (bridges, veth host ends, `table inet pycompose`) lives in the
lab's host namespace; the tests still remove it all explicitly and check that nothing is left.
"""

import os
import re
import subprocess
from ipaddress import ip_address as A
from ipaddress import ip_interface as I

import pytest

from netplan.errors import AddressConflict, FirewallFailed, NetworkExists, NetworkNotFound, SubnetConflict
from netplan.ipam import SubnetRequest
from netplan.service import EndpointNotFound, NetworkInUse, NetworkOptions, NetworkService
from netplan.service_firewall import Firewall
from netplan.service_ports import PortRequest
from tests.integration.netplan import links_lab
from tests.unit.netplan.golden import GOLDEN

if os.geteuid() != 0:  # loud, not skipped: a skipped network suite looks green
    pytest.fail("tests/integration/netplan/test_service.py needs root", pytrace=False)

lab = links_lab.lab
UNREACHABLE = links_lab.UNREACHABLE
FRONT = NetworkOptions(subnets=(SubnetRequest("10.86.0.0/24"),), labels={"tier": "front"})
BACK = NetworkOptions(subnets=(SubnetRequest("10.87.0.0/24"),))
PUBLISHED = """\
table inet pycompose {
	chain guard {
		type filter hook prerouting priority raw; policy accept;
		iifname { "BACK", "FRONT" } ip daddr 127.0.0.0/8 drop
	}

	chain forward {
		type filter hook forward priority filter; policy accept;
		oifname { "BACK", "FRONT" } ct state established,related accept
		oifname { "BACK", "FRONT" } ct status dnat accept
		iifname "BACK" oifname "BACK" accept
		iifname "FRONT" oifname "FRONT" accept
		iifname "BACK" oifname "FRONT" drop
		iifname "FRONT" oifname "BACK" drop
		iifname { "BACK", "FRONT" } accept
		oifname { "BACK", "FRONT" } drop
	}

	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		fib daddr type local jump published
	}

	chain output {
		type nat hook output priority -100; policy accept;
		fib daddr type local jump published
	}

	chain published {
		meta nfproto ipv4 tcp dport 8080 dnat ip to 10.87.0.2:80
	}

	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		ip saddr 10.87.0.0/24 oifname != "BACK" masquerade
		oifname "BACK" ct status dnat ip saddr 10.87.0.0/24 masquerade
		oifname "BACK" ct status dnat ip saddr 127.0.0.0/8 masquerade
		ip saddr 10.86.0.0/24 oifname != "FRONT" masquerade
		oifname "FRONT" ct status dnat ip saddr 10.86.0.0/24 masquerade
		oifname "FRONT" ct status dnat ip saddr 127.0.0.0/8 masquerade
	}
}
"""


@pytest.fixture
def world(lab, tmp_path):
    host = lab.netns("host")
    service = NetworkService(tmp_path / "state", lab.root, host_netns=host)
    yield host, service
    for net in service.list_networks():     # a failed test still leaves nothing behind
        for endpoint in net.endpoints:
            service.detach(net.record.name, endpoint.container)
        service.remove_network(net.record.name)


def _ruleset(host):
    done = subprocess.run(["nsenter", f"--net={host}", "nft", "list", "ruleset"], capture_output=True, text=True,
                          check=True)
    return done.stdout


def _normal(text, **bridges):
    """Bridge names made placeholders; lines sorted (rule order follows the random names), sets sorted."""
    for placeholder, bridge in bridges.items():
        text = text.replace(bridge, placeholder)
    text = re.sub(r"\{ ([^{}]*) \}", lambda m: "{ " + ", ".join(sorted(m.group(1).split(", "))) + " }", text)
    return sorted(text.splitlines())


def test_isolation_publishing_hairpin_and_a_clean_removal(lab, world):
    host, service = world
    front = service.create_network("front", FRONT).record
    back = service.create_network("back", BACK).record
    boxes = {name: lab.netns(name) for name in ("box1", "box2", "box3")}
    for name, network in (("box1", "front"), ("box2", "front"), ("box3", "back")):
        endpoint = service.attach(network, name, boxes[name], aliases=(f"{name}-alias",))
        lab.serve(boxes[name], str(endpoint.addresses[0].ip), name, port=80)
    assert [str(e.addresses[0]) for e in service.inspect("front").endpoints] == ["10.86.0.2/24", "10.86.0.3/24"]

    assert lab.reach(boxes["box1"], "10.86.0.3", 80) == "box2"                       # same network
    assert lab.reach(boxes["box1"], "10.87.0.2", 80, timeout=0.3) == UNREACHABLE     # the other network

    (port,) = service.publish("back", "box3", [PortRequest(80, host_port=8080)])
    assert (str(port.container_ip), port.host_port) == ("10.87.0.2", 8080)
    assert _normal(service.firewall_listing(), FRONT=front.bridge, BACK=back.bridge) == _normal(PUBLISHED)
    assert lab.reach(host, "127.0.0.1", 8080) == "box3"             # from the host's loopback (OUTPUT DNAT)
    assert lab.reach(boxes["box3"], "10.87.0.1", 8080) == "box3"    # hairpin through its own bridge
    assert lab.reach(boxes["box1"], "10.86.0.1", 8080) == "box3"    # from another network, through the host

    with pytest.raises(NetworkInUse, match=r"^remove network `front`: `box1`, `box2` still attached"):
        service.remove_network("front")

    service.unpublish("back", "box3")
    assert lab.reach(host, "127.0.0.1", 8080, timeout=0.3) == UNREACHABLE
    for name, network in (("box1", "front"), ("box2", "front"), ("box3", "back")):
        service.detach(network, name)
    service.remove_network("front")
    service.remove_network(back.id[:12])
    assert sorted(lab.links(host)) == ["lo"]
    assert _ruleset(host) == (GOLDEN / "after-remove.ruleset").read_text()
    assert service.list_networks() == []


def test_records_survive_the_process_and_a_second_service_sees_them(lab, world, tmp_path):
    host, service = world
    made = service.create_network("front", FRONT)
    box = lab.netns("box1")
    service.attach("front", "c1", box, name="demo-web-1", ipv4_address="10.86.0.9", mac="02:00:00:00:be:ef")
    other = NetworkService(tmp_path / "state", lab.root, host_netns=host)
    seen = other.inspect(made.record.id)
    assert seen.record == made.record and [str(p.subnet) for p in seen.subnets] == ["10.86.0.0/24"]
    (endpoint,) = seen.endpoints
    assert (endpoint.name, str(endpoint.addresses[0]), endpoint.mac, endpoint.ifname) == \
        ("demo-web-1", "10.86.0.9/24", "02:00:00:00:be:ef", "eth0")
    with pytest.raises(NetworkExists):
        other.create_network("front", BACK)
    other.detach("front", "c1")
    assert service.inspect("front").endpoints == ()


def test_a_default_subnet_avoids_what_the_host_routes(lab, world):
    host, service = world
    subprocess.run(["nsenter", f"--net={host}", "ip", "link", "add", "pctother0", "type", "bridge"], check=True)
    subprocess.run(["nsenter", f"--net={host}", "ip", "addr", "add", "172.17.0.1/16", "dev", "pctother0"], check=True)
    made = service.create_network("auto", NetworkOptions(enable_ipv6=True, mtu=1400))
    assert [(str(p.subnet), str(p.gateway)) for p in made.subnets] == [("172.18.0.0/16", "172.18.0.1"),
                                                                       ("fd00::/64", "fd00::1")]
    bridge = lab.links(host)[made.record.bridge]
    assert bridge["mtu"] == 1400 and "172.18.0.1/16" in bridge["addresses"]
    with pytest.raises(SubnetConflict, match="overlaps 172.18.0.0/16 of network `auto`"):
        service.create_network("again", NetworkOptions(subnets=(SubnetRequest("172.18.5.0/24"),)))


def test_the_default_route_follows_priority_and_moves_on_detach(lab, world):
    host, service = world
    service.create_network("front", FRONT)
    service.create_network("back", BACK)
    box = lab.netns("box1")
    assert service.attach("front", "c1", box).ifname == "eth0"
    assert lab.routes(box)["default"] == "10.86.0.1"
    assert service.attach("back", "c1", box, priority=10).ifname == "eth1"
    assert lab.routes(box)["default"] == "10.87.0.1"
    service.detach("back", "c1")
    assert lab.routes(box)["default"] == "10.86.0.1"
    assert sorted(lab.links(box)) == ["eth0", "lo"]


def test_failures_unwind_what_they_made(lab, world, monkeypatch):
    host, service = world
    service.create_network("front", FRONT)
    box1, box2 = lab.netns("box1"), lab.netns("box2")
    service.attach("front", "c1", box1, ipv4_address="10.86.0.5")
    links_before = sorted(lab.links(host))

    with pytest.raises(AddressConflict, match="already taken by container `c1`"):
        service.attach("front", "c2", box2, ipv4_address="10.86.0.5")
    assert sorted(lab.links(host)) == links_before and sorted(lab.links(box2)) == ["lo"]
    assert str(service.attach("front", "c2", box2).addresses[0]) == "10.86.0.2/24"   # nothing held by the failure

    def refuse(self, spec):
        raise FirewallFailed("apply firewall table `inet pycompose`: nft said: no")
    links_before, listing = sorted(lab.links(host)), service.firewall_listing()
    monkeypatch.setattr(Firewall, "apply", refuse)
    with pytest.raises(FirewallFailed):
        service.create_network("back", BACK)
    monkeypatch.undo()
    assert sorted(lab.links(host)) == links_before                                   # no bridge left
    assert [n.record.name for n in service.list_networks()] == ["front"] and service.firewall_listing() == listing
    assert service.create_network("back", BACK).subnets[0].subnet.compressed == "10.87.0.0/24"   # IPAM let go


def test_unknown_names_are_not_found(world):
    _, service = world
    with pytest.raises(NetworkNotFound, match="^remove network `nope`: no such network"):
        service.remove_network("nope")
    service.create_network("front", FRONT)
    with pytest.raises(EndpointNotFound, match="^detach `c9` on network `front`: it is not attached"):
        service.detach("front", "c9")


def test_ipv6_ports_and_a_chosen_host_port(lab, world):
    host, service = world
    service.create_network("dual", NetworkOptions(subnets=(SubnetRequest("10.88.0.0/24"),
                                                           SubnetRequest("fd88::/64"))))
    box = lab.netns("box1")
    endpoint = service.attach("dual", "c1", box)
    assert [str(a) for a in endpoint.addresses] == ["10.88.0.2/24", "fd88::2/64"]
    lab.serve(box, "::", "v6", port=80)
    v6, chosen = service.publish("dual", "c1", [PortRequest(80, host_ip="::", host_port=8086),
                                                PortRequest(80, host_ip="127.0.0.1")])
    assert (v6.container_ip, chosen.container_ip) == (A("fd88::2"), A("10.88.0.2")) and chosen.host_port > 0
    assert lab.reach(host, "fd88::1", 8086) == "v6"
    assert I("fd88::2/64") in endpoint.addresses
