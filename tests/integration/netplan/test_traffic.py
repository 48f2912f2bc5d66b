"""Real packets through the rendered ruleset: a "host" namespace with two pycompose bridges and
three "container" namespaces, all created by the test. Traffic goes only to their addresses
and to the host namespace's own 127.0.0.1.

    c1 10.91.0.2 --+                    +-- c2 10.92.0.2
    c3 10.91.0.3 --+-- pcta (host) pctb-+
"""

import subprocess
import sys
from ipaddress import ip_address as A
from ipaddress import ip_network as N

import pytest

from netplan.firewall import iptables, nft
from netplan.firewall.spec import BridgeNetwork, FirewallSpec, PublishedPort

SPEC = FirewallSpec(
    networks=(BridgeNetwork("pcta", (N("10.91.0.0/24"),)), BridgeNetwork("pctb", (N("10.92.0.0/24"),))),
    ports=(PublishedPort(A("0.0.0.0"), 8080, "tcp", A("10.92.0.2"), 80),),
)
SERVE = """
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 80)); s.listen(); print("ready", flush=True)
while True:
    c, _ = s.accept(); c.sendall(sys.argv[1].encode()); c.close()
"""
CONNECT = """
import socket, sys
try:
    print(socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=0.5).recv(64).decode())
except OSError:
    print("unreachable")
"""


@pytest.fixture
def lab(netns):
    host = netns()
    host.run("sysctl", "-qw", "net.ipv4.ip_forward=1")
    for bridge, gw in (("pcta", "10.91.0.1/24"), ("pctb", "10.92.0.1/24")):
        host.run("ip", "link", "add", bridge, "type", "bridge")
        host.run("ip", "addr", "add", gw, "dev", bridge)
        host.run("ip", "link", "set", bridge, "up")
        host.run("sysctl", "-qw", f"net.ipv4.conf.{bridge}.route_localnet=1")
    servers, boxes = [], {}
    for name, bridge, addr in (("c1", "pcta", "10.91.0.2"), ("c3", "pcta", "10.91.0.3"), ("c2", "pctb", "10.92.0.2")):
        box = netns(name)
        host.run("ip", "link", "add", f"pcv{name}", "type", "veth", "peer", "name", "eth0", "netns", box.name)
        host.run("ip", "link", "set", f"pcv{name}", "master", bridge, "up")
        host.run("ip", "link", "set", f"pcv{name}", "type", "bridge_slave", "hairpin", "on")  # the bridge step's job
        box.run("ip", "addr", "add", f"{addr}/24", "dev", "eth0")
        box.run("ip", "link", "set", "eth0", "up")
        box.run("ip", "route", "add", "default", "via", addr.rsplit(".", 1)[0] + ".1")
        server = subprocess.Popen([*box.prefix, sys.executable, "-c", SERVE, name], stdout=subprocess.PIPE, text=True)
        assert server.stdout.readline().strip() == "ready"
        servers.append(server)
        boxes[name] = box
    yield host, boxes
    for server in servers:
        server.kill()
        server.wait()
        server.stdout.close()


def _reach(ns, addr, port=80):
    return ns.run(sys.executable, "-c", CONNECT, addr, str(port)).stdout.strip()


def test_isolation_publishing_and_hairpin(lab):
    host, box = lab
    nft.apply(SPEC, prefix=host.prefix)
    assert _reach(box["c1"], "10.91.0.3") == "c3"                 # same network
    assert _reach(box["c1"], "10.92.0.2") == "unreachable"        # isolated networks
    assert _reach(host, "127.0.0.1", 8080) == "c2"                # published, from the host's loopback
    assert _reach(box["c1"], "10.91.0.1", 8080) == "c2"           # published, from another network
    assert _reach(box["c2"], "10.92.0.1", 8080) == "c2"           # hairpin
    nft.remove(prefix=host.prefix)
    assert _reach(host, "127.0.0.1", 8080) == "unreachable"


def test_internal_network_has_no_way_out(lab):
    host, box = lab
    internal = FirewallSpec((SPEC.networks[0], BridgeNetwork("pctb", SPEC.networks[1].subnets, internal=True)))
    nft.apply(internal, prefix=host.prefix)
    assert _reach(box["c2"], "10.91.0.2") == "unreachable"
    assert _reach(box["c1"], "10.92.0.2") == "unreachable"


def test_containers_of_an_internal_network_reach_each_other(lab):
    host, box = lab
    internal = FirewallSpec((BridgeNetwork("pcta", SPEC.networks[0].subnets, internal=True), SPEC.networks[1]))
    nft.apply(internal, prefix=host.prefix)
    assert _reach(box["c1"], "10.91.0.3") == "c3"                 # same internal network
    assert _reach(box["c1"], "10.92.0.2") == "unreachable"        # still no way out


def test_traffic_flows_when_docker_set_forward_to_drop(lab):
    host, box = lab
    nft.apply(SPEC, prefix=host.prefix)
    host.run("iptables-nft", "-P", "FORWARD", "DROP")
    assert _reach(box["c1"], "10.91.0.1", 8080) == "unreachable"
    assert iptables.forward_policy_drops(binary="iptables-nft", prefix=host.prefix)
    iptables.apply_shim(SPEC, binary="iptables-nft", prefix=host.prefix)
    assert _reach(box["c1"], "10.91.0.1", 8080) == "c2"
    assert _reach(box["c1"], "10.92.0.2") == "unreachable"        # our drops stay final
    iptables.remove_shim(binary="iptables-nft", prefix=host.prefix)
