"""Subnet planning and address choice: pure, no host, no disk."""

from ipaddress import ip_address, ip_network

import pytest

from netplan.errors import AddressConflict, PoolExhausted, SubnetConflict, SubnetInvalid
from netplan.ipam import (
    DEFAULT_POOLS_V4,
    Pool,
    SubnetPlan,
    SubnetRequest,
    Taken,
    check_static,
    first_free,
    next_free,
    plan_subnets,
)

N = ip_network
A = ip_address


def test_default_pools_are_dockers():
    assert [str(p.base) for p in DEFAULT_POOLS_V4[:2]] == ["172.17.0.0/16", "172.18.0.0/16"]
    assert str(DEFAULT_POOLS_V4[14].base) == "172.31.0.0/16"
    assert (str(DEFAULT_POOLS_V4[-1].base), DEFAULT_POOLS_V4[-1].size) == ("192.168.0.0/16", 20)
    assert len(DEFAULT_POOLS_V4) == 16


def test_first_network_gets_172_17_with_gateway_dot_one():
    (plan,) = plan_subnets("demo_default", (), taken=())
    assert (plan.subnet, plan.gateway, plan.ip_range, plan.aux) == (N("172.17.0.0/16"), A("172.17.0.1"), None, ())


def test_skips_subnets_routed_on_the_host_and_used_by_other_bridges():
    taken = [Taken(N("172.17.0.0/16"), "bridge docker0"), Taken(N("172.18.5.0/24"), "route via eth0"),
             Taken(N("172.19.0.0/16"), "bridge br-1")]
    (plan,) = plan_subnets("demo_default", (), taken)
    assert plan.subnet == N("172.20.0.0/16")


def test_moves_on_to_192_168_in_20_bit_steps():
    taken = [N("172.16.0.0/12"), N("192.168.0.0/24"), N("192.168.16.0/20")]
    assert first_free(DEFAULT_POOLS_V4, taken) == N("192.168.32.0/20")


def test_a_large_taken_block_is_skipped_without_walking_it():
    taken = [N("fd00::/16"), N("fd01::/64")]
    assert first_free([Pool(N("fd00::/8"), 64)], taken) == N("fd01:0:0:1::/64")


def test_exhausted_pools_say_so():
    with pytest.raises(PoolExhausted, match="create network `x`: every IPv4 address pool is in use"):
        plan_subnets("x", (), [Taken(N("0.0.0.0/0"), "default route")])


def test_ipv6_comes_from_the_ula_pool_when_enabled():
    plans = plan_subnets("x", (), (), enable_ipv6=True)
    assert [str(p.subnet) for p in plans] == ["172.17.0.0/16", "fd00::/64"]
    assert str(plans[1].gateway) == "fd00::1"


def test_explicit_subnet_with_range_gateway_and_aux():
    request = SubnetRequest("10.5.0.0/24", ip_range="10.5.0.128/25", gateway="10.5.0.254",
                            aux_addresses={"router": "10.5.0.2"})
    (plan,) = plan_subnets("demo_back", [request], ())
    assert plan == SubnetPlan(N("10.5.0.0/24"), A("10.5.0.254"), N("10.5.0.128/25"), (("router", A("10.5.0.2")),))


def test_explicit_ipv6_subnet_keeps_an_automatic_ipv4_one():
    plans = plan_subnets("x", [SubnetRequest("fd12:3::/64")], ())
    assert [str(p.subnet) for p in plans] == ["172.17.0.0/16", "fd12:3::/64"]


@pytest.mark.parametrize(("request_", "message"), [
    (SubnetRequest("10.5.0.1/24"), "subnet 10.5.0.1/24 has host bits set"),
    (SubnetRequest("10.5.0/24x"), "subnet '10.5.0/24x' is not a CIDR subnet"),
    (SubnetRequest("10.5.0.0/24", ip_range="10.6.0.0/25"), "ip_range 10.6.0.0/25 is not inside subnet 10.5.0.0/24"),
    (SubnetRequest("10.5.0.0/24", gateway="10.6.0.1"), "gateway 10.6.0.1 is not a usable address of subnet"),
    (SubnetRequest("10.5.0.0/24", gateway="10.5.0.255"), "gateway 10.5.0.255 is not a usable address"),
    (SubnetRequest("10.5.0.0/24", gateway="nope"), "gateway 'nope' is not an IP address"),
    (SubnetRequest("10.5.0.0/24", aux_addresses={"r": "10.5.0.1"}), "aux address 'r' 10.5.0.1 is the gateway"),
    (SubnetRequest(gateway="10.5.0.1"), "an ipam config entry needs a subnet"),
])
def test_malformed_requests_are_refused(request_, message):
    with pytest.raises(SubnetInvalid, match="create network `demo_back`: ") as err:
        plan_subnets("demo_back", [request_], ())
    assert message in str(err.value)


def test_host_bits_hint_names_the_right_subnet():
    with pytest.raises(SubnetInvalid) as err:
        plan_subnets("x", [SubnetRequest("10.5.0.1/24")], ())
    assert err.value.hint == "did you mean 10.5.0.0/24?"


def test_requested_subnets_that_overlap_each_other():
    with pytest.raises(SubnetInvalid, match="subnets 10.5.0.0/16 and 10.5.3.0/24 overlap"):
        plan_subnets("x", [SubnetRequest("10.5.0.0/16"), SubnetRequest("10.5.3.0/24")], ())


def test_requested_subnet_that_overlaps_a_taken_one_names_its_owner():
    with pytest.raises(SubnetConflict, match=r"subnet 10.5.0.0/24 overlaps 10.0.0.0/8 of route via eth0"):
        plan_subnets("x", [SubnetRequest("10.5.0.0/24")], [Taken(N("10.0.0.0/8"), "route via eth0")])


def test_next_free_skips_network_gateway_aux_and_used():
    plan = SubnetPlan(N("10.5.0.0/29"), A("10.5.0.1"), None, (("r", A("10.5.0.2")),))
    assert next_free("n", plan, {A("10.5.0.3")}) == A("10.5.0.4")


def test_next_free_never_hands_out_the_broadcast():
    plan = SubnetPlan(N("10.5.0.0/30"), A("10.5.0.1"))
    assert next_free("n", plan, ()) == A("10.5.0.2")
    with pytest.raises(PoolExhausted, match="allocate address on network `n`: subnet 10.5.0.0/30 has no free"):
        next_free("n", plan, {A("10.5.0.2")})


def test_next_free_stays_inside_ip_range():
    plan = SubnetPlan(N("10.5.0.0/24"), A("10.5.0.1"), N("10.5.0.128/25"))
    assert next_free("n", plan, ()) == A("10.5.0.128")


def test_next_free_ipv6_starts_after_the_gateway():
    plan = SubnetPlan(N("fd00::/64"), A("fd00::1"))
    assert next_free("n", plan, ()) == A("fd00::2")


PLAN = SubnetPlan(N("10.5.0.0/24"), A("10.5.0.1"), None, (("r", A("10.5.0.9")),))


@pytest.mark.parametrize(("addr", "message"), [
    ("10.5.0.3", "allocate address 10.5.0.3 on network `demo_back`: already taken by container `demo-api-1`"),
    ("10.5.0.1", "allocate address 10.5.0.1 on network `demo_back`: it is the gateway"),
    ("10.5.0.9", "reserved as aux address 'r'"),
    ("10.5.0.255", "it is the network or broadcast address of 10.5.0.0/24"),
    ("10.6.0.3", "allocate address 10.6.0.3 on network `demo_back`: outside its subnets (10.5.0.0/24)"),
])
def test_static_addresses_are_checked(addr, message):
    with pytest.raises(AddressConflict) as err:
        check_static("demo_back", [PLAN], A(addr), {A("10.5.0.3"): "demo-api-1"})
    assert message in str(err.value)


def test_static_address_inside_returns_its_plan():
    assert check_static("demo_back", [PLAN], A("10.5.0.200"), {}) is PLAN
