"""netplan.hosts: Docker's /etc/hosts layout, extra_hosts and host-gateway."""

import pytest

from netplan.errors import SubnetInvalid
from netplan.hosts import render_host_mode, render_hosts

EXPECTED = """\
127.0.0.1\tlocalhost
::1\tlocalhost ip6-localhost ip6-loopback
fe00::0\tip6-localnet
ff00::0\tip6-mcastprefix
ff02::1\tip6-allnodes
ff02::2\tip6-allrouters
162.242.195.82\tsomehost
::1\tmyhostv6
172.18.0.1\thost.docker.internal
172.18.0.5\tmyhost.example.com myhost web
"""


def test_docker_layout_in_order():
    text = render_hosts("myhost", domainname="example.com", addresses=["172.18.0.5"], aliases=["web", "myhost"],
                        extra_hosts=[("somehost", "162.242.195.82"), ("myhostv6", "[::1]"),
                                     ("host.docker.internal", "host-gateway")], host_gateway=["172.18.0.1"])
    assert text == EXPECTED


def test_without_ipv6_the_ipv6_lines_go():
    assert render_hosts("a1b2", addresses=["10.1.0.2"], ipv6=False) == "127.0.0.1\tlocalhost\n10.1.0.2\ta1b2\n"


def test_bad_extra_hosts_are_refused_with_the_host_named():
    with pytest.raises(SubnetInvalid, match="`db`"):
        render_hosts("x", extra_hosts=[("db", "not-an-ip")])
    with pytest.raises(SubnetInvalid, match="host-gateway"):
        render_hosts("x", extra_hosts=[("gw", "host-gateway")])


def test_host_mode_appends_to_the_hosts_file():
    assert render_host_mode("127.0.0.1 localhost\n") == "127.0.0.1 localhost\n"
    assert render_host_mode("127.0.0.1 localhost", extra_hosts=[("a", "10.0.0.1")]) == (
        "127.0.0.1 localhost\n10.0.0.1\ta\n")
