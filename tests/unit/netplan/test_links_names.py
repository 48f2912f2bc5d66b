"""Link names, MAC addresses and the default-route choice: pure, no kernel."""

from ipaddress import ip_address as A
from ipaddress import ip_interface as I

import pytest

from netplan.links import LinkInvalid
from netplan.links.names import (
    GatewayCandidate,
    bridge_name,
    check_container_link,
    check_host_link,
    check_mac,
    container_ifname,
    default_route_carriers,
    mac_for,
    veth_name,
)

ID = "1a2b3c4d5e6f7a8b9c0d"


def test_bridge_and_veth_names_are_pc_prefixed_and_fit_ifnamsiz():
    assert bridge_name(ID) == "pc1a2b3c4d5e6f"
    assert veth_name(ID) == "pcv1a2b3c4d5e6f"
    assert max(len(bridge_name(ID)), len(veth_name(ID))) <= 15
    assert bridge_name("ab") == "pcab"


@pytest.mark.parametrize("ident", ["", "XYZ", "../x", "1a 2b", "g" * 3])
def test_names_from_ids_refuse_what_is_not_hex(ident):
    with pytest.raises(LinkInvalid, match="ids are lowercase hex digits"):
        bridge_name(ident)


@pytest.mark.parametrize("name", ["pc", "eth0", "pc" + "a" * 14, "pc/x", "pc x", "pcA", "pc.."])
def test_host_links_must_be_ours_and_short(name):
    with pytest.raises(LinkInvalid, match=f"name bridge `{name}`"):
        check_host_link(name, "bridge")


@pytest.mark.parametrize("name", ["", "a" * 16, "eth 0", "a/b", ".", "..", "eth0:1"])
def test_container_interface_names_are_refused_when_the_kernel_would(name):
    with pytest.raises(LinkInvalid):
        check_container_link(name)


def test_container_interface_names_accept_compose_interface_name():
    assert check_container_link("lan0") == "lan0"
    assert [container_ifname(i) for i in range(3)] == ["eth0", "eth1", "eth2"]


def test_mac_is_dockers_02_42_and_the_ipv4_address():
    assert mac_for((I("fd00::2/64"), I("172.18.0.2/16"))) == "02:42:ac:12:00:02"


def test_mac_without_ipv4_is_random_but_local_and_unicast():
    first, second = mac_for((I("fd00::2/64"),)), mac_for(())
    assert first.startswith("02:42:") and second.startswith("02:42:") and first != second


def test_mac_is_checked_and_normalised():
    assert check_mac("02-42-AC-12-00-02") == "02:42:ac:12:00:02"
    for bad in ("02:42:ac:12:00", "01:00:5e:00:00:01", "zz:42:ac:12:00:02"):
        with pytest.raises(LinkInvalid, match=f"set MAC address `{bad}`"):
            check_mac(bad)


def _c(network, *gateways, priority=0, internal=False):
    return GatewayCandidate(network, tuple(A(g) for g in gateways), priority, internal)


def test_default_route_goes_to_the_highest_gw_priority():
    front, back = _c("demo_front", "172.18.0.1"), _c("demo_back", "172.19.0.1", priority=10)
    assert default_route_carriers([front, back]) == {4: back}


def test_default_route_tie_goes_to_the_first_name_and_internal_never_carries_it():
    b, a, internal = _c("b", "10.2.0.1"), _c("a", "10.1.0.1"), _c("0", "10.0.0.1", priority=99, internal=True)
    assert default_route_carriers([b, a, internal]) == {4: a}
    assert default_route_carriers([internal]) == {}


def test_default_route_is_chosen_per_ip_version():
    v4, dual = _c("a", "10.1.0.1", priority=5), _c("b", "10.2.0.1", "fd00:2::1")
    assert default_route_carriers([v4, dual]) == {4: v4, 6: dual}
