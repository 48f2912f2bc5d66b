"""The host's subnets as IPAM's `taken`: pure conversion of routes and addresses."""

from ipaddress import ip_network as N

from netplan.host import Address, Route, taken_from
from netplan.ipam import Taken, plan_subnets


def test_addresses_name_bridges_and_routes_name_their_device():
    found = taken_from(
        [Address(N("172.17.0.0/16"), "docker0", "bridge"), Address(N("192.0.2.0/24"), "eth0", None)],
        [Route(N("192.0.2.0/24"), "eth0"), Route(N("10.8.0.0/16"), "tun0"), Route(N("0.0.0.0/0"), "eth0")])
    assert found == (Taken(N("10.8.0.0/16"), "route via tun0"), Taken(N("172.17.0.0/16"), "bridge docker0"),
                     Taken(N("192.0.2.0/24"), "address of eth0"))


def test_link_local_multicast_loopback_and_default_routes_are_left_out():
    found = taken_from([Address(N("fe80::/64"), "eth0", None), Address(N("127.0.0.0/8"), "lo", None)],
                       [Route(N("ff00::/8"), "eth0"), Route(N("::/0"), "eth0"), Route(N("fd00:1::/64"), "eth0")])
    assert found == (Taken(N("fd00:1::/64"), "route via eth0"),)


def test_ipam_skips_what_the_host_uses():
    found = taken_from([Address(N("172.17.0.0/16"), "docker0", "bridge")], [Route(N("172.18.0.0/20"), "wg0")])
    (plan,) = plan_subnets("demo_default", (), found)
    assert str(plan.subnet) == "172.19.0.0/16"
