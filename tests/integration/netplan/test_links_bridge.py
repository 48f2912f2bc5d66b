"""Bridges in a throwaway "host" namespace: made by steps, idempotent, unwound on failure, removed."""

import os
from ipaddress import ip_address as A
from ipaddress import ip_interface as I

import pytest

from netplan.links import Bridge, Endpoint, LinkConflict, LinkInvalid, attach, remove_bridge, setup_bridge
from netplan.links.kernel import iproute, read_sysctl, write_sysctl
from tests.integration.netplan import links_lab

if os.geteuid() != 0:  # loud, not skipped: a skipped links suite looks green
    pytest.fail("tests/integration/netplan/test_links_bridge.py needs root", pytrace=False)

lab = links_lab.lab
GATEWAYS = (I("10.81.0.1/24"), I("fd81::1/64"))


def test_a_bridge_answers_on_its_gateway_address_from_an_attached_container(lab):
    host, box = lab.netns("host"), lab.netns("box")
    br = lab.bridge("a")
    setup_bridge(Bridge(br, GATEWAYS, mtu=1400), host)
    attach(Endpoint(f"{br}v", br, box, addresses=(I("10.81.0.2/24"), I("fd81::2/64"))), host)
    lab.serve(host, "10.81.0.1", "gateway v4")
    lab.serve(host, "fd81::1", "gateway v6")
    assert lab.reach(box, "10.81.0.1") == "gateway v4"
    assert lab.reach(box, "fd81::1") == "gateway v6"
    made = lab.links(host)[br]
    assert (made["kind"], made["mtu"], made["up"]) == ("bridge", 1400, True)
    assert {"10.81.0.1/24", "fd81::1/64"} <= set(made["addresses"])
    assert read_sysctl(host, f"net.ipv4.conf.{br}.route_localnet") == "1"
    assert read_sysctl(host, "net.ipv4.ip_forward") == "1"
    assert read_sysctl(host, "net.ipv6.conf.all.forwarding") == "1"


def test_setting_up_twice_changes_nothing(lab):
    host, br = lab.netns("host"), lab.bridge("a")
    setup_bridge(Bridge(br, GATEWAYS), host)
    before = lab.links(host)[br]
    setup_bridge(Bridge(br, GATEWAYS), host)
    assert lab.links(host)[br] == before


def test_an_internal_bridge_leaves_forwarding_alone(lab):
    host, br = lab.netns("host"), lab.bridge("i")
    write_sysctl(host, "net.ipv4.ip_forward", "0")  # a new namespace inherits the host's value
    setup_bridge(Bridge(br, GATEWAYS[:1], internal=True), host)
    assert read_sysctl(host, "net.ipv4.ip_forward") == "0"
    assert read_sysctl(host, f"net.ipv4.conf.{br}.route_localnet") == "1"


def test_a_failing_step_removes_the_bridge_it_made(lab):
    host, br = lab.netns("host"), lab.bridge("m")
    with pytest.raises(LinkInvalid, match=f"^set the MTU of bridge `{br}`: "):
        setup_bridge(Bridge(br, GATEWAYS, mtu=70000), host)
    assert br not in lab.links(host)


def test_a_failure_on_an_existing_bridge_leaves_that_bridge_in_place(lab):
    host, br = lab.netns("host"), lab.bridge("e")
    setup_bridge(Bridge(br, GATEWAYS), host)
    with pytest.raises(LinkInvalid, match=f"^set the MTU of bridge `{br}`"):
        setup_bridge(Bridge(br, GATEWAYS, mtu=70000), host)
    assert lab.links(host)[br]["up"]


def test_a_link_of_another_kind_is_a_conflict_and_is_left_alone(lab):
    host, name = lab.netns("host"), lab.bridge("d")
    with iproute(host) as ipr:
        ipr.link("add", ifname=name, kind="veth", peer={"ifname": f"{name}p"})
    with pytest.raises(LinkConflict, match=f"^create bridge `{name}`: .* is not a bridge"):
        setup_bridge(Bridge(name, GATEWAYS), host)
    with pytest.raises(LinkConflict, match=f"^remove bridge `{name}`: that link is not a bridge"):
        remove_bridge(name, host)
    assert lab.links(host)[name]["kind"] == "veth"


def test_removing_takes_the_gateway_away_and_twice_is_fine(lab):
    host, box, br = lab.netns("host"), lab.netns("box"), lab.bridge("r")
    setup_bridge(Bridge(br, GATEWAYS), host)
    attach(Endpoint(f"{br}v", br, box, addresses=(I("10.81.0.2/24"),), gateways=(A("10.81.0.1"),)), host)
    lab.serve(host, "0.0.0.0", "host")
    assert lab.reach(box, "10.81.0.1") == "host"
    remove_bridge(br, host)
    remove_bridge(br, host)
    assert br not in lab.links(host)
    assert lab.reach(box, "10.81.0.1", timeout=0.3) == links_lab.UNREACHABLE
