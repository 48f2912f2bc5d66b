"""IPAM records and their transitions: pure, round-tripped through JSON."""

from ipaddress import ip_address, ip_network

import pytest

from netplan.errors import AddressConflict, NetworkExists, NetworkNotFound, SubnetInvalid
from netplan.ipam import SubnetRequest, Taken
from netplan.ipam_state import IpamState, add_network, allocate, from_json, release, remove_network, to_json

A = ip_address


def _state(*names, **kw):
    state = IpamState()
    for name in names:
        state, _ = add_network(state, name, (), (), **kw)
    return state


def test_networks_never_share_a_subnet():
    state = _state("a", "b")
    assert [str(r.subnets[0].subnet) for r in state.networks.values()] == ["172.17.0.0/16", "172.18.0.0/16"]


def test_a_requested_subnet_may_not_overlap_another_network():
    state = _state("a")
    with pytest.raises(Exception, match="overlaps 172.17.0.0/16 of network `a`"):
        add_network(state, "b", [SubnetRequest("172.17.3.0/24")], ())


def test_host_taken_subnets_are_avoided():
    state, record = add_network(IpamState(), "a", (), [Taken(ip_network("172.17.0.0/16"), "bridge docker0")])
    assert str(record.subnets[0].subnet) == "172.18.0.0/16"


def test_creating_twice_is_a_conflict():
    with pytest.raises(NetworkExists, match="create network `a`: it exists already"):
        add_network(_state("a"), "a", (), ())


def test_allocate_hands_out_addresses_in_order_and_release_returns_them():
    state = _state("a")
    state, first = allocate(state, "a", "web-1")
    state, second = allocate(state, "a", "db-1")
    assert (first, second) == (A("172.17.0.2"), A("172.17.0.3"))
    state = release(state, "a", "web-1")
    state, again = allocate(state, "a", "cache-1")
    assert again == A("172.17.0.2")


def test_allocate_is_idempotent_per_owner():
    state, first = allocate(_state("a"), "a", "web-1")
    same_state, again = allocate(state, "a", "web-1")
    assert (again, same_state) == (first, state)


def test_static_address_taken_names_the_holder():
    state, _ = add_network(IpamState(), "demo_back", [SubnetRequest("10.5.0.0/24")], ())
    state, _ = allocate(state, "demo_back", "demo-api-1", A("10.5.0.3"))
    with pytest.raises(AddressConflict) as err:
        allocate(state, "demo_back", "demo-web-1", A("10.5.0.3"))
    assert str(err.value) == "allocate address 10.5.0.3 on network `demo_back`: already taken by container `demo-api-1`"


def test_an_owner_cannot_hold_two_addresses_of_one_family():
    state, _ = allocate(_state("a"), "a", "web-1")
    with pytest.raises(AddressConflict, match="container `web-1` already holds 172.17.0.2"):
        allocate(state, "a", "web-1", A("172.17.0.9"))


def test_ipv6_needs_an_ipv6_subnet():
    with pytest.raises(SubnetInvalid, match="it has no IPv6 subnet"):
        allocate(_state("a"), "a", "web-1", version=6)
    state, addr = allocate(_state("a", enable_ipv6=True), "a", "web-1", version=6)
    assert addr == A("fd00::2")


def test_unknown_network():
    with pytest.raises(NetworkNotFound, match="allocate address on network `nope`: no such network"):
        allocate(IpamState(), "nope", "web-1")
    with pytest.raises(NetworkNotFound):
        remove_network(IpamState(), "nope")
    assert release(IpamState(), "nope", "web-1") == IpamState()


def test_removing_a_network_frees_its_subnet():
    state = remove_network(_state("a"), "a")
    state, record = add_network(state, "b", (), ())
    assert str(record.subnets[0].subnet) == "172.17.0.0/16"


def test_json_round_trip():
    state, _ = add_network(IpamState(), "x", [SubnetRequest("10.5.0.0/24", "10.5.0.128/25", "10.5.0.254",
                                                            {"r": "10.5.0.2"})], (), enable_ipv6=True)
    state, _ = allocate(state, "x", "web-1")
    state, _ = allocate(state, "x", "web-1", version=6)
    doc = to_json(state)
    assert doc["networks"]["x"]["allocations"] == {"10.5.0.128": "web-1", "fd00::2": "web-1"}
    assert from_json(doc) == state


def test_json_of_another_format_is_refused():
    with pytest.raises(SubnetInvalid, match="format 2 is not 1"):
        from_json({"format": 2, "networks": {}})
