"""Where nftables is not installed, the service's ruleset lives in PYCOMPOSE* iptables chains: the same
isolation, publishing and hairpin by real traffic in the lab's throwaway "host" namespace, and nothing of
ours left in iptables after the last network goes.

    box1 10.82.0.2 -- front (host netns) -- back -- box2 10.83.0.2 (80 published as 8080)
"""

import os

import pytest

from netplan.ipam import SubnetRequest
from netplan.service import NetworkOptions, NetworkService
from netplan.service_firewall import Firewall
from netplan.service_ports import PortRequest
from tests.integration.netplan import links_lab

if os.geteuid() != 0:  # loud, not skipped: a skipped network suite looks green
    pytest.fail("tests/integration/netplan/test_service_iptables.py needs root", pytrace=False)

lab = links_lab.lab
UNREACHABLE = links_lab.UNREACHABLE


@pytest.mark.parametrize("backend", ["iptables-legacy", "iptables-nft"])
def test_the_iptables_backend_isolates_publishes_and_cleans_up(lab, tmp_path, backend):
    host = lab.netns("host")
    service = NetworkService(tmp_path / "state", lab.root, host_netns=host)
    service.firewall = Firewall(host, backend=backend)
    try:
        service.create_network("front", NetworkOptions(subnets=(SubnetRequest("10.82.0.0/24"),)))
        service.create_network("back", NetworkOptions(subnets=(SubnetRequest("10.83.0.0/24"),)))
        box1, box2 = lab.netns("box1"), lab.netns("box2")
        service.attach("front", "box1", box1)
        service.attach("back", "box2", box2)
        lab.serve(box1, "10.82.0.2", "box1", port=80)
        lab.serve(box2, "10.83.0.2", "box2", port=80)
        service.publish("back", "box2", [PortRequest(80, host_port=8080)])
        listing = service.firewall_listing()
        assert "-A PYCOMPOSE-DNAT -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.83.0.2:80" in listing

        assert lab.reach(box1, "10.83.0.2", 80, timeout=0.5) == UNREACHABLE   # isolated networks
        assert lab.reach(host, "127.0.0.1", 8080) == "box2"                    # from the host's loopback
        assert lab.reach(box1, "10.82.0.1", 8080) == "box2"                    # from the other network
        assert lab.reach(box2, "10.83.0.1", 8080) == "box2"                    # hairpin
    finally:
        for net in service.list_networks():
            for endpoint in net.endpoints:
                service.detach(net.record.name, endpoint.container)
            service.remove_network(net.record.name)
    assert service.firewall_listing() is None


@pytest.mark.parametrize("binary", ["iptables-nft", "iptables-legacy"])
def test_a_forward_policy_of_drop_set_by_docker_does_not_break_ours(lab, tmp_path, binary):
    """Docker sets the iptables FORWARD policy to DROP; the service (nftables) adds its shim and traffic flows,
    our isolation still holds, and the last network's removal takes the shim and leaves the policy alone."""
    host = lab.netns("host")
    links_lab.run_in(host, binary, "-P", "FORWARD", "DROP")
    service = NetworkService(tmp_path / "state", lab.root, host_netns=host)
    try:
        service.create_network("front", NetworkOptions(subnets=(SubnetRequest("10.82.0.0/24"),)))
        service.create_network("back", NetworkOptions(subnets=(SubnetRequest("10.83.0.0/24"),)))
        box1, box2 = lab.netns("box1"), lab.netns("box2")
        service.attach("front", "box1", box1)
        service.attach("back", "box2", box2)
        lab.serve(box2, "10.83.0.2", "box2", port=80)
        service.publish("back", "box2", [PortRequest(80, host_port=8080)])
        assert lab.reach(box1, "10.82.0.1", 8080) == "box2"                    # forwarded past the DROP policy
        assert lab.reach(box1, "10.83.0.2", 80, timeout=0.5) == UNREACHABLE   # our isolation is still final
        assert "-A FORWARD -j PYCOMPOSE-FORWARD" in links_lab.run_in(host, binary, "-S", "FORWARD")
    finally:
        for net in service.list_networks():
            for endpoint in net.endpoints:
                service.detach(net.record.name, endpoint.container)
            service.remove_network(net.record.name)
    assert links_lab.run_in(host, binary, "-S", "FORWARD").splitlines() == ["-P FORWARD DROP"]
