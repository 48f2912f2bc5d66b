"""Published ports in both of Docker's modes, by real traffic in the lab's throwaway "host" namespace:
the userland proxy (the default: it serves 127.0.0.1 and ::1, the DNAT leaves loopback to it) and pure
NAT (`--userland-proxy=false`: 127.0.0.1 through route_localnet, ::1 not served, as in Docker).

    box 10.84.0.2 / fd84::2  --  dual (host netns)  --  proxy process (host netns), when on

The proxy is the run root's on-demand one (netplan.proxy.on_demand): started by the first publish,
gone when the last published port is.
"""

import os
import socket

import pytest

from netplan import netns
from netplan.errors import ModuleMissing
from netplan.ipam import SubnetRequest
from netplan.proxy.errors import PortInUse
from netplan.proxy.on_demand import OnDemandProxy
from netplan.service import NetworkOptions, NetworkService
from netplan.service_ports import PortRequest
from tests.integration.netplan import links_lab
from tests.waiting import eventually

if os.geteuid() != 0:  # loud, not skipped: a skipped network suite looks green
    pytest.fail("tests/integration/netplan/test_service_publish.py needs root", pytrace=False)

lab = links_lab.lab
UNREACHABLE = links_lab.UNREACHABLE
DUAL = NetworkOptions(subnets=(SubnetRequest("10.84.0.0/24"), SubnetRequest("fd84::/64")))


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture
def host(lab):
    return lab.netns("host")


@pytest.fixture
def make(lab, host, tmp_path):
    """A service in the lab's host namespace, with the on-demand proxy (`proxy=True`) or NAT alone."""
    made = []

    def service(proxy):
        svc = NetworkService(tmp_path / "state", lab.root, host_netns=host)
        if proxy:
            svc.proxy = OnDemandProxy(lab.root / "proxy", host_netns=host, published=svc.published)
        made.append(svc)
        svc.create_network("dual", DUAL)
        return svc

    yield service
    for svc in made:
        for net in svc.list_networks():
            for endpoint in net.endpoints:
                svc.detach(net.record.name, endpoint.container)
            svc.remove_network(net.record.name)
    OnDemandProxy(lab.root / "proxy", host_netns=host).stop()   # a failed test may leave it serving


def _box(lab, service, name="box1"):
    box = lab.netns(name)
    service.attach("dual", name, box)
    lab.serve(box, "0.0.0.0", f"{name} v4", port=80)
    lab.serve(box, "::", f"{name} v6", port=80)
    return box


def _proxy_pid(lab):
    try:
        return int((lab.root / "proxy" / "proxy.pid").read_text())
    except (OSError, ValueError):
        return None


def test_the_proxy_serves_loopback_of_both_families_and_goes_with_the_last_port(lab, host, make):
    service = make(proxy=True)
    _box(lab, service)
    v4, v6 = service.publish("dual", "box1", [PortRequest(80, host_ip="127.0.0.1", host_port=8080),
                                              PortRequest(80, host_ip="::1", host_port=8080)])
    pid = _proxy_pid(lab)
    assert pid is not None and _alive(pid)
    assert lab.reach(host, "127.0.0.1", 8080) == "box1 v4"
    assert lab.reach(host, "::1", 8080) == "box1 v6"
    listing = service.firewall_listing()
    assert "ip daddr 127.0.0.0/8 return" in listing and "dport 8080 dnat ip to 10.84.0.2:80" in listing

    service.proxy.stop()                                            # loopback was the proxy's, not the DNAT's
    assert lab.reach(host, "127.0.0.1", 8080, timeout=0.5) == UNREACHABLE
    assert service.proxy.ensure() and lab.reach(host, "127.0.0.1", 8080) == "box1 v4"   # back, from the records
    service.proxy.stop()
    (chosen,) = service.publish("dual", "box1", [PortRequest(80, host_ip="127.0.0.1")])
    assert chosen.host_port > 0 and lab.reach(host, "127.0.0.1", chosen.host_port) == "box1 v4"
    assert lab.reach(host, "127.0.0.1", 8080) == "box1 v4"          # a fresh proxy serves what the records publish

    pid = _proxy_pid(lab)
    service.detach("dual", "box1")
    eventually(lambda: not _alive(pid), timeout=10, what="the proxy to exit with its last port")
    assert not (lab.root / "proxy" / "proxy.sock").exists()


def test_pure_nat_serves_127_0_0_1_and_not_the_ipv6_loopback(lab, host, make):
    service = make(proxy=False)
    _box(lab, service)
    service.publish("dual", "box1", [PortRequest(80, host_ip="127.0.0.1", host_port=8080),
                                     PortRequest(80, host_ip="::1", host_port=8080)])
    assert _proxy_pid(lab) is None
    assert lab.reach(host, "127.0.0.1", 8080) == "box1 v4"
    assert lab.reach(host, "::1", 8080, timeout=0.5) == UNREACHABLE   # IPv6 has no route_localnet
    assert "return" not in service.firewall_listing()


def _hold(host, port):
    """A socket of this process listening on 127.0.0.1:`port` in the host namespace."""
    return netns.inside(host, socket.create_server, ("127.0.0.1", port))


@pytest.mark.parametrize("proxy", [True, False], ids=["proxy", "nat"])
def test_a_port_a_process_holds_is_refused_naming_it_and_nothing_is_published(lab, host, make, proxy):
    service = make(proxy=proxy)
    _box(lab, service)
    with _hold(host, 8081):
        with pytest.raises(PortInUse, match=rf"^publish 127.0.0.1:8081/tcp: port is already in use by "
                                            rf"\S+ \(pid {os.getpid()}\)"):
            service.publish("dual", "box1", [PortRequest(80, host_ip="127.0.0.1", host_port=8082),
                                             PortRequest(80, host_ip="127.0.0.1", host_port=8081)])
        (endpoint,) = service.inspect("dual").endpoints
        assert endpoint.ports == () and "8082" not in service.firewall_listing()
        assert lab.reach(host, "127.0.0.1", 8082, timeout=0.5) == UNREACHABLE
        assert _proxy_pid(lab) is None                      # a proxy started for nothing goes again


@pytest.mark.parametrize("proxy", [True, False], ids=["proxy", "nat"])
def test_a_range_gives_each_container_the_next_free_port(lab, host, make, proxy):
    service = make(proxy=proxy)
    _box(lab, service, "box1")
    _box(lab, service, "box2")
    wanted = [PortRequest(80, host_ip="127.0.0.1", host_port=9000, host_port_end=9002)]
    with _hold(host, 9000):
        (first,) = service.publish("dual", "box1", wanted)
        (second,) = service.publish("dual", "box2", wanted)
        with pytest.raises(PortInUse, match=r"^publish port 127.0.0.1:9000-9002/tcp: every port of the range"):
            service.publish("dual", "box1", [PortRequest(81, host_ip="127.0.0.1", host_port=9000,
                                                         host_port_end=9002)])
    assert (first.host_port, second.host_port) == (9001, 9002)
    assert lab.reach(host, "127.0.0.1", 9001) == "box1 v4"
    assert lab.reach(host, "127.0.0.1", 9002) == "box2 v4"


def _kernel_has_sctp():
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_SCTP).close()
    except OSError:
        return False
    return True


def test_sctp_on_a_kernel_without_it_names_the_module(lab, make):
    if _kernel_has_sctp():
        pytest.skip("this kernel has SCTP: the missing-module message cannot be seen here")
    service = make(proxy=True)
    _box(lab, service)
    with pytest.raises(ModuleMissing, match=r"^publish port 0.0.0.0:9999/sctp: this kernel has no SCTP "
                                            r"\(the `sctp` module is not loaded\)"):
        service.publish("dual", "box1", [PortRequest(9999, "sctp", host_port=9999)])
    assert service.inspect("dual").endpoints[0].ports == ()


def test_sctp_is_published_by_the_firewall(lab, host, make):
    if not _kernel_has_sctp():
        pytest.skip("this kernel has no SCTP (module sctp): sctp traffic cannot be sent here")
    service = make(proxy=True)
    box = lab.netns("box1")
    service.attach("dual", "box1", box)
    server = netns.inside(box, socket.socket, socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_SCTP)
    with server:
        server.bind(("0.0.0.0", 9999))
        server.listen()
        service.publish("dual", "box1", [PortRequest(9999, "sctp", host_port=9999)])
        assert _proxy_pid(lab) is None                      # sctp is the firewall's alone
        client = netns.inside(host, socket.socket, socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_SCTP)
        with client:
            client.settimeout(5)
            client.connect(("10.84.0.1", 9999))
            conn, _ = server.accept()
            conn.close()



def _udp_echo(where, address, port):
    """A UDP server inside `where` that answers every datagram with "echo " + it; closed by the test."""
    import threading

    sock = netns.inside(where, socket.socket, socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((address, port))

    def loop():
        while True:
            try:
                data, peer = sock.recvfrom(512)
            except OSError:
                return
            sock.sendto(b"echo " + data, peer)

    threading.Thread(target=loop, daemon=True).start()
    return sock


def _udp_ask(where, address, port):
    client = netns.inside(where, socket.socket, socket.AF_INET, socket.SOCK_DGRAM)
    with client:
        client.settimeout(5)
        client.sendto(b"ping", (address, port))
        try:
            return client.recv(512).decode()
        except OSError:
            return UNREACHABLE


@pytest.mark.parametrize("proxy", [True, False], ids=["proxy", "nat"])
def test_every_address_udp_and_hairpin_in_both_modes(lab, host, make, proxy):
    service = make(proxy=proxy)
    box = _box(lab, service, "box1")
    other = lab.netns("box2")
    service.create_network("other", NetworkOptions(subnets=(SubnetRequest("10.85.0.0/24"),)))
    service.attach("other", "box2", other)
    echo = _udp_echo(box, "0.0.0.0", 53)
    try:
        service.publish("dual", "box1", [PortRequest(80, host_port=8083), PortRequest(53, "udp", host_port=5353)])
        assert lab.reach(host, "127.0.0.1", 8083) == "box1 v4"          # the host's loopback
        assert lab.reach(box, "10.84.0.1", 8083) == "box1 v4"           # hairpin
        assert lab.reach(other, "10.85.0.1", 8083) == "box1 v4"         # from another network, through the host
        assert _udp_ask(host, "127.0.0.1", 5353) == "echo ping"
        assert _udp_ask(other, "10.85.0.1", 5353) == "echo ping"
    finally:
        echo.close()


def test_a_container_cannot_reach_the_hosts_loopback_through_its_bridge(lab, host, make):
    """route_localnet (for the DNAT of 127.0.0.1) would let a crafted packet for 127.0.0.0/8 in from a bridge;
    the box here routes 127.0.0.2 to its gateway, which a container could do with raw packets."""
    service = make(proxy=False)
    box = _box(lab, service)
    lab.serve(host, "127.0.0.2", "host loopback", port=7777)
    links_lab.run_in(box, "ip", "route", "del", "local", "127.0.0.0/8", "dev", "lo", "table", "local")
    links_lab.run_in(box, "sysctl", "-qw", "net.ipv4.conf.all.route_localnet=1")
    links_lab.run_in(box, "ip", "route", "add", "127.0.0.2/32", "via", "10.84.0.1")
    assert lab.reach(box, "127.0.0.2", 7777, timeout=1) == UNREACHABLE
    links_lab.run_in(host, "nft", "delete", "chain", "inet", "pycompose", "guard")   # the guard is what stops it
    assert lab.reach(box, "127.0.0.2", 7777) == "host loopback"
