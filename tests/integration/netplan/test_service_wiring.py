"""The service's optional parts (DNS records, the userland proxy) and its records file, with recording fakes.

The fakes stand where `netplan.dns.client.DnsClient` and `netplan.proxy.client.ProxyClient` go;
the real processes have their own suites. The kernel side runs in the lab's throwaway namespaces.
"""

import json
import os
from dataclasses import replace

import pytest

from netplan.dns.errors import DnsUnavailable
from netplan.errors import StateFailed
from netplan.ipam import SubnetRequest
from netplan.records import RecordStore
from netplan.service import NetworkOptions, NetworkService
from netplan.service_ports import PortRequest
from tests.integration.netplan import links_lab

if os.geteuid() != 0:  # loud, not skipped: a skipped network suite looks green
    pytest.fail("tests/integration/netplan/test_service_wiring.py needs root", pytrace=False)

lab = links_lab.lab
FRONT = NetworkOptions(subnets=(SubnetRequest("10.89.0.0/24"),))


class FakeDns:
    def __init__(self, fail=False):
        self.fail = fail
        self.calls = []

    def put_endpoint(self, network, endpoint):
        if self.fail:
            raise DnsUnavailable("put endpoint on the DNS server: it is not there")
        self.calls.append(("put", network, endpoint.container, endpoint.names, tuple(map(str, endpoint.addresses))))

    def drop_endpoint(self, network, container):
        self.calls.append(("drop", network, container))


class FakeProxy:
    def __init__(self):
        self.served = []

    def add(self, ports):
        chosen = tuple(replace(p, host_port=p.host_port or 40000 + len(self.served)) for p in ports)
        self.served += chosen
        return chosen

    def remove(self, ports):
        self.served = [p for p in self.served if p not in ports]


@pytest.fixture
def make(lab, tmp_path):
    host = lab.netns("host")
    made = []

    def service(**extra):
        made.append(NetworkService(tmp_path / "state", lab.root, host_netns=host, **extra))
        return made[-1]

    yield service
    if made:
        for net in made[0].list_networks():
            for endpoint in net.endpoints:
                made[0].detach(net.record.name, endpoint.container)
            made[0].remove_network(net.record.name)


def test_dns_records_follow_attach_and_detach(lab, make):
    dns = FakeDns()
    service = make(dns=dns)
    service.create_network("front", FRONT)
    service.attach("front", "c1", lab.netns("box1"), name="demo-web-1", aliases=("web",))
    service.detach("front", "c1")
    assert dns.calls == [("put", "front", "demo-web-1", ("demo-web-1", "web"), ("10.89.0.2",)),
                         ("drop", "front", "demo-web-1")]


def test_a_failing_dns_server_unwinds_the_attach(lab, make):
    service = make(dns=FakeDns(fail=True))
    service.create_network("front", FRONT)
    box = lab.netns("box1")
    with pytest.raises(DnsUnavailable):
        service.attach("front", "c1", box)
    assert sorted(lab.links(box)) == ["lo"] and service.inspect("front").endpoints == ()
    assert service.ipam.load().networks["front"].allocations == ()


def test_the_proxy_chooses_host_ports_and_lets_go_on_detach(lab, make):
    proxy = FakeProxy()
    service = make(proxy=proxy)
    service.create_network("front", FRONT)
    service.attach("front", "c1", lab.netns("box1"))
    (port,) = service.publish("front", "c1", [PortRequest(80, host_ip="127.0.0.1")])
    assert port.host_port == 40000 and "dport 40000 dnat ip to 10.89.0.2:80" in service.firewall_listing()
    service.detach("front", "c1")
    assert proxy.served == [] and "dport 40000" not in service.firewall_listing()


def test_a_port_published_twice_is_refused(lab, make):
    from netplan.proxy.errors import PortInUse

    service = make()
    service.create_network("front", FRONT)
    service.attach("front", "c1", lab.netns("box1"))
    service.attach("front", "c2", lab.netns("box2"))
    service.publish("front", "c1", [PortRequest(80, host_port=8080)])
    with pytest.raises(PortInUse, match=r"^publish port 127.0.0.1:8080/tcp: 0.0.0.0:8080/tcp is published already "
                                        r"by `c1`"):
        service.publish("front", "c2", [PortRequest(80, host_ip="127.0.0.1", host_port=8080)])
    assert [e.ports for e in service.inspect("front").endpoints][1] == ()


def test_the_records_file_is_whole_json_and_a_corrupt_one_is_named(tmp_path):
    store = RecordStore(tmp_path)
    with store.locked() as records:
        store.write(records)
    assert json.loads((tmp_path / "records.json").read_text()) == {"format": 1, "networks": {}, "endpoints": {}}
    (tmp_path / "records.json").write_text("{")
    with pytest.raises(StateFailed, match=r"^read network records `.*records.json`: the file is corrupt"):
        store.load()
