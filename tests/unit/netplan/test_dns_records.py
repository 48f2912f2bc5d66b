"""netplan.dns.records: scoping by view, round robin, NODATA and NXDOMAIN, reverse names."""

from ipaddress import ip_address

from netplan.dns.records import Endpoint, Zones, reverse_address


def ep(container, names, *addrs):
    return Endpoint(container, tuple(names), tuple(ip_address(a) for a in addrs))


def zones():
    z = Zones()
    z.replace("front", [ep("w1", ["demo-web-1", "web", "www"], "172.20.0.2"),
                        ep("w2", ["demo-web-2", "web"], "172.20.0.3", "fd00:20::3")])
    z.replace("back", [ep("d1", ["demo-db-1", "db"], "172.21.0.2"), ep("w1b", ["demo-web-1", "web"], "172.21.0.5")])
    return z


def test_a_name_answers_only_in_the_views_networks():
    z = zones()
    assert [str(a) for a in z.lookup(["back"], "db", 1).addresses] == ["172.21.0.2"]
    assert not z.lookup(["front"], "db.example.com", 1).ours
    assert z.lookup(["front"], "db", 1).ours and z.lookup(["front"], "db", 1).addresses == ()


def test_replicas_rotate_one_step_per_query():
    z = zones()
    seen = [tuple(str(a) for a in z.lookup(["front"], "web", 1).addresses) for _ in range(3)]
    assert seen == [("172.20.0.2", "172.20.0.3"), ("172.20.0.3", "172.20.0.2"), ("172.20.0.2", "172.20.0.3")]


def test_a_view_of_two_networks_sees_both_and_aaaa_filters_by_family():
    z = zones()
    assert {str(a) for a in z.lookup(["front", "back"], "web", 1).addresses} == {
        "172.20.0.2", "172.20.0.3", "172.21.0.5"}
    assert [str(a) for a in z.lookup(["front"], "web", 28).addresses] == ["fd00:20::3"]
    assert z.lookup(["back"], "web", 28).ours and z.lookup(["back"], "web", 28).addresses == ()


def test_name_dot_network_asks_that_network_only_and_names_are_case_blind():
    z = zones()
    assert [str(a) for a in z.lookup(["front", "back"], "web.back", 1).addresses] == ["172.21.0.5"]
    assert zones().lookup(["front"], "www", 1).addresses == zones().lookup(["FRONT"], "www", 1).addresses
    assert Endpoint("x", ("WWW.", "www"), ()).names == ("www",)
    assert z.lookup(["front"], "nothing.front", 1).ours


def test_put_drop_replace_and_remove():
    z = zones()
    z.put("back", ep("d1", ["demo-db-1", "db"], "172.21.0.9"))
    assert [str(a) for a in z.lookup(["back"], "db", 1).addresses] == ["172.21.0.9"]
    z.drop("back", "d1")
    z.drop("back", "d1")
    z.drop("nowhere", "d1")
    assert z.lookup(["back"], "db", 1).addresses == ()
    z.remove("front")
    assert z.networks() == ["back"]


def test_reverse_names():
    z = zones()
    assert z.lookup(["back"], "2.0.21.172.in-addr.arpa", 12).ptr == "demo-db-1"
    assert not z.lookup(["front"], "2.0.21.172.in-addr.arpa", 12).ours
    v6 = ".".join(reversed(ip_address("fd00:20::3").exploded.replace(":", ""))) + ".ip6.arpa"
    assert z.lookup(["front"], v6, 12).ptr == "demo-web-2"
    assert reverse_address("1.2.3.in-addr.arpa") is None
    assert reverse_address("x.2.3.4.in-addr.arpa") is None
    assert reverse_address("example.com") is None
