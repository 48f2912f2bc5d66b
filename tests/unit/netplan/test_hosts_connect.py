"""/etc/hosts as a container joins and leaves networks (`network connect` / `disconnect`)."""

from netplan.hosts import render_hosts, with_addresses, without_addresses


def test_a_joined_network_adds_a_line_with_the_containers_names():
    before = render_hosts("web1", domainname="demo", addresses=["172.18.0.2"], ipv6=False)
    after = with_addresses(before, ["172.19.0.5"])
    assert after == before + "172.19.0.5\tweb1.demo web1\n"
    assert with_addresses(after, ["172.19.0.5"]) == after  # once only


def test_the_names_can_be_given_and_leaving_removes_the_line_again():
    before = render_hosts("web1", addresses=["172.18.0.2"])
    after = with_addresses(before, ["fd00::5"], names=["web1", "w"])
    assert after.endswith("fd00::5\tweb1 w\n")
    assert without_addresses(after, ["fd00:0::5"]) == before


def test_a_file_with_only_loopback_lines_gets_nothing_without_names():
    loopback = render_hosts("x", addresses=[])
    assert with_addresses(loopback, ["172.18.0.2"]) == loopback
