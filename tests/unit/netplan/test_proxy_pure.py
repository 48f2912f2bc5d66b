"""The proxy's pure parts: the JSON form of mappings, mapping checks, control answers, and
finding a port's holder in a /proc tree written by the test."""

import json
from ipaddress import ip_address as A

import pytest

from netplan.firewall.spec import PublishedPort
from netplan.proxy.bind import check, clashes
from netplan.proxy.control import answer
from netplan.proxy.errors import MappingInvalid, PortInUse
from netplan.proxy.holder import Holder, holder, socket_inodes
from netplan.proxy.wire import decode, encode, show, show_mapping

WEB = PublishedPort(A("127.0.0.1"), 8080, "tcp", A("10.5.0.3"), 80)


def test_mappings_round_trip_through_json():
    v6 = PublishedPort(A("::1"), 0, "udp", A("fd00::3"), 53)
    for port in (WEB, v6):
        assert decode(json.loads(json.dumps(encode(port)))) == port
    assert show(v6) == "[::1]:0/udp"
    assert show_mapping(WEB) == "127.0.0.1:8080/tcp -> 10.5.0.3:80"


@pytest.mark.parametrize("bad", [{}, {**encode(WEB), "host_port": "80"}, {**encode(WEB), "host_ip": "nowhere"},
                                 {**encode(WEB), "container_port": True}])
def test_malformed_mappings_are_refused(bad):
    with pytest.raises(MappingInvalid, match="read mapping"):
        decode(bad)


def test_checks_name_the_port():
    with pytest.raises(MappingInvalid, match=r"publish 127.0.0.1:8080/sctp: .*tcp and udp only"):
        check(PublishedPort(A("127.0.0.1"), 8080, "sctp", A("10.5.0.3"), 80))
    with pytest.raises(MappingInvalid, match="container port 0"):
        check(PublishedPort(A("127.0.0.1"), 8080, "tcp", A("10.5.0.3"), 0))
    check(PublishedPort(A("127.0.0.1"), 0, "udp", A("10.5.0.3"), 53))


def test_clashes_follow_addresses_and_protocols():
    every = PublishedPort(A("0.0.0.0"), 8080, "tcp", A("10.5.0.4"), 80)
    assert clashes(WEB, every)
    assert not clashes(WEB, PublishedPort(A("127.0.0.2"), 8080, "tcp", A("10.5.0.4"), 80))
    assert not clashes(WEB, PublishedPort(A("127.0.0.1"), 8080, "udp", A("10.5.0.4"), 80))
    assert not clashes(PublishedPort(A("::"), 8080, "tcp", A("fd00::3"), 80), every)   # IPV6_V6ONLY
    assert not clashes(PublishedPort(A("127.0.0.1"), 0, "tcp", A("10.5.0.3"), 80),
                       PublishedPort(A("127.0.0.1"), 0, "tcp", A("10.5.0.4"), 80))       # both ephemeral


def test_control_answers_and_errors():
    def handle(request):
        if request["op"] == "boom":
            raise PortInUse("publish 127.0.0.1:80/tcp: port is already in use", hint="pick another")
        return {"echo": request["op"]}

    assert json.loads(answer(handle, b'{"op": "list"}')) == {"ok": True, "echo": "list"}
    assert json.loads(answer(handle, b'{"op": "boom"}'))["error"] == {
        "kind": "PortInUse", "message": "publish 127.0.0.1:80/tcp: port is already in use", "hint": "pick another"}
    assert json.loads(answer(handle, b"[1]"))["error"]["kind"] == "ProxyFailed"
    assert json.loads(answer(handle, b"{not json"))["error"]["kind"] == "ProxyFailed"


TCP = """  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0
   1: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4343 1 0
   2: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 4444 1 0
"""
TCP6 = """  sl  local_address remote_address st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:1F91 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4545 1 0
"""  # noqa: E501


@pytest.fixture
def proc(tmp_path):
    (tmp_path / "net").mkdir()
    (tmp_path / "net" / "tcp").write_text(TCP)
    (tmp_path / "net" / "tcp6").write_text(TCP6)
    for pid, name, inode in ((1234, "nginx", 4242), (99, "sshd", 4343), (77, "envoy", 4545)):
        (tmp_path / str(pid) / "fd").mkdir(parents=True)
        (tmp_path / str(pid) / "comm").write_text(name + "\n")
        (tmp_path / str(pid) / "fd" / "3").symlink_to(f"socket:[{inode}]")
    (tmp_path / "self").mkdir()
    return tmp_path


def test_the_holder_of_a_port_is_found_in_proc(proc):
    assert holder("tcp", A("127.0.0.1"), 8080, proc) == Holder(1234, "nginx")
    assert holder("tcp", A("0.0.0.0"), 8080, proc) == Holder(1234, "nginx")         # a wildcard wants them all
    assert holder("tcp", A("127.0.0.1"), 80, proc) == Holder(99, "sshd")            # held through 0.0.0.0
    assert holder("tcp", A("::1"), 8081, proc) == Holder(77, "envoy")
    assert holder("tcp", A("127.0.0.1"), 8082, proc) is None
    assert holder("udp", A("127.0.0.1"), 8080, proc) is None                         # no udp table: no answer
    assert socket_inodes("tcp", A("127.0.0.1"), 8080, proc) == ["4242"]              # not the connected socket
